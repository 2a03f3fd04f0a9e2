//! What a job asks for ([`Job`]), what it yields ([`JobOutput`], with the
//! [`DecodePath`] its pixels took) and how it fails ([`JobError`]). Both
//! variants take and return exactly these types. Data only: decoding and
//! image operations (`decode`, `ops`) use these types, never the reverse.
//!
//! Every error names the input (file path or the name given to in-memory
//! bytes) and, where it matters, the thumbnail or field, so a failed row in
//! the store says which upload was bad and why.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::store::StoreError;

/// Where a job's image comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum JobInput {
    /// A JPEG or PNG file.
    Path(PathBuf),
    /// Encoded bytes already in memory (an upload), with a name for errors,
    /// the store and the naive variant's cache key.
    Bytes { name: String, bytes: Arc<[u8]> },
}

impl JobInput {
    /// The name used in errors, the store and cache keys.
    pub fn name(&self) -> String {
        match self {
            JobInput::Path(path) => path.display().to_string(),
            JobInput::Bytes { name, .. } => name.clone(),
        }
    }
}

impl fmt::Debug for JobInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobInput::Path(path) => f.debug_tuple("Path").field(path).finish(),
            JobInput::Bytes { name, bytes } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("len", &bytes.len())
                .finish(),
        }
    }
}

/// How a thumbnail is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Baseline JPEG at this quality (1..=100).
    Jpeg {
        quality: u8,
    },
    Png,
}

impl OutputFormat {
    /// The file extension and the store's `format` column.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Jpeg { .. } => "jpg",
            OutputFormat::Png => "png",
        }
    }
}

/// One output: the image scaled (never up) to fit `max_width × max_height`
/// with its aspect ratio kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub name: String,
    pub max_width: u32,
    pub max_height: u32,
    pub format: OutputFormat,
}

impl Thumbnail {
    pub fn new(name: &str, max_side: u32, format: OutputFormat) -> Self {
        Thumbnail {
            name: name.to_owned(),
            max_width: max_side,
            max_height: max_side,
            format,
        }
    }
}

/// Unsharp masking applied to each thumbnail after resizing
/// ([`image::imageops::unsharpen`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sharpen {
    pub sigma: f32,
    pub threshold: i32,
}

/// Colour conversion applied to each thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colour {
    /// RGB, 8 bits per channel (alpha is dropped, 16-bit is reduced).
    #[default]
    Rgb,
    /// 8-bit luma.
    Grayscale,
}

/// What is done to every thumbnail after resizing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Adjust {
    pub sharpen: Option<Sharpen>,
    pub colour: Colour,
}

/// One unit of work.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub input: JobInput,
    pub thumbnails: Vec<Thumbnail>,
    pub adjust: Adjust,
}

impl Job {
    /// The usual job of an upload service: a 1024 px JPEG preview, a 256 px
    /// JPEG thumbnail and a 64 px PNG icon, lightly sharpened.
    pub fn standard(input: JobInput) -> Self {
        Job {
            input,
            thumbnails: vec![
                Thumbnail::new("preview", 1024, OutputFormat::Jpeg { quality: 85 }),
                Thumbnail::new("thumb", 256, OutputFormat::Jpeg { quality: 85 }),
                Thumbnail::new("icon", 64, OutputFormat::Png),
            ],
            adjust: Adjust {
                sharpen: Some(Sharpen {
                    sigma: 0.8,
                    threshold: 2,
                }),
                colour: Colour::Rgb,
            },
        }
    }
}

/// One encoded thumbnail.
#[derive(Clone, PartialEq, Eq)]
pub struct OutputImage {
    pub name: String,
    pub format: OutputFormat,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for OutputImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputImage")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// How the pixels of a job were obtained (the decoders in `decode` say
/// which path they took; a job's output records it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodePath {
    /// The whole image at full size.
    Full,
    /// JPEG decoded at 1/`denominator` size through a reduced IDCT.
    JpegDct { denominator: u32 },
    /// PNG decoded row by row, averaged over `factor × factor` blocks.
    PngBox { factor: u32 },
}

/// What a successful job produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutput {
    /// The job's row id in the store.
    pub store_id: i64,
    /// 0-based index of the job in this worker.
    pub job_index: u64,
    pub input: String,
    pub source_width: u32,
    pub source_height: u32,
    /// How the pixels were decoded (whole, or downscaled while decoding).
    pub decode_path: DecodePath,
    pub outputs: Vec<OutputImage>,
}

/// Why a job failed. All but [`JobError::Crashed`] fail only their own
/// job; the worker goes on with the next.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The input file could not be read.
    #[error("cannot read input {input}")]
    Read {
        input: String,
        #[source]
        source: std::io::Error,
    },
    /// The input is neither JPEG nor PNG.
    #[error("input {input} is neither a JPEG nor a PNG file")]
    UnknownFormat { input: String },
    /// The header claims more pixels than the decode limits allow
    /// (a decompression bomb, or simply too large).
    #[error("input {input} claims {width}x{height} pixels: {reason}")]
    TooLarge {
        input: String,
        width: u64,
        height: u64,
        reason: String,
    },
    /// The decoder stopped at a limit it checks while decoding (the
    /// optimized variant's allocation limit on a full-size decode).
    #[error("decoding input {input} ({format}) would pass a decode limit: {reason}")]
    Refused {
        input: String,
        format: &'static str,
        reason: String,
    },
    /// The file is corrupt or truncated.
    #[error("cannot decode input {input} ({format})")]
    Decode {
        input: String,
        format: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The job asks for something impossible.
    #[error("job for input {input}: {field} {problem}")]
    BadJob {
        input: String,
        field: &'static str,
        problem: String,
    },
    /// Encoding a thumbnail failed.
    #[error("cannot encode thumbnail {thumbnail:?} of input {input}")]
    Encode {
        input: String,
        thumbnail: String,
        #[source]
        source: image::ImageError,
    },
    /// Writing an output file failed.
    #[error("cannot write output {} of input {input}", path.display())]
    Write {
        input: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Recording the job in the store failed.
    #[error("cannot record job {job_index} (input {input}) in the store")]
    Store {
        input: String,
        job_index: u64,
        #[source]
        source: StoreError,
    },
    /// The process passed its memory cap: what the OOM killer would have
    /// done. The worker refuses every later job.
    #[error(
        "worker crashed (out of memory) at job {job_index}: RSS {rss} bytes{}, cap {cap} bytes",
        live_heap.map(|h| format!(", live heap {h} bytes")).unwrap_or_default()
    )]
    Crashed {
        job_index: u64,
        rss: u64,
        live_heap: Option<u64>,
        cap: u64,
    },
}

impl JobError {
    /// Whether the worker cannot go on after this error.
    pub fn is_fatal(&self) -> bool {
        matches!(self, JobError::Crashed { .. })
    }

    /// The message and every cause, `": "`-separated, as the store keeps it.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            text.push_str(": ");
            text.push_str(&e.to_string());
            cause = e.source();
        }
        text
    }
}
