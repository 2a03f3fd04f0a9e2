//! How close two encoded thumbnails are: PSNR and mean absolute difference
//! over their decoded pixels.
//!
//! The tolerance: when the optimized variant decodes at reduced size (a box
//! filter over PNG rows, or JPEG's reduced IDCT, with another JPEG decoder
//! than the `image` crate's) and then resizes, its thumbnails are not
//! bit-identical to resizing the full image in one triangle-filter pass.
//! Both are averages over the same source area, so the pixels differ by a
//! level or two; re-encoding as JPEG at quality 80-85 then lets that small
//! difference move quantisation decisions, which is where most of the
//! remaining difference comes from. Over about 110 generated images (0.1
//! to 1.3 megapixels, both input formats, sharpened or not, grey or RGB,
//! thumbnails of 128, 48 and 16 px) the worst thumbnail was 34.5 dB PSNR
//! and 3.0 mean absolute difference (48 px JPEGs at quality 80, from a 1/4
//! DCT decode or a 4x4 box); most were above 38 dB. Reducing further while
//! decoding (to 1.5 times the thumbnail instead of 2) brought the worst to
//! 32.5 dB and 3.7, which is why the optimized variant stops at twice. We require a PSNR of at least [`TOLERANCE_PSNR_DB`]
//! and a mean absolute difference of at most [`TOLERANCE_MEAN_ABS`] (on
//! the 0..=255 scale): a margin of 2.5 dB and one level below the worst
//! seen, still far below what shows at thumbnail size. When the optimized variant decodes
//! the whole image the pipelines are the same and the bytes must be
//! identical.

/// Minimum PSNR between the variants' thumbnails on the downscaling path.
pub const TOLERANCE_PSNR_DB: f64 = 32.0;

/// Maximum mean absolute difference per sample (0..=255 scale).
pub const TOLERANCE_MEAN_ABS: f64 = 4.0;

/// How far apart two images are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Peak signal-to-noise ratio in dB (`f64::INFINITY` when identical).
    pub psnr_db: f64,
    /// Mean absolute difference per sample.
    pub mean_abs: f64,
}

impl Similarity {
    /// Within the documented tolerance.
    pub fn within_tolerance(&self) -> bool {
        self.psnr_db >= TOLERANCE_PSNR_DB && self.mean_abs <= TOLERANCE_MEAN_ABS
    }
}

/// Why two images cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("cannot decode output {name:?}")]
    Decode {
        name: String,
        #[source]
        source: image::ImageError,
    },
    #[error("output {name:?} is {a:?} in one variant and {b:?} in the other")]
    Dimensions {
        name: String,
        a: (u32, u32),
        b: (u32, u32),
    },
}

/// PSNR and mean absolute difference of two equal-length sample slices.
pub fn similarity(a: &[u8], b: &[u8]) -> Similarity {
    assert_eq!(a.len(), b.len(), "comparing buffers of different lengths");
    let (mut squared, mut absolute) = (0u64, 0u64);
    for (&x, &y) in a.iter().zip(b) {
        let d = u64::from(x.abs_diff(y));
        squared += d * d;
        absolute += d;
    }
    let n = a.len().max(1) as f64;
    let mse = squared as f64 / n;
    let psnr_db = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    };
    Similarity {
        psnr_db,
        mean_abs: absolute as f64 / n,
    }
}

/// Decodes two encoded images (JPEG or PNG) and compares them as RGB.
pub fn compare_encoded(name: &str, a: &[u8], b: &[u8]) -> Result<Similarity, CompareError> {
    let decode = |bytes: &[u8]| {
        image::load_from_memory(bytes)
            .map(|i| i.into_rgb8())
            .map_err(|source| CompareError::Decode {
                name: name.to_owned(),
                source,
            })
    };
    let (a, b) = (decode(a)?, decode(b)?);
    if a.dimensions() != b.dimensions() {
        return Err(CompareError::Dimensions {
            name: name.to_owned(),
            a: a.dimensions(),
            b: b.dimensions(),
        });
    }
    Ok(similarity(a.as_raw(), b.as_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_infinite_and_one_step_is_48_db() {
        let a = [10u8; 100];
        assert_eq!(similarity(&a, &a).psnr_db, f64::INFINITY);
        let b = [11u8; 100];
        let s = similarity(&a, &b);
        assert!((s.psnr_db - 48.13).abs() < 0.01, "{s:?}");
        assert_eq!(s.mean_abs, 1.0);
    }
}
