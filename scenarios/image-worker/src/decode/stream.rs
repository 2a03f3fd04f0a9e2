//! Decoding at reduced size, so that memory follows the output size.
//!
//! * JPEG: `jpeg-decoder`'s DCT scaling runs a 4×4, 2×2 or 1×1 inverse DCT
//!   per 8×8 block, which gives the image at 1/2, 1/4 or 1/8 size without
//!   ever holding it at full size (baseline JPEG; a progressive JPEG must
//!   keep all its coefficients, so it is refused when they would not fit
//!   the allocation limit).
//! * PNG: rows are inflated and unfiltered one at a time (`png`'s
//!   `read_row`) into an integer box filter that averages `factor × factor`
//!   blocks, so only one source row exists at a time. Interlaced PNGs
//!   (Adam7 passes are not rows) fall back to the full decode and its limits.
//!
//! The row and accumulator buffers live in a [`Scratch`] that the
//! optimized worker reuses from job to job.

use image::RgbImage;
use jpeg_decoder::{CodingProcess, PixelFormat};
use png::{BitDepth, ColorType, Transformations};

use super::{DecodeLimits, InputFormat, Source, decode_error};
use crate::job::{DecodePath, JobError};

/// The largest box-filter factor: keeps the `u32` sums of a block below
/// 255 × 256² and the filter cheap to reason about.
const MAX_BOX_FACTOR: u32 = 256;

/// Buffers reused from job to job by the optimized worker.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    row: Vec<u8>,
    sums: Vec<u32>,
}

impl Scratch {
    /// Empties the buffers and gives back memory beyond `keep_bytes`, so
    /// one huge input does not pin its buffers for the worker's lifetime.
    pub(crate) fn trim(&mut self, keep_bytes: usize) {
        self.row.clear();
        self.sums.clear();
        if self.row.capacity() > keep_bytes {
            self.row.shrink_to(keep_bytes);
        }
        if self.sums.capacity() * 4 > keep_bytes {
            self.sums.shrink_to(keep_bytes / 4);
        }
    }

    /// Bytes the buffers hold on to.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.row.capacity() + self.sums.capacity() * 4
    }
}

/// A decoder that has read the header and stands before the pixel data.
pub(crate) enum Header<'a> {
    Png(Box<png::Reader<&'a mut dyn Source>>),
    Jpeg(Box<jpeg_decoder::Decoder<&'a mut dyn Source>>),
}

pub(crate) struct Dims<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) decoder: Header<'a>,
}

impl<'a> Header<'a> {
    /// Reads the header of `source` (which must be at its start).
    pub(crate) fn read(
        input: &str,
        format: InputFormat,
        source: &'a mut dyn Source,
        limits: &DecodeLimits,
    ) -> Result<Dims<'a>, JobError> {
        let alloc = usize::try_from(limits.max_alloc_bytes).unwrap_or(usize::MAX);
        match format {
            InputFormat::Png => {
                let mut decoder =
                    png::Decoder::new_with_limits(source, png::Limits { bytes: alloc });
                decoder.set_transformations(Transformations::normalize_to_color8());
                // The header alone: a bomb's claimed size is known here.
                let (width, height) = {
                    let info = decoder
                        .read_header_info()
                        .map_err(|e| decode_error(input, format, e))?;
                    (info.width, info.height)
                };
                limits.check(input, u64::from(width), u64::from(height))?;
                let reader = decoder
                    .read_info()
                    .map_err(|e| decode_error(input, format, e))?;
                Ok(Dims {
                    width,
                    height,
                    decoder: Header::Png(Box::new(reader)),
                })
            }
            InputFormat::Jpeg => {
                let mut decoder = jpeg_decoder::Decoder::new(source);
                decoder.set_max_decoding_buffer_size(alloc);
                decoder
                    .read_info()
                    .map_err(|e| decode_error(input, format, e))?;
                let info = decoder.info().ok_or_else(|| {
                    decode_error(input, format, std::io::Error::other("no frame header"))
                })?;
                Ok(Dims {
                    width: u32::from(info.width),
                    height: u32::from(info.height),
                    decoder: Header::Jpeg(Box::new(decoder)),
                })
            }
        }
    }
}

/// Decodes to at least `target` pixels (reduced by about `factor`), or
/// `None` when this input needs the full decode (interlaced PNG, CMYK or
/// 16-bit JPEG).
pub(crate) fn decode_reduced(
    input: &str,
    dims: Dims<'_>,
    target: (u32, u32),
    factor: u32,
    limits: &DecodeLimits,
    scratch: &mut Scratch,
) -> Result<Option<(RgbImage, DecodePath)>, JobError> {
    let (width, height) = (dims.width, dims.height);
    match dims.decoder {
        Header::Png(reader) => png_box(
            input,
            reader,
            width,
            height,
            factor.min(MAX_BOX_FACTOR),
            scratch,
        ),
        Header::Jpeg(decoder) => jpeg_dct(input, decoder, (width, height), target, limits),
    }
}

