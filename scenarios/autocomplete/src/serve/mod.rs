//! `autocomplete serve`: the HTTP service.

/// Options of `autocomplete serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

/// Runs the service until interrupted.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("serving on {} is not implemented yet", args.addr)
}
