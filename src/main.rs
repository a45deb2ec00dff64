//! `terraform-provider-replication`: parse flags and environment, then serve.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_replication::{engine, logging, protocol, topology};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut mode = protocol::Mode::Plugin;
    for a in &args {
        match a.as_str() {
            "--version" | "-v" | "version" => {
                println!(
                    "terraform-provider-replication {}",
                    env!("CARGO_PKG_VERSION")
                );
                return ExitCode::SUCCESS;
            }
            "--debug" => mode = protocol::Mode::Debug,
            "--help" | "-h" => {
                print!("{}", protocol::RUN_BY_HAND);
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument: {other}\n\n{}", protocol::RUN_BY_HAND);
                return ExitCode::from(2);
            }
        }
    }
    if mode == protocol::Mode::Plugin
        && std::env::var(protocol::MAGIC_COOKIE_KEY).as_deref() != Ok(protocol::MAGIC_COOKIE_VALUE)
    {
        eprint!("{}", protocol::RUN_BY_HAND);
        return ExitCode::from(1);
    }
    logging::init();
    // SDK futures are large; debug builds need more than the default 2 MiB.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let engine: Arc<engine::Engine> =
        Arc::new(engine::Server::new(topology::ReplicationProvider::default()));
    match runtime.block_on(protocol::serve(engine, mode)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped");
            eprintln!("terraform-provider-replication: {e}");
            ExitCode::from(1)
        }
    }
}
