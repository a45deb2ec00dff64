//! `aurora-emulator` binary: parse flags, start the server, print
//! `listening on ADDR`, stop cleanly on SIGINT/SIGTERM.

use aurora_emulator::EmulatorConfig;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

const USAGE: &str =
    "usage: aurora-emulator [--listen 127.0.0.1:4566] [--time-scale 0.01] [--state-file PATH]";

fn parse_args() -> Result<(SocketAddr, EmulatorConfig), String> {
    let mut listen: SocketAddr = "127.0.0.1:4566".parse().map_err(|e| format!("{e}"))?;
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match name.as_str() {
            "--listen" => {
                listen = value()?
                    .parse()
                    .map_err(|e| format!("--listen: {e}\n{USAGE}"))?
            }
            "--time-scale" => {
                let v: f64 = value()?
                    .parse()
                    .map_err(|e| format!("--time-scale: {e}\n{USAGE}"))?;
                if !v.is_finite() || v < 0.0 {
                    return Err(format!(
                        "--time-scale must be a non-negative number\n{USAGE}"
                    ));
                }
                config.time_scale = v;
            }
            "--state-file" => config.state_file = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((listen, config))
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is
/// called, not when it is first polled: call it before announcing
/// readiness, so a supervisor that signals right after the ready line
/// still gets a clean shutdown (and the state file).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        );
        async move {
            match handlers {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[tokio::main]
async fn main() {
    let (listen, config) = match parse_args() {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    if !listen.ip().is_loopback() {
        eprintln!(
            "aurora-emulator: warning: --listen {listen} is not a loopback address: anyone who can reach it can read and change the emulated state (requests must still carry a loopback Host header)"
        );
    }
    let emulator = match aurora_emulator::start(listen, config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("aurora-emulator: cannot start on {listen}: {e}");
            std::process::exit(1);
        }
    };
    let stop = shutdown_signal();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", emulator.addr());
        let _ = out.flush();
    }
    stop.await;
    emulator.shutdown().await;
}
