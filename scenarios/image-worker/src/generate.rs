//! Seeded inputs: photograph-like images (smooth gradients, soft-edged
//! shapes, low-frequency shading and per-pixel grain), deterministic from a
//! seed, in mixed sizes, written as JPEG or PNG.
//!
//! A [`Scene`] renders any row on demand ([`Scene::fill_row`]), so a
//! 100-megapixel PNG can be written row by row ([`write_png_rows`]) without
//! holding the image. [`bomb_png`] and [`truncate`] make the bad inputs the
//! tests feed the worker. Nothing here reads the clock or the OS's
//! randomness.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use image::{ExtendedColorType, RgbImage};
use perflab_kit::mix64;

use crate::decode::InputFormat;
use crate::job::OutputFormat;
use crate::ops;

/// The default largest image of a generated set, in megapixels.
pub const DEFAULT_MAX_MEGAPIXELS: f64 = 24.0;
/// The smallest image of a generated set, in megapixels.
pub const MIN_MEGAPIXELS: f64 = 0.05;
/// Quality of generated JPEGs.
pub const INPUT_JPEG_QUALITY: u8 = 90;

pub use perflab_kit::SplitMix64;

/// Uniform in `[0, 1)`, as the `f32` the scene arithmetic uses.
fn unit(rng: &mut SplitMix64) -> f32 {
    rng.unit() as f32
}

fn range(rng: &mut SplitMix64, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * unit(rng)
}

#[derive(Debug, Clone)]
struct Shape {
    ellipse: bool,
    cx: f32,
    cy: f32,
    rx: f32,
    ry: f32,
    colour: [f32; 3],
    alpha: f32,
}

/// One generated picture, renderable row by row.
#[derive(Debug, Clone)]
pub struct Scene {
    width: u32,
    height: u32,
    seed: u64,
    corners: [[f32; 3]; 4],
    shapes: Vec<Shape>,
    /// Shading lattice (`grid × grid` values in 0.8..1.2).
    lattice: Vec<f32>,
    grid: usize,
    grain: f32,
}

impl Scene {
    pub fn new(seed: u64, width: u32, height: u32) -> Scene {
        let mut rng = SplitMix64::new(seed);
        let colour = |rng: &mut SplitMix64| [0; 3].map(|_: u8| range(rng, 20.0, 235.0));
        let corners = [(); 4].map(|_| colour(&mut rng));
        let (w, h) = (width as f32, height as f32);
        let count = 4 + (rng.next_u64() % 9) as usize;
        let shapes = (0..count)
            .map(|_| Shape {
                ellipse: unit(&mut rng) < 0.6,
                cx: range(&mut rng, 0.0, w),
                cy: range(&mut rng, 0.0, h),
                rx: range(&mut rng, 0.03, 0.3) * w,
                ry: range(&mut rng, 0.03, 0.3) * h,
                colour: colour(&mut rng),
                alpha: range(&mut rng, 0.5, 1.0),
            })
            .collect();
        let grid = 6;
        let lattice = (0..grid * grid)
            .map(|_| range(&mut rng, 0.8, 1.2))
            .collect();
        Scene {
            width,
            height,
            seed,
            corners,
            shapes,
            lattice,
            grid,
            grain: range(&mut rng, 2.0, 8.0),
        }
    }

    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn shade(&self, u: f32, v: f32) -> f32 {
        let g = (self.grid - 1) as f32;
        let (fx, fy) = (u * g, v * g);
        let (ix, iy) = (
            (fx as usize).min(self.grid - 2),
            (fy as usize).min(self.grid - 2),
        );
        let smooth = |t: f32| t * t * (3.0 - 2.0 * t);
        let (tx, ty) = (smooth(fx - ix as f32), smooth(fy - iy as f32));
        let at = |x: usize, y: usize| self.lattice[y * self.grid + x];
        let top = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * tx;
        let bottom = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * tx;
        top + (bottom - top) * ty
    }

    /// Writes row `y` as RGB into `row` (`3 × width` bytes); `work` is
    /// reused scratch space.
    pub fn fill_row(&self, y: u32, row: &mut [u8], work: &mut Vec<[f32; 3]>) {
        let (w, h) = (self.width as usize, self.height as f32);
        let v = (y as f32 + 0.5) / h;
        work.clear();
        let [c0, c1, c2, c3] = self.corners;
        for x in 0..w {
            let u = (x as f32 + 0.5) / w as f32;
            let s = self.shade(u, v);
            work.push([0, 1, 2].map(|c| {
                let top = c0[c] + (c1[c] - c0[c]) * u;
                let bottom = c2[c] + (c3[c] - c2[c]) * u;
                (top + (bottom - top) * v) * s
            }));
        }
        let yc = y as f32 + 0.5;
        for shape in &self.shapes {
            let dy = (yc - shape.cy) / shape.ry;
            if dy.abs() > 1.0 + 2.0 / shape.ry {
                continue;
            }
            let x0 = (shape.cx - shape.rx - 2.0).max(0.0) as usize;
            let x1 = ((shape.cx + shape.rx + 2.0).max(0.0) as usize).min(w);
            let soft = shape.rx.min(shape.ry) / 1.5;
            for (x, px) in work.iter_mut().enumerate().take(x1).skip(x0) {
                let dx = (x as f32 + 0.5 - shape.cx) / shape.rx;
                let inside = if shape.ellipse {
                    1.0 - (dx * dx + dy * dy).sqrt()
                } else {
                    1.0 - dx.abs().max(dy.abs())
                };
                let a = (inside * soft).clamp(0.0, 1.0) * shape.alpha;
                if a > 0.0 {
                    for (p, s) in px.iter_mut().zip(shape.colour) {
                        *p += (s - *p) * a;
                    }
                }
            }
        }
        for (x, px) in work.iter().enumerate() {
            // SplitMix64's output function as a hash: per-pixel noise from
            // a position, without a generator to carry along.
            let noise = mix64(self.seed ^ (u64::from(y) << 32) ^ x as u64);
            for c in 0..3 {
                let n = ((noise >> (c * 16)) & 0xffff) as f32 / 65535.0 - 0.5;
                row[x * 3 + c] = (px[c] + n * 2.0 * self.grain).round().clamp(0.0, 255.0) as u8;
            }
        }
    }