fn png_box(
    input: &str,
    mut reader: Box<png::Reader<&mut dyn Source>>,
    width: u32,
    height: u32,
    k: u32,
    scratch: &mut Scratch,
) -> Result<Option<(RgbImage, DecodePath)>, JobError> {
    if reader.info().interlaced {
        return Ok(None);
    }
    let channels = match reader.output_color_type() {
        (ColorType::Grayscale, BitDepth::Eight) => 1,
        (ColorType::GrayscaleAlpha, BitDepth::Eight) => 2,
        (ColorType::Rgb, BitDepth::Eight) => 3,
        (ColorType::Rgba, BitDepth::Eight) => 4,
        _ => return Ok(None),
    };
    let fail = |e| decode_error(input, InputFormat::Png, e);
    let (out_w, out_h) = (width.div_ceil(k), height.div_ceil(k));
    let mut out = RgbImage::new(out_w, out_h);
    let Some(line) = reader.output_line_size(width) else {
        return Ok(None);
    };
    scratch.row.resize(line, 0);
    scratch.sums.clear();
    scratch.sums.resize(out_w as usize * 3, 0);
    let (w, k_us) = (width as usize, k as usize);
    let mut rows_in_block = 0u32;
    for y in 0..height {
        if reader.read_row(&mut scratch.row).map_err(fail)?.is_none() {
            return Err(fail(png::DecodingError::IoError(
                std::io::ErrorKind::UnexpectedEof.into(),
            )));
        }
        for x in 0..w {
            let px = &scratch.row[x * channels..];
            let (r, g, b) = if channels < 3 {
                (px[0], px[0], px[0])
            } else {
                (px[0], px[1], px[2])
            };
            let s = &mut scratch.sums[(x / k_us) * 3..][..3];
            s[0] += u32::from(r);
            s[1] += u32::from(g);
            s[2] += u32::from(b);
        }
        rows_in_block += 1;
        if rows_in_block == k || y + 1 == height {
            let oy = y / k;
            for ox in 0..out_w {
                let cols = k.min(width - ox * k);
                let n = cols * rows_in_block;
                let s = &mut scratch.sums[ox as usize * 3..][..3];
                let avg = |v: u32| ((v + n / 2) / n) as u8;
                out.put_pixel(ox, oy, image::Rgb([avg(s[0]), avg(s[1]), avg(s[2])]));
                s.fill(0);
            }
            rows_in_block = 0;
        }
    }
    Ok(Some((out, DecodePath::PngBox { factor: k })))
}

fn jpeg_dct(
    input: &str,
    mut decoder: Box<jpeg_decoder::Decoder<&mut dyn Source>>,
    (width, height): (u32, u32),
    (tw, th): (u32, u32),
    limits: &DecodeLimits,
) -> Result<Option<(RgbImage, DecodePath)>, JobError> {
    let fail = |e| decode_error(input, InputFormat::Jpeg, e);
    let Some(info) = decoder.info() else {
        return Ok(None);
    };
    let channels: u64 = match info.pixel_format {
        PixelFormat::L8 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::L16 | PixelFormat::CMYK32 => return Ok(None),
    };
    if info.coding_process == CodingProcess::DctProgressive {
        // Every coefficient (an i16 per sample) is kept until the last scan.
        let needed = u64::from(width) * u64::from(height) * channels * 2;
        if needed > limits.max_alloc_bytes {
            return Err(JobError::TooLarge {
                input: input.to_owned(),
                width: u64::from(width),
                height: u64::from(height),
                reason: format!(
                    "a progressive JPEG this size needs {} MiB of DCT coefficients, over the {} MiB limit",
                    needed >> 20,
                    limits.max_alloc_bytes >> 20
                ),
            });
        }
    }
    let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    let (sw, sh) = decoder.scale(clamp(tw), clamp(th)).map_err(fail)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let pixels = decoder.decode().map_err(fail)?;
    let expected = sw as usize * sh as usize * channels as usize;
    if pixels.len() < expected {
        return Err(fail(jpeg_decoder::Error::Format(format!(
            "decoded {} bytes, expected {expected}",
            pixels.len()
        ))));
    }
    let rgb = if channels == 1 {
        pixels[..expected].iter().flat_map(|&v| [v, v, v]).collect()
    } else {
        pixels
    };
    let image = RgbImage::from_raw(sw, sh, rgb)
        .ok_or_else(|| fail(jpeg_decoder::Error::Format("short pixel buffer".into())))?;
    let denominator = (width as f64 / f64::from(sw)).round() as u32;
    Ok(Some((image, DecodePath::JpegDct { denominator })))
}
