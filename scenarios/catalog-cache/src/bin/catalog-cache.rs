//! `catalog-cache`: seed a catalog, or serve it (either variant).
//!
//! ```text
//! catalog-cache seed  --database sqlite://catalog.db [--products 100000]
//! catalog-cache serve --database sqlite://catalog.db [--variant optimized]
//!                     [--redis redis://127.0.0.1:6379] [--listen 127.0.0.1:8080]
//! ```

use std::process::ExitCode;

use catalog_cache::{CacheConfig, Catalog, CatalogSpec, Db, Variant, seed, service};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "catalog-cache",
    about = "perflab's catalog-cache scenario: seed or serve a product catalog"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Replace the catalog tables at DATABASE with a seeded catalog.
    Seed {
        /// sqlite://FILE (created) or postgres://… (feature `postgres`).
        #[arg(long, env = "DATABASE_URL")]
        database: String,
        /// Products to seed (50 categories, about 10 sales each).
        #[arg(long, default_value_t = 100_000)]
        products: u32,
    },
    /// Serve the catalog over HTTP.
    Serve {
        #[arg(long, env = "DATABASE_URL")]
        database: String,
        /// naive or optimized.
        #[arg(long, default_value = "optimized")]
        variant: String,
        /// L2 (optimized only); without it the cache is in process only.
        #[arg(long, env = "REDIS_URL")]
        redis: Option<String>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Leave freshness to the TTLs: no invalidation on writes.
        #[arg(long)]
        ttl_only: bool,
        /// Skip warming the critical keys at start.
        #[arg(long)]
        no_warm: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("catalog-cache: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalog-cache: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Seed { database, products } => {
            if products == 0 {
                anyhow::bail!("--products must be at least 1");
            }
            let spec = CatalogSpec {
                products,
                ..CatalogSpec::default_scale()
            };
            eprintln!("seeding {products} products into {database} …");
            let stats = seed(&database, &spec).await?;
            eprintln!(
                "seeded {} categories, {} products, {} sales, {} reviews in {:.1} s",
                stats.categories,
                stats.products,
                stats.sales,
                stats.reviews,
                stats.elapsed.as_secs_f64()
            );
            Ok(())
        }
        Command::Serve {
            database,
            variant,
            redis,
            listen,
            ttl_only,
            no_warm,
        } => {
            let variant: Variant = variant
                .parse()
                .map_err(|e| anyhow::anyhow!("--variant: {e}"))?;
            let mut config = match &redis {
                Some(url) => CacheConfig::with_redis(url),
                None => CacheConfig::default(),
            };
            config.events = !ttl_only;
            config.warm_at_start = !no_warm;
            let db = Db::connect(&database)?;
            let catalog = Catalog::start(variant, db, config).await?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| anyhow::anyhow!("--listen {listen}: {e}"))?;
            eprintln!(
                "serving the {variant} catalog on http://{} (L2: {})",
                listener.local_addr()?,
                redis.as_deref().unwrap_or("none")
            );
            service::serve(listener, service::router(catalog)).await?;
            Ok(())
        }
    }
}
