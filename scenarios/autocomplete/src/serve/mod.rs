//! `autocomplete serve`: the index behind HTTP, with a search page.
//!
//! ```text
//! autocomplete serve [--index FILE | --terms FILE | --generate N]
//!                    [--variant naive|optimized] [--addr ADDR] [--max-k K]
//! ```
//!
//! * `GET /complete?q=ca&k=10&fuzzy=1` answers
//!   `{"query":"ca","k":10,"fuzzy":1,"suggestions":[{"text":..,"weight":..,"distance":..}]}`;
//!   a missing `q`, a bad `k` or `fuzzy`, an oversized `q` or one that is not
//!   UTF-8 is a 400 with `{"error": "...", "parameter": "..."}` (see
//!   [`parse_query`] for the exact rules).
//! * `GET /metrics` is Prometheus text (see the `metrics` module's docs).
//! * `GET /` is a search page compiled into the binary (plain HTML, JS and
//!   CSS, no build step, nothing loaded from elsewhere): it debounces typing,
//!   cancels stale requests and ignores late answers, and is driven by the
//!   keyboard as an ARIA combobox.
//!
//! [`router`] is generic over any [`Completer`] so tests and benches serve
//! either variant and can wrap the router in layers of their own. The
//! command-line options ([`ServeArgs`]) become a [`ServeConfig`] first, so
//! the checks live in one place. What it does not do: TLS, authentication,
//! reloading the index, or rate limiting (put a proxy in front for those).

mod error;
mod http;
mod metrics;
mod params;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use perflab_kit::Variant;

use crate::{
    Completer, IndexError, LoadError, Naive, Optimized, Term, generate, load_terms, workload,
};

pub use error::ErrorBody;
pub use http::{CompleteResponse, SuggestionBody, router};
pub use metrics::{CONTENT_TYPE, LATENCY_BUCKETS, QueryKind, UNMATCHED};
pub use params::{
    CompleteParams, DEFAULT_K, DEFAULT_MAX_K, Limits, LimitsError, ParamError, parse_query,
    percent_decode,
};

/// Options of `autocomplete serve`. Exactly one index source is required.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["index", "terms", "generate"])))]
pub struct ServeArgs {
    /// An index file written by `autocomplete build`.
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    /// A term list: one term per line, optional `<TAB>weight` or `,weight`.
    #[arg(long, value_name = "FILE")]
    pub terms: Option<PathBuf>,
    /// Serves N generated terms (the benches' generator and seed).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub generate: Option<u64>,
    /// Which variant answers: `naive` (linear scan) or `optimized` (trie).
    #[arg(long, default_value = "optimized", env = "AUTOCOMPLETE_VARIANT")]
    pub variant: Variant,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "AUTOCOMPLETE_ADDR")]
    pub addr: String,
    /// The largest `k` a request may ask for.
    #[arg(long, default_value_t = DEFAULT_MAX_K, env = "AUTOCOMPLETE_MAX_K")]
    pub max_k: usize,
}

/// Where the served index comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A mapped index file.
    Index(PathBuf),
    /// A term list to build from.
    Terms(PathBuf),
    /// This many terms from [`generate`] with [`workload::SEED`].
    Generate(usize),
}

/// What `autocomplete serve` runs, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeConfig {
    /// The index source.
    pub source: Source,
    /// The variant that answers.
    pub variant: Variant,
    /// Address to listen on.
    pub addr: String,
    /// Request limits.
    pub limits: Limits,
}

/// Why the index to serve could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No option named an index source.
    #[error("give one of --index FILE, --terms FILE or --generate N")]
    Missing,
    /// `--generate` asks for more terms than this machine can address.
    #[error("--generate {given}: too many terms for this platform")]
    TooMany {
        /// The count asked for.
        given: u64,
    },
    /// The index file was refused (the error names it).
    #[error("--index: {0}")]
    Index(#[from] IndexError),
    /// An index file holds the optimized variant's structure only.
    #[error(
        "--index {}: an index file serves the optimized variant only; --variant naive needs --terms FILE or --generate N",
        .path.display()
    )]
    NaiveFromIndex {
        /// The file asked for.
        path: PathBuf,
    },
    /// The term list could not be loaded. (The message includes the
    /// cause's, so it is not a `source` too: `{:#}` would say it twice.)
    #[error("--terms: {0}")]
    Terms(LoadError),
    /// `--max-k` is unusable.
    #[error("--max-k: {0}")]
    Limits(LimitsError),
}

impl From<LoadError> for SourceError {
    fn from(e: LoadError) -> Self {
        SourceError::Terms(e)
    }
}

impl From<LimitsError> for SourceError {
    fn from(e: LimitsError) -> Self {
        SourceError::Limits(e)
    }
}

impl TryFrom<ServeArgs> for ServeConfig {
    type Error = SourceError;

