//! The wire edge: go-plugin handshake, AutoMTLS, the tonic services, and the
//! conversions between protobuf messages and the [`crate::tf`] vocabulary.
//!
//! Private rooms: `listen` (socket and accept loop), `tls` (AutoMTLS),
//! `service` (the tonic services), `convert` (protobuf <-> `tf`). Generated
//! protobuf types live in the private `pb` module and never leave this
//! module; everything past `convert` speaks `tf::Value` and friends. The
//! public surface is [`serve`], its [`Mode`] and errors, and the constants
//! `main` needs to recognise a host.

mod convert;
mod listen;
mod service;
mod tls;

pub use tls::TlsError;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;

use listen::{incoming, Listener, ACCEPT_LIMITS};

use crate::engine::Engine;

// Generated code: its lints are not ours, and it has parts we do not use.
#[allow(clippy::all, missing_docs, unreachable_pub, dead_code)]
mod pb {
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

/// go-plugin's magic cookie for Terraform providers.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its expected value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The provider's source address, as used in reattach JSON and docs.
const PROVIDER_ADDRESS: &str = "registry.terraform.io/replication/replication";
/// gRPC messages up to this size are accepted (Terraform's own limit is 256 MiB).
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// How the process was asked to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Launched by Terraform / OpenTofu through go-plugin.
    Plugin,
    /// `--debug`: no TLS, print `TF_REATTACH_PROVIDERS` for a debugger session.
    Debug,
}

/// Errors that stop the server before or while serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Run by hand without the host's magic cookie.
    #[error("not launched by Terraform")]
    NotLaunchedByHost,
    /// The host's client certificate is missing, unreadable, or not a
    /// certificate (the message names `PLUGIN_CLIENT_CERT`).
    #[error("{0}")]
    ClientCert(#[source] TlsError),
    /// Generating our certificate or building the TLS configuration failed.
    #[error("preparing TLS: {0}")]
    Tls(#[source] TlsError),
    /// The directory the host named in `PLUGIN_UNIX_SOCKET_DIR` cannot hold
    /// the plugin's socket.
    #[error("PLUGIN_UNIX_SOCKET_DIR ({}) cannot hold the plugin socket: {source}", .dir.display())]
    SocketDir {
        /// The directory the host named.
        dir: PathBuf,
        /// Why the socket could not be made there.
        #[source]
        source: std::io::Error,
    },
    /// Binding the listener failed.
    #[error("listening: {0}")]
    Listen(std::io::Error),
    /// The gRPC server failed.
    #[error("serving gRPC: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// The explanation printed when the binary is run by hand.
pub const RUN_BY_HAND: &str = "This binary is a plugin for Terraform and OpenTofu. \
It is not meant to be run directly:\nplace it where `terraform init` finds it \
(see `make install`) or in a CLI configuration's dev_overrides, then run terraform.\n\
To run it under a debugger, start it with --debug and set TF_REATTACH_PROVIDERS as it prints.\n";

/// Serves the engine until the host calls Shutdown (or, in debug mode, until
/// SIGINT/SIGTERM).
pub async fn serve(engine: Arc<Engine>, mode: Mode) -> Result<(), ServeError> {
    if mode == Mode::Plugin && std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE)
    {
        return Err(ServeError::NotLaunchedByHost);
    }
    // The host's certificate is checked before anything is bound: a bad one
    // ends the run at once, with a message, instead of a handshake that
    // can never succeed.
    let client = match mode {
        Mode::Plugin => {
            let pem = std::env::var("PLUGIN_CLIENT_CERT").unwrap_or_default();
            Some(tls::client_cert_from_pem(&pem).map_err(ServeError::ClientCert)?)
        }
        Mode::Debug => None,
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let listener = Listener::bind()?;
    let (network, address) = listener.address();

    let router = service::router(engine, shutdown.clone());
    let stop = shutdown.clone();

    match client {
        Some(client) => {
            // The host cancels through StopProvider and then Shutdown; a
            // Ctrl-C in the terminal reaches us too and must not kill us.
            tokio::spawn(async {
                loop {
                    if tokio::signal::ctrl_c().await.is_err() {
                        break;
                    }
                }
            });
            let identity = tls::ServerIdentity::generate().map_err(ServeError::Tls)?;
            let config = Arc::new(tls::server_config(&identity, client).map_err(ServeError::Tls)?);
            let cert = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&identity.cert_der);
            print_first_line(&format!("1|6|{network}|{address}|grpc|{cert}"));
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            let incoming = incoming(listener, Some(acceptor), ACCEPT_LIMITS);
            let server =
                router.serve_with_incoming_shutdown(incoming, stop.clone().cancelled_owned());
            with_grace(server, stop).await?;
        }
        None => {
            let reattach = serde_json::json!({
                PROVIDER_ADDRESS: {
                    "Protocol": "grpc",
                    "ProtocolVersion": 6,
                    "Pid": std::process::id(),
                    "Test": true,
                    "Addr": {"Network": network, "String": address},
                }
            });
            print_first_line(&format!(
                "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n"
            ));
            let signal_stop = stop.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                signal_stop.cancel();
            });
            let incoming = incoming(listener, None, ACCEPT_LIMITS);
            let server =
                router.serve_with_incoming_shutdown(incoming, stop.clone().cancelled_owned());
            with_grace(server, stop).await?;
        }
    }
    Ok(())
}

/// How long open connections may finish after Shutdown before the process
/// exits anyway (go-plugin kills a plugin that takes longer than 2 s).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Runs the server; once shutdown is requested, waits at most
/// [`SHUTDOWN_GRACE`] for connections the host has not closed yet.
async fn with_grace<F>(
    server: F,
    stop: tokio_util::sync::CancellationToken,
) -> Result<(), tonic::transport::Error>
where
    F: std::future::Future<Output = Result<(), tonic::transport::Error>>,
{
    tokio::select! {
        r = server => r,
        () = async { stop.cancelled().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {
            tracing::debug!("connections still open after shutdown: closing them");
            Ok(())
        }
    }
}

fn print_first_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
