//! The part of the pipeline both variants share: from decoded pixels to
//! encoded thumbnails (resize, sharpen, colour conversion, encode).
//!
//! Target sizes are computed from the *original* image size, never from
//! the pixels at hand, so a variant that decoded at reduced size (see
//! `decode`) still produces thumbnails of exactly the same dimensions.
//! This module does not decode and does not know about variants.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, RgbImage};

use crate::job::{Adjust, Colour, JobError, OutputFormat, OutputImage, Thumbnail};

/// The resampling filter of every resize. Triangle (bilinear, with its
/// support widened by the scale factor when shrinking) averages every
/// source pixel, so it does not alias on large reductions and costs far
/// less than Lanczos.
pub(crate) const FILTER: FilterType = FilterType::Triangle;

/// The size of `(width, height)` scaled down (never up) to fit in
/// `max_width × max_height`, aspect ratio kept, each side at least 1.
pub(crate) fn fit(width: u32, height: u32, max_width: u32, max_height: u32) -> (u32, u32) {
    let scale = (f64::from(max_width) / f64::from(width))
        .min(f64::from(max_height) / f64::from(height))
        .min(1.0);
    let side = |s: u32| ((f64::from(s) * scale).round() as u32).max(1);
    (side(width).min(width), side(height).min(height))
}

/// The largest thumbnail of a job, as fitted to a `width × height` source.
pub(crate) fn largest_target(width: u32, height: u32, thumbnails: &[Thumbnail]) -> (u32, u32) {
    thumbnails
        .iter()
        .map(|t| fit(width, height, t.max_width, t.max_height))
        .fold((1, 1), |(w, h), (tw, th)| (w.max(tw), h.max(th)))
}

/// Checks a job's thumbnails before any decoding.
pub(crate) fn validate(input: &str, thumbnails: &[Thumbnail]) -> Result<(), JobError> {
    let bad = |field, problem: String| JobError::BadJob {
        input: input.to_owned(),
        field,
        problem,
    };
    if thumbnails.is_empty() {
        return Err(bad("thumbnails", "is empty: nothing to produce".into()));
    }
    for t in thumbnails {
        if t.max_width == 0 || t.max_height == 0 {
            return Err(bad(
                "thumbnail size",
                format!("of {:?} is {}x{}", t.name, t.max_width, t.max_height),
            ));
        }
        if let OutputFormat::Jpeg { quality } = t.format
            && !(1..=100).contains(&quality)
        {
            return Err(bad(
                "JPEG quality",
                format!("of {:?} is {quality}, not 1..=100", t.name),
            ));
        }
    }
    Ok(())
}

/// Every thumbnail of a job from `pixels`, which are the source image of
/// `original` size, possibly already reduced.
pub(crate) fn thumbnails(
    input: &str,
    pixels: &RgbImage,
    original: (u32, u32),
    thumbnails: &[Thumbnail],
    adjust: &Adjust,
) -> Result<Vec<OutputImage>, JobError> {
    thumbnails
        .iter()
        .map(|t| thumbnail(input, pixels, original, t, adjust))
        .collect()
}

fn thumbnail(
    input: &str,
    pixels: &RgbImage,
    original: (u32, u32),
    spec: &Thumbnail,
    adjust: &Adjust,
) -> Result<OutputImage, JobError> {
    let (width, height) = fit(original.0, original.1, spec.max_width, spec.max_height);
    let resized = if pixels.dimensions() == (width, height) {
        pixels.clone()
    } else {
        imageops::resize(pixels, width, height, FILTER)
    };
    let sharpened = match adjust.sharpen {
        Some(s) => imageops::unsharpen(&resized, s.sigma, s.threshold),
        None => resized,
    };
    let encode_error = |source| JobError::Encode {
        input: input.to_owned(),
        thumbnail: spec.name.clone(),
        source,
    };
    let bytes = match adjust.colour {
        Colour::Rgb => encode(
            sharpened.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
            spec.format,
        ),
        Colour::Grayscale => {
            let grey = imageops::grayscale(&sharpened);
            encode(
                grey.as_raw(),
                width,
                height,
                ExtendedColorType::L8,
                spec.format,
            )
        }
    }
    .map_err(encode_error)?;
    Ok(OutputImage {
        name: spec.name.clone(),
        format: spec.format,
        width,
        height,
        bytes,
    })
}

/// Encodes raw 8-bit pixels.
pub(crate) fn encode(
    raw: &[u8],
    width: u32,
    height: u32,
    colour: ExtendedColorType,
    format: OutputFormat,
) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    match format {
        OutputFormat::Jpeg { quality } => JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(raw, width, height, colour)?,
        OutputFormat::Png => PngEncoder::new(&mut out).write_image(raw, width, height, colour)?,
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_aspect_and_never_upscales() {
        assert_eq!(fit(4000, 3000, 1024, 1024), (1024, 768));
        assert_eq!(fit(3000, 4000, 256, 256), (192, 256));
        assert_eq!(fit(100, 50, 1024, 1024), (100, 50));
        assert_eq!(fit(10_000, 10, 64, 64), (64, 1));
    }

    #[test]
    fn validate_names_the_field() {
        let t = [Thumbnail::new("x", 0, OutputFormat::Png)];
        let err = validate("a.png", &t).unwrap_err().to_string();
        assert!(
            err.contains("a.png") && err.contains("thumbnail size"),
            "{err}"
        );
        let t = [Thumbnail::new("x", 8, OutputFormat::Jpeg { quality: 0 })];
        assert!(validate("a.png", &t).is_err());
        assert!(validate("a.png", &[]).is_err());
    }
}
