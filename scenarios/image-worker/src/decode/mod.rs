//! Decoding: format sniffing, decode limits, and the two ways of getting
//! pixels out of a file.
//!
//! * [`decode_full`] decodes the whole image with the `image` crate. The
//!   naive variant calls it without limits; the optimized one with
//!   [`image::Limits`] built from [`DecodeLimits`].
//! * [`decode_for_thumbnails`] (optimized only) reads the header first,
//!   rejects what the limits forbid before a pixel is allocated, and, when
//!   the image is at least four times the largest thumbnail, decodes at
//!   reduced size (see [`stream`]): peak memory then follows the output.
//!
//! Each reports the path it took as a [`DecodePath`] (a job-output type,
//! defined in `job`). Nothing here resizes to the final size or encodes
//! (see `ops`).

mod stream;

use std::io::{BufRead, Seek, SeekFrom};

use image::{DynamicImage, ImageError, ImageFormat, ImageReader, RgbImage};

use crate::job::{DecodePath, JobError, Thumbnail};
use crate::ops;

/// A seekable, buffered input: a file or bytes in memory.
pub(crate) trait Source: BufRead + Seek {}
impl<T: BufRead + Seek> Source for T {}

/// The input formats the worker accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Jpeg,
    Png,
}

impl InputFormat {
    /// Recognises a format from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> Option<InputFormat> {
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(InputFormat::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(InputFormat::Jpeg)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Jpeg => "JPEG",
            InputFormat::Png => "PNG",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            InputFormat::Jpeg => ImageFormat::Jpeg,
            InputFormat::Png => ImageFormat::Png,
        }
    }
}

/// What the optimized variant refuses to decode, checked on the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    pub max_width: u32,
    pub max_height: u32,
    /// Width × height. A 100-megapixel photo passes the default; a
    /// 100000×100000 "bomb" does not.
    pub max_pixels: u64,
    /// Largest allocation a full-size decode may make (passed on as
    /// [`image::Limits::max_alloc`] and to the PNG/JPEG decoders).
    pub max_alloc_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_width: 65_535,
            max_height: 65_535,
            max_pixels: 150_000_000,
            max_alloc_bytes: 128 << 20,
        }
    }
}

impl DecodeLimits {
    /// Rejects a header whose size passes the limits.
    pub(crate) fn check(&self, input: &str, width: u64, height: u64) -> Result<(), JobError> {
        let reason = if width == 0 || height == 0 {
            Some("an empty image".to_owned())
        } else if width > u64::from(self.max_width) || height > u64::from(self.max_height) {
            Some(format!(
                "over the limit of {}x{}",
                self.max_width, self.max_height
            ))
        } else if width * height > self.max_pixels {
            Some(format!(
                "{:.1} megapixels, over the limit of {:.1} (a decompression bomb?)",
                (width * height) as f64 / 1e6,
                self.max_pixels as f64 / 1e6
            ))
        } else {
            None
        };
        match reason {
            Some(reason) => Err(JobError::TooLarge {
                input: input.to_owned(),
                width,
                height,
                reason,
            }),
            None => Ok(()),
        }
    }

    fn image_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_width);
        limits.max_image_height = Some(self.max_height);
        limits.max_alloc = Some(self.max_alloc_bytes);
        limits
    }
}

/// The format of `source`, from its first bytes (the position is kept).
pub(crate) fn sniff(input: &str, source: &mut dyn Source) -> Result<InputFormat, JobError> {
    let head = source.fill_buf().map_err(|e| read_error(input, e))?;
    InputFormat::sniff(head).ok_or_else(|| JobError::UnknownFormat {
        input: input.to_owned(),
    })
}

pub(crate) fn read_error(input: &str, source: std::io::Error) -> JobError {
    JobError::Read {
        input: input.to_owned(),
        source,
    }
}

pub(crate) fn decode_error(
    input: &str,
    format: InputFormat,
    source: impl std::error::Error + Send + Sync + 'static,
) -> JobError {
    JobError::Decode {
        input: input.to_owned(),
        format: format.name(),
        source: Box::new(source),
    }
}

/// The whole image with the `image` crate, with or without limits.
pub(crate) fn decode_full(
    input: &str,
    source: &mut dyn Source,
    limits: Option<&DecodeLimits>,
) -> Result<DynamicImage, JobError> {
    let format = sniff(input, source)?;
    let mut reader = ImageReader::with_format(source, format.image_format());
    match limits {
        Some(limits) => reader.limits(limits.image_limits()),
        None => reader.no_limits(),
    }
    reader.decode().map_err(|e| match e {
        ImageError::Limits(limit) => JobError::Refused {
            input: input.to_owned(),
            format: format.name(),
            reason: limit.to_string(),
        },
        ImageError::IoError(io) => read_error(input, io),
        other => decode_error(input, format, other),
    })
}

/// Pixels for a job's thumbnails, decoded at reduced size when the image
/// is much larger than they are: RGB pixels, the original size, the path.
pub(crate) fn decode_for_thumbnails(
    input: &str,
    source: &mut dyn Source,
    thumbnails: &[Thumbnail],
    limits: &DecodeLimits,
    scratch: &mut stream::Scratch,
) -> Result<(RgbImage, (u32, u32), DecodePath), JobError> {
    let format = sniff(input, source)?;
    let dims = stream::Header::read(input, format, source, limits)?;
    let (width, height) = (dims.width, dims.height);
    limits.check(input, u64::from(width), u64::from(height))?;
    let (tw, th) = ops::largest_target(width, height, thumbnails);
    // Reduce while decoding only to twice the largest thumbnail, so the
    // final resize still has two source pixels per output pixel.
    let factor = (width / (2 * tw)).min(height / (2 * th));
    if factor >= 2 {
        let target = (2 * tw, 2 * th);
        if let Some((pixels, path)) =
            stream::decode_reduced(input, dims, target, factor, limits, scratch)?
        {
            return Ok((pixels, (width, height), path));
        }
    } else {
        drop(dims);
    }
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| read_error(input, e))?;
    let pixels = decode_full(input, source, Some(limits))?.into_rgb8();
    Ok((pixels, (width, height), DecodePath::Full))
}

pub(crate) use stream::Scratch;
