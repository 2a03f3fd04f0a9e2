//! `dashboard`: seed the scenario's databases, serve either variant, and
//! explain the statements a variant issues.
//!
//! Exit codes: 0 success, 2 error.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use dashboard::{Dataset, Service, Variant};

#[derive(Debug, Parser)]
#[command(
    name = "dashboard",
    about = "perflab dashboard scenario: seed, serve and explain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Seed a data set: DIR/naive.sqlite and DIR/optimized.sqlite, or one
    /// database at --database-url migrated for --variant.
    Seed {
        /// Number of users.
        #[arg(long, default_value_t = Dataset::DEFAULT_USERS, env = "DASHBOARD_USERS")]
        users: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42, env = "DASHBOARD_SEED")]
        seed: u64,
        /// Directory for the two SQLite files.
        #[arg(long, default_value = "target/dashboard", env = "DASHBOARD_DIR")]
        dir: PathBuf,
        /// Seed this database instead (e.g. postgres://…), for --variant.
        #[arg(long, env = "DATABASE_URL", requires = "variant")]
        database_url: Option<String>,
        /// The variant whose indexes --database-url gets.
        #[arg(long)]
        variant: Option<Variant>,
    },
    /// Serve GET /users/{id}/dashboard; prints the bound address.
    Serve {
        /// naive or optimized.
        #[arg(long, env = "DASHBOARD_VARIANT")]
        variant: Variant,
        /// Address to listen on (loopback unless you say otherwise).
        #[arg(long, default_value = "127.0.0.1:8080", env = "DASHBOARD_ADDR")]
        addr: SocketAddr,
        /// Directory of the seeded SQLite files.
        #[arg(long, default_value = "target/dashboard", env = "DASHBOARD_DIR")]
        dir: PathBuf,
        /// Serve this database instead (e.g. postgres://…).
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
    },
    /// EXPLAIN and time every statement a variant issues per request.
    Explain {
        /// naive or optimized.
        #[arg(long, env = "DASHBOARD_VARIANT")]
        variant: Variant,
        /// Directory of the seeded SQLite files.
        #[arg(long, default_value = "target/dashboard", env = "DASHBOARD_DIR")]
        dir: PathBuf,
        /// Analyse this database instead (e.g. postgres://…).
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// Runs per statement whose median is reported.
        #[arg(long, default_value_t = dashboard::EXPLAIN_RUNS)]
        runs: u32,
        /// Print the report as JSON (the shape perflab-findings reads).
        #[arg(long)]
        json: bool,
    },
}

fn url_of(dir: &std::path::Path, variant: Variant, url: Option<String>) -> String {
    url.unwrap_or_else(|| dashboard::sqlite_url(&dir.join(format!("{}.sqlite", variant.name()))))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Seed {
            users,
            seed,
            dir,
            database_url,
            variant,
        } => {
            let dataset = Dataset {
                seed,
                ..Dataset::with_users(users)
            };
            let started = Instant::now();
            let stats = match (database_url, variant) {
                (Some(url), Some(variant)) => {
                    let stats = dashboard::seed(&url, &dataset).await?;
                    dashboard::migrate(&url, variant).await?;
                    println!("seeded {url} for {variant}");
                    stats
                }
                _ => {
                    let (pair, stats) = dashboard::seed_sqlite_pair(&dir, &dataset).await?;
                    for v in Variant::ALL {
                        let path = pair.path(v);
                        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                        println!("{v}: {} ({:.1} MB)", path.display(), size as f64 / 1e6);
                    }
                    stats
                }
            };
            println!(
                "{} users, {} products, {} events, {} orders, {} items ({} child rows); \
                 inserts {:.2} s, total {:.2} s",
                stats.users,
                stats.products,
                stats.events,
                stats.orders,
                stats.items,
                stats.child_rows(),
                stats.elapsed.as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Serve {
            variant,
            addr,
            dir,
            database_url,
        } => {
            // Logs (RUST_LOG, DASHBOARD_LOG_FORMAT), the slow-query log and, when
            // OTEL_* asks for it, OTLP export; before connecting, so the service's
            // metrics reach the OTLP meter. Dropping the guard flushes.
            let _telemetry = dashboard::init_telemetry()?;
            let url = url_of(&dir, variant, database_url);
            let service = Service::connect(variant, &url).await?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            println!(
                "listening on http://{} ({variant}, {url})",
                listener.local_addr()?
            );
            tokio::select! {
                result = dashboard::serve(listener, service.router()) => result.context("server failed")?,
                // Ctrl-C ends the server gracefully so telemetry is flushed.
                _ = tokio::signal::ctrl_c() => eprintln!("interrupted: shutting down"),
            }
        }
        Command::Explain {
            variant,
            dir,
            database_url,
            runs,
            json,
        } => {
            let url = url_of(&dir, variant, database_url);
            let report = dashboard::explain(variant, &url, runs).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", dashboard::render_report(&report));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
