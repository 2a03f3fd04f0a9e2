//! Structured logs: the subscriber the binary installs, and the slow-query
//! threshold.
//!
//! The request spans and the slow-query events are emitted by the library
//! whether or not anything listens; [`init_telemetry`] is what makes them
//! visible (text or JSON on stderr, filtered by `RUST_LOG`). It does not
//! install anything by itself: libraries and tests choose their own
//! subscriber.

use std::time::Duration;

use super::error::TelemetryError;
use super::otlp::Otlp;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Environment variable: statements slower than this many milliseconds are
/// logged at WARN; `0` logs every statement.
pub const SLOW_QUERY_ENV: &str = "DASHBOARD_SLOW_QUERY_MS";

/// Environment variable: `json` for one JSON object per line, anything
/// else (or unset) for human-readable text.
pub const LOG_FORMAT_ENV: &str = "DASHBOARD_LOG_FORMAT";

/// The slow-query threshold when [`SLOW_QUERY_ENV`] is unset.
pub const DEFAULT_SLOW_QUERY: Duration = Duration::from_millis(100);

/// The slow-query threshold from [`SLOW_QUERY_ENV`], else the default.
pub fn slow_query_threshold_from_env() -> Result<Duration, TelemetryError> {
    parse_slow_query(std::env::var(SLOW_QUERY_ENV).ok().as_deref())
}

fn parse_slow_query(value: Option<&str>) -> Result<Duration, TelemetryError> {
    match value.map(str::trim) {
        None | Some("") => Ok(DEFAULT_SLOW_QUERY),
        Some(v) => v
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| TelemetryError::BadMillis {
                name: SLOW_QUERY_ENV,
                value: v.to_owned(),
            }),
    }
}

/// What [`init_telemetry`] installed. Keep it alive until the process
/// ends; dropping it sends what OTLP export still buffers (blocking).
#[derive(Debug)]
#[must_use = "dropping the guard at once stops exporting"]
pub struct Telemetry {
    otlp: Option<Otlp>,
}

impl Telemetry {
    /// The OTLP pipelines, when the environment switched them on.
    pub fn otlp(&self) -> Option<&Otlp> {
        self.otlp.as_ref()
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(otlp) = self.otlp.take()
            && let Err(e) = otlp.shutdown()
        {
            eprintln!("warning: {e}: {}", source_text(&e));
        }
    }
}

fn source_text(e: &TelemetryError) -> String {
    std::error::Error::source(e)
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// Installs the global subscriber: `RUST_LOG` filter (default `info`),
/// text or JSON (see [`LOG_FORMAT_ENV`]) on stderr, and, when the `OTEL_*`
/// environment asks for it, OTLP export of the spans and of the request
/// metrics (see [`Otlp::from_env`]). Call it before
/// [`Service::connect`](crate::Service::connect), so the service's
/// metrics find the meter provider.
pub fn init_telemetry() -> Result<Telemetry, TelemetryError> {
    let otlp = Otlp::from_env()?;
    let filter = EnvFilter::builder()
        .with_default_directive(tracing::Level::INFO.into())
        .from_env()?;
    let json = std::env::var(LOG_FORMAT_ENV).is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // Colours only for a person: not in files, pipes or CI logs.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let text_layer = (!json).then(|| {
        tracing_subscriber::fmt::layer()
            .with_ansi(ansi)
            .with_writer(std::io::stderr)
    });
    let json_layer = json.then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
    });
    let otel_layer = otlp.as_ref().map(Otlp::layer);
    tracing_subscriber::registry()
        .with(filter)
        .with(text_layer)
        .with(json_layer)
        .with(otel_layer)
        .try_init()?;
    if let Some(otlp) = &otlp {
        otlp.install_meter_provider();
    }
    Ok(Telemetry { otlp })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_query_threshold_parses() {
        assert_eq!(parse_slow_query(None).unwrap(), DEFAULT_SLOW_QUERY);
        assert_eq!(parse_slow_query(Some("0")).unwrap(), Duration::ZERO);
        assert_eq!(
            parse_slow_query(Some(" 250 ")).unwrap(),
            Duration::from_millis(250)
        );
        let e = parse_slow_query(Some("fast")).unwrap_err();
        assert!(e.to_string().contains("DASHBOARD_SLOW_QUERY_MS"), "{e}");
    }
}
