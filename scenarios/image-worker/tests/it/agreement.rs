//! Both variants produce the same thumbnails: byte for byte when the
//! optimized one decodes the whole image, within the documented PSNR
//! tolerance when it decodes at reduced size.

use image::{ExtendedColorType, ImageEncoder};
use image_worker::compare::{TOLERANCE_MEAN_ABS, compare_encoded};
use image_worker::generate::SplitMix64;
use image_worker::{Colour, DecodePath, InputFormat, Job, JobOutput, TOLERANCE_PSNR_DB, Variant};

use crate::common::{adjust, bytes_job, spec, spec_job, worker};

fn both(job: &Job) -> (JobOutput, JobOutput) {
    let dir = tempfile::tempdir().unwrap();
    let mut naive = worker(dir.path(), Variant::Naive);
    let mut optimized = worker(dir.path(), Variant::Optimized);
    let a = naive.process(job).expect("naive");
    let b = optimized.process(job).expect("optimized");
    (a, b)
}

/// Compares two outputs; returns the worst PSNR seen (infinite if identical).
fn assert_agree(job: &Job, a: &JobOutput, b: &JobOutput) -> f64 {
    let input = job.input.name();
    assert_eq!(a.outputs.len(), b.outputs.len(), "{input}");
    assert_eq!(
        (a.source_width, a.source_height),
        (b.source_width, b.source_height)
    );
    let mut worst = f64::INFINITY;
    for (x, y) in a.outputs.iter().zip(&b.outputs) {
        assert_eq!(
            (&x.name, x.width, x.height, x.format),
            (&y.name, y.width, y.height, y.format),
            "{input}"
        );
        if b.decode_path == DecodePath::Full {
            assert!(
                x.bytes == y.bytes,
                "{input} {}: full decode must be identical",
                x.name
            );
        } else {
            let s = compare_encoded(&x.name, &x.bytes, &y.bytes).unwrap();
            assert!(
                s.within_tolerance(),
                "{input} {} via {:?}: {s:?}, want PSNR >= {TOLERANCE_PSNR_DB} dB and mean abs <= {TOLERANCE_MEAN_ABS}",
                x.name,
                b.decode_path
            );
            worst = worst.min(s.psnr_db);
        }
    }
    worst
}

#[test]
fn variants_agree_on_many_generated_images() {
    let mut rng = SplitMix64::new(7);
    let (mut full, mut reduced) = (0, 0);
    for i in 0..24 {
        let format = if i % 2 == 0 {
            InputFormat::Jpeg
        } else {
            InputFormat::Png
        };
        // Half small (decoded whole), half at least 4x the 128 px preview.
        let (w, h) = if i % 4 < 2 {
            (
                40 + (rng.next_u64() % 400) as u32,
                30 + (rng.next_u64() % 300) as u32,
            )
        } else {
            (
                520 + (rng.next_u64() % 700) as u32,
                520 + (rng.next_u64() % 500) as u32,
            )
        };
        let mut job = spec_job(&spec(i, w, h, format));
        if i % 3 == 0 {
            job.adjust = adjust(Colour::Grayscale);
        }
        if i % 5 == 0 {
            job.adjust.sharpen = None;
        }
        let (a, b) = both(&job);
        assert_agree(&job, &a, &b);
        match b.decode_path {
            DecodePath::Full => full += 1,
            DecodePath::JpegDct { denominator } => {
                assert!([2, 4, 8].contains(&denominator));
                reduced += 1
            }
            DecodePath::PngBox { factor } => {
                assert!(factor >= 2);
                reduced += 1
            }
        }
    }
    assert!(full >= 8 && reduced >= 8, "full {full}, reduced {reduced}");
}

#[test]
fn large_jpeg_takes_the_dct_path_and_large_png_the_box_path() {
    for (format, expect_jpeg) in [(InputFormat::Jpeg, true), (InputFormat::Png, false)] {
        let job = spec_job(&spec(90, 1100, 800, format));
        let (a, b) = both(&job);
        match (b.decode_path, expect_jpeg) {
            (DecodePath::JpegDct { denominator: 4 }, true) => {}
            (DecodePath::PngBox { factor: 4 }, false) => {}
            other => panic!("{format:?}: unexpected decode path {other:?}"),
        }
        assert_eq!(a.decode_path, DecodePath::Full);
        assert_agree(&job, &a, &b);
    }
}

/// PNG colour types other than 8-bit RGB go through the box filter too.
#[test]
fn grey_rgba_and_16_bit_pngs_agree() {
    let scene = image_worker::generate::Scene::new(5, 600, 560).render();
    let grey = image::DynamicImage::ImageRgb8(scene.clone()).into_luma8();
    let rgba = image::DynamicImage::ImageRgb8(scene.clone()).into_rgba8();
    let deep = image::DynamicImage::ImageRgb8(scene).into_rgb16();
    let encode = |raw: &[u8], colour| {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(raw, 600, 560, colour)
            .unwrap();
        out
    };
    // write_image takes 16-bit samples as native-endian bytes.
    let deep_native: Vec<u8> = deep.as_raw().iter().flat_map(|v| v.to_ne_bytes()).collect();
    for (name, bytes) in [
        ("grey.png", encode(grey.as_raw(), ExtendedColorType::L8)),
        ("rgba.png", encode(rgba.as_raw(), ExtendedColorType::Rgba8)),
        ("deep.png", encode(&deep_native, ExtendedColorType::Rgb16)),
    ] {
        let job = bytes_job(name, bytes);
        let (a, b) = both(&job);
        assert!(matches!(b.decode_path, DecodePath::PngBox { .. }), "{name}");
        assert_agree(&job, &a, &b);
    }
}