    /// The whole image.
    pub fn render(&self) -> RgbImage {
        let mut image = RgbImage::new(self.width, self.height);
        let stride = self.width as usize * 3;
        let mut work = Vec::new();
        for (y, row) in image.chunks_exact_mut(stride).enumerate() {
            self.fill_row(y as u32, row, &mut work);
        }
        image
    }
}

/// One image of a generated set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSpec {
    pub index: usize,
    pub width: u32,
    pub height: u32,
    pub format: InputFormat,
    pub seed: u64,
}

impl ImageSpec {
    pub fn scene(&self) -> Scene {
        Scene::new(self.seed, self.width, self.height)
    }

    pub fn file_name(&self) -> String {
        let ext = match self.format {
            InputFormat::Jpeg => "jpg",
            InputFormat::Png => "png",
        };
        format!("img-{:05}-{}x{}.{ext}", self.index, self.width, self.height)
    }

    /// The image rendered and encoded.
    pub fn encode(&self) -> Result<Vec<u8>, image::ImageError> {
        let image = self.scene().render();
        let format = match self.format {
            InputFormat::Jpeg => OutputFormat::Jpeg {
                quality: INPUT_JPEG_QUALITY,
            },
            InputFormat::Png => OutputFormat::Png,
        };
        ops::encode(
            image.as_raw(),
            self.width,
            self.height,
            ExtendedColorType::Rgb8,
            format,
        )
    }
}

/// `count` images between [`MIN_MEGAPIXELS`] and `max_megapixels`
/// (log-uniform), in common aspect ratios, 70 % JPEG and 30 % PNG.
pub fn plan(count: usize, seed: u64, max_megapixels: f64) -> Vec<ImageSpec> {
    const ASPECTS: [f64; 6] = [4.0 / 3.0, 3.0 / 2.0, 16.0 / 9.0, 1.0, 3.0 / 4.0, 2.0 / 3.0];
    let mut rng = SplitMix64::new(seed);
    let (lo, hi) = (MIN_MEGAPIXELS.ln(), max_megapixels.max(MIN_MEGAPIXELS).ln());
    (0..count)
        .map(|index| {
            let mp = (lo + (hi - lo) * rng.unit()).exp();
            let aspect = ASPECTS[(rng.next_u64() % ASPECTS.len() as u64) as usize];
            let width = ((mp * 1e6 * aspect).sqrt().round() as u32).max(1);
            let height = ((mp * 1e6 / aspect).sqrt().round() as u32).max(1);
            let format = if rng.unit() < 0.7 {
                InputFormat::Jpeg
            } else {
                InputFormat::Png
            };
            ImageSpec {
                index,
                width,
                height,
                format,
                seed: rng.next_u64(),
            }
        })
        .collect()
}

/// Why generating failed, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode {}", path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    #[error("cannot encode {} as PNG", path.display())]
    Png {
        path: PathBuf,
        #[source]
        source: png::EncodingError,
    },
}

/// Writes every image of `specs` into `dir` (created if missing).
pub fn write_set(dir: &Path, specs: &[ImageSpec]) -> Result<Vec<PathBuf>, GenerateError> {
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        path: dir.to_owned(),
        source,
    })?;
    specs
        .iter()
        .map(|spec| {
            let path = dir.join(spec.file_name());
            let bytes = spec.encode().map_err(|source| GenerateError::Encode {
                path: path.clone(),
                source,
            })?;
            std::fs::write(&path, bytes).map_err(|source| GenerateError::Io {
                path: path.clone(),
                source,
            })?;
            Ok(path)
        })
        .collect()
}

/// Writes `scene` as an 8-bit RGB PNG one row at a time: memory stays at
/// one row whatever the size.
pub fn write_png_rows(path: &Path, scene: &Scene) -> Result<(), GenerateError> {
    let io = |source| GenerateError::Io {
        path: path.to_owned(),
        source,
    };
    let png_error = |source| GenerateError::Png {
        path: path.to_owned(),
        source,
    };
    let file = BufWriter::new(File::create(path).map_err(io)?);
    let (width, height) = scene.dimensions();
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(png_error)?;
    let mut stream = writer.stream_writer().map_err(png_error)?;
    let mut row = vec![0u8; width as usize * 3];
    let mut work = Vec::new();
    for y in 0..height {
        scene.fill_row(y, &mut row, &mut work);
        std::io::Write::write_all(&mut stream, &row).map_err(io)?;
    }
    stream.finish().map_err(png_error)
}

/// A valid PNG header claiming `width × height` RGB pixels followed by a
/// few bytes of image data: a decompression bomb's shape without its bulk.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few zero bytes: far fewer rows than claimed.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(kind.iter().chain(data));
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32<'a>(bytes: impl Iterator<Item = &'a u8>) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The first `keep` of `bytes`: a truncated upload.
pub fn truncate(bytes: &[u8], keep: usize) -> Vec<u8> {
    bytes[..keep.min(bytes.len())].to_vec()
}
