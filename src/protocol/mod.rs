//! The wire edge: go-plugin handshake, AutoMTLS, the tonic services, and the
//! conversions between protobuf messages and the [`crate::tf`] vocabulary.
//!
//! Generated protobuf types live in the private `pb` module and never leave
//! this module; everything past [`convert`] speaks `tf::Value` and friends.

mod convert;
mod service;
mod tls;

pub use tls::TlsError;

use std::io::Write as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

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
    /// The host's client certificate is missing or unreadable.
    #[error("PLUGIN_CLIENT_CERT: {0}")]
    ClientCert(#[from] TlsError),
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
    let shutdown = tokio_util::sync::CancellationToken::new();
    let listener = Listener::bind().map_err(ServeError::Listen)?;
    let (network, address) = listener.address();

    let router = service::router(engine, shutdown.clone());
    let stop = shutdown.clone();

    match mode {
        Mode::Plugin => {
            // The host cancels through StopProvider and then Shutdown; a
            // Ctrl-C in the terminal reaches us too and must not kill us.
            tokio::spawn(async {
                loop {
                    if tokio::signal::ctrl_c().await.is_err() {
                        break;
                    }
                }
            });
            let pem = std::env::var("PLUGIN_CLIENT_CERT").unwrap_or_default();
            let client = tls::client_cert_from_pem(&pem)?;
            let identity = tls::ServerIdentity::generate()?;
            let config = Arc::new(tls::server_config(&identity, client)?);
            let cert = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&identity.cert_der);
            print_first_line(&format!("1|6|{network}|{address}|grpc|{cert}"));
            let incoming = incoming(listener, Some(tokio_rustls::TlsAcceptor::from(config)));
            let server =
                router.serve_with_incoming_shutdown(incoming, stop.clone().cancelled_owned());
            with_grace(server, stop).await?;
        }
        Mode::Debug => {
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
            let incoming = incoming(listener, None);
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

/// Where the plugin listens: a unix socket in a fresh private directory
/// (under `PLUGIN_UNIX_SOCKET_DIR` when the host sets it), or, when that
/// cannot be made, TCP on 127.0.0.1 within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`
/// as go-plugin allows.
enum Listener {
    /// The socket and the directory that holds it (removed on drop).
    Unix {
        listener: tokio::net::UnixListener,
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
    /// Loopback TCP.
    Tcp(tokio::net::TcpListener),
}

impl Listener {
    fn bind() -> std::io::Result<Self> {
        match Self::bind_unix() {
            Ok(l) => Ok(l),
            Err(e) => {
                tracing::debug!(error = %e, "no unix socket; falling back to TCP");
                Self::bind_tcp()
            }
        }
    }

    fn bind_unix() -> std::io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("plugin");
        let dir = match std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from) {
            Some(base) => builder.tempdir_in(base)?,
            None => builder.tempdir()?,
        };
        let path = dir.path().join("plugin.sock");
        let listener = tokio::net::UnixListener::bind(&path)?;
        Ok(Listener::Unix {
            listener,
            path,
            _dir: dir,
        })
    }

    fn bind_tcp() -> std::io::Result<Self> {
        let port = |name: &str, default: u16| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        let (min, max) = (
            port("PLUGIN_MIN_PORT", 10000),
            port("PLUGIN_MAX_PORT", 25000),
        );
        let mut last = std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "no free port in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT",
        );
        for p in min..=max {
            match std::net::TcpListener::bind(("127.0.0.1", p)) {
                Ok(l) => {
                    l.set_nonblocking(true)?;
                    return Ok(Listener::Tcp(tokio::net::TcpListener::from_std(l)?));
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// go-plugin's network name and address for the handshake line.
    fn address(&self) -> (&'static str, String) {
        match self {
            Listener::Unix { path, .. } => ("unix", path.display().to_string()),
            Listener::Tcp(l) => (
                "tcp",
                l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            ),
        }
    }

    async fn accept(&self) -> std::io::Result<Box<dyn Io>> {
        Ok(match self {
            Listener::Unix { listener, .. } => Box::new(listener.accept().await?.0),
            Listener::Tcp(l) => {
                let (s, _) = l.accept().await?;
                let _ = s.set_nodelay(true);
                Box::new(s)
            }
        })
    }
}

/// A byte stream a connection can run over.
trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Accepts connections and, with TLS, completes each handshake in its own
/// task, so one slow or hostile client cannot hold up the others.
fn incoming(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> ReceiverStream<std::io::Result<Conn>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        // Keeps the socket directory alive as long as we accept.
        let listener = listener;
        loop {
            let stream = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "accepting a plugin connection failed");
                    continue;
                }
            };
            let tx = tx.clone();
            match &tls {
                None => {
                    let _ = tx.send(Ok(Conn(stream))).await;
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(stream).await {
                            Ok(tls) => {
                                let _ = tx.send(Ok(Conn(Box::new(tls)))).await;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "refused a plugin connection: TLS handshake failed");
                            }
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// One accepted connection (TLS or, in debug mode, plain), as tonic wants it.
struct Conn(Box<dyn Io>);

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}