    fn try_from(args: ServeArgs) -> Result<Self, SourceError> {
        let source = match (args.index, args.terms, args.generate) {
            (Some(path), _, _) => Source::Index(path),
            (None, Some(path), _) => Source::Terms(path),
            (None, None, Some(n)) => {
                Source::Generate(usize::try_from(n).map_err(|_| SourceError::TooMany { given: n })?)
            }
            (None, None, None) => return Err(SourceError::Missing),
        };
        let defaults = Limits::default();
        // A smaller largest k lowers the default with it; 0 stays an error.
        let default_k = defaults.default_k().min(args.max_k).max(1);
        let limits = Limits::new(args.max_k, default_k, defaults.max_query_chars())?;
        Ok(Self {
            source,
            variant: args.variant,
            addr: args.addr,
            limits,
        })
    }
}

impl Source {
    /// The optimized index from this source.
    pub fn open_optimized(&self) -> Result<Optimized, SourceError> {
        match self {
            Source::Index(path) => open_index(path),
            _ => Ok(Optimized::build(self.terms()?)),
        }
    }

    /// The naive index from this source (not from an index file).
    pub fn open_naive(&self) -> Result<Naive, SourceError> {
        match self {
            Source::Index(path) => Err(SourceError::NaiveFromIndex { path: path.clone() }),
            _ => Ok(Naive::build(self.terms()?)),
        }
    }

    fn terms(&self) -> Result<Vec<Term>, SourceError> {
        match self {
            Source::Index(path) => Err(SourceError::NaiveFromIndex { path: path.clone() }),
            Source::Terms(path) => Ok(load_terms(path)?),
            Source::Generate(n) => Ok(generate(*n, workload::SEED)),
        }
    }
}

/// Maps an index file, checksum verified.
fn open_index(path: &Path) -> Result<Optimized, SourceError> {
    Ok(Optimized::open(path)?)
}

/// Runs the service until interrupted (Ctrl-C or SIGTERM), then lets the
/// requests in flight finish.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = ServeConfig::try_from(args)?;
    // Bind before building, so a taken port fails at once, not after
    // building a million terms.
    let listener = std::net::TcpListener::bind(&config.addr)
        .with_context(|| format!("listening on {}", config.addr))?;
    listener
        .set_nonblocking(true)
        .with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener
        .local_addr()
        .with_context(|| format!("listening on {}", config.addr))?;
    let started = Instant::now();
    let (app, terms) = match config.variant {
        Variant::Naive => app(config.source.open_naive()?, config.limits),
        Variant::Optimized => app(config.source.open_optimized()?, config.limits),
    };
    eprintln!(
        "autocomplete: {terms} terms ({}) ready in {:.2?}; serving http://{addr}/",
        config.variant,
        started.elapsed()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .with_context(|| format!("listening on {addr}"))?;
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .with_context(|| format!("serving on {addr}"))
    })
}

fn app<C: Completer + Send + Sync + 'static>(index: C, limits: Limits) -> (axum::Router, usize) {
    let terms = index.len();
    (router(Arc::new(index), limits), terms)
}

/// Ctrl-C, or SIGTERM where there are signals.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: never resolve, serve on.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn config(args: &[&str]) -> Result<ServeConfig, SourceError> {
        let argv = std::iter::once("serve").chain(args.iter().copied());
        let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        ServeConfig::try_from(cli.serve)
    }

    #[test]
    fn the_options_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exactly_one_source_is_required() {
        assert!(Cli::try_parse_from(["serve"]).is_err());
        assert!(Cli::try_parse_from(["serve", "--generate", "5", "--terms", "t"]).is_err());
        assert!(Cli::try_parse_from(["serve", "--generate", "0"]).is_err());
        let c = config(&["--generate", "5", "--max-k", "3"]).expect("valid");
        assert_eq!(c.source, Source::Generate(5));
        assert_eq!((c.limits.max_k(), c.limits.default_k()), (3, 3));
        assert_eq!(c.variant, Variant::Optimized);
        assert!(matches!(
            config(&["--generate", "5", "--max-k", "0"]),
            Err(SourceError::Limits(_))
        ));
    }

    #[test]
    fn index_files_say_what_they_need() {
        let optimized = config(&["--index", "/nonexistent/ix.bin"]).expect("valid");
        let err = optimized.source.open_optimized().expect_err("no such file");
        assert!(matches!(err, SourceError::Index(_)), "{err}");
        assert!(err.to_string().contains("ix.bin"), "{err}");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ix.bin");
        Optimized::build(generate(50, workload::SEED))
            .write(&path)
            .expect("write");
        let served = Source::Index(path)
            .open_optimized()
            .expect("a written index opens");
        assert_eq!(served.len(), 50);
        let naive = config(&["--index", "ix.bin", "--variant", "naive"]).expect("valid");
        let err = naive.source.open_naive().expect_err("never");
        assert!(matches!(err, SourceError::NaiveFromIndex { .. }), "{err}");
    }

    #[test]
    fn generated_and_loaded_terms_are_served() {
        let index = Source::Generate(50).open_naive().expect("generated");
        assert_eq!(index.len(), generate(50, workload::SEED).len());
        let err = Source::Terms("/nonexistent/terms.txt".into())
            .open_optimized()
            .expect_err("no such file");
        assert!(err.to_string().starts_with("--terms: "), "{err}");
        assert!(err.to_string().contains("/nonexistent/terms.txt"), "{err}");
    }
}
