//! Where the plugin listens and how connections come in: the unix socket (or
//! loopback TCP) go-plugin expects, and the accept loop that runs each TLS
//! handshake under a deadline and a bound on how many run at once.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use super::ServeError;

/// The environment variable in which the host names the directory to put
/// the socket in.
const SOCKET_DIR_ENV: &str = "PLUGIN_UNIX_SOCKET_DIR";

/// Where the plugin listens: a unix socket in a fresh directory only we can
/// enter (under `PLUGIN_UNIX_SOCKET_DIR` when the host sets it), or, when no
/// directory was asked for and the temporary one cannot be made, TCP on
/// 127.0.0.1 within `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` as go-plugin allows.
pub(super) enum Listener {
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
    /// Binds where the host asked. A `PLUGIN_UNIX_SOCKET_DIR` that cannot
    /// hold the socket (missing, not a directory, not writable, too long a
    /// path) is an error: the host asked for that place, and TCP instead
    /// would be a surprise.
    pub(super) fn bind() -> Result<Self, ServeError> {
        match std::env::var_os(SOCKET_DIR_ENV).filter(|d| !d.is_empty()) {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                Self::bind_unix(Some(&dir)).map_err(|source| ServeError::SocketDir { dir, source })
            }
            None => match Self::bind_unix(None) {
                Ok(l) => Ok(l),
                Err(e) => {
                    tracing::debug!(error = %e, "no unix socket; falling back to TCP");
                    Self::bind_tcp().map_err(ServeError::Listen)
                }
            },
        }
    }

    /// A socket in a fresh directory (mode 0700) under `base`, or under the
    /// system's temporary directory; the socket itself is mode 0600.
    fn bind_unix(base: Option<&Path>) -> std::io::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder
            .prefix("plugin")
            .permissions(std::fs::Permissions::from_mode(0o700));
        let dir = match base {
            Some(base) => builder.tempdir_in(base)?,
            None => builder.tempdir()?,
        };
        let path = dir.path().join("plugin.sock");
        let listener = tokio::net::UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
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
    pub(super) fn address(&self) -> (&'static str, String) {
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

/// Bounds on the accept path, so that clients that connect and then stall
/// (or a process out of file descriptors) cannot wedge or spin the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct AcceptLimits {
    /// How long a client has to complete the TLS handshake.
    pub(super) handshake_timeout: Duration,
    /// How many TLS handshakes may run at once; further connections wait,
    /// not accepted yet, in the socket's backlog.
    pub(super) max_handshakes: usize,
    /// How long to wait after `accept()` failed (EMFILE, ENFILE, ENOBUFS, …)
    /// before trying again.
    pub(super) error_pause: Duration,
}

/// The limits the plugin runs with. The host connects once, right after the
/// handshake line, and completes its handshake in milliseconds.
pub(super) const ACCEPT_LIMITS: AcceptLimits = AcceptLimits {
    handshake_timeout: Duration::from_secs(10),
    max_handshakes: 16,
    error_pause: Duration::from_millis(100),
};

/// Accepts connections on `listener` and, with TLS, completes each handshake
/// in its own task, so one slow or hostile client cannot hold up the others.
pub(super) fn incoming(
    listener: Listener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: AcceptLimits,
) -> ReceiverStream<std::io::Result<Conn>> {
    // The closure keeps the listener, and with it the socket directory,
    // alive as long as the loop accepts.
    let listener = Arc::new(listener);
    accept_loop(
        move || {
            let listener = listener.clone();
            async move { listener.accept().await }
        },
        tls,
        limits,
    )
}

/// The accept loop over any source of connections.
fn accept_loop<A, F>(
    mut accept: A,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: AcceptLimits,
) -> ReceiverStream<std::io::Result<Conn>>
where
    A: FnMut() -> F + Send + 'static,
    F: std::future::Future<Output = std::io::Result<Box<dyn Io>>> + Send,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let handshakes = Arc::new(tokio::sync::Semaphore::new(limits.max_handshakes));
    tokio::spawn(async move {
        loop {
            // A free handshake slot first: while all are taken, new
            // connections stay in the backlog instead of piling up here.
            let permit = match &tls {
                Some(_) => match handshakes.clone().acquire_owned().await {
                    Ok(p) => Some(p),
                    Err(_) => break, // never closed
                },
                None => None,
            };
            let stream = match accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "accepting a plugin connection failed");
                    drop(permit);
                    tokio::time::sleep(limits.error_pause).await;
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
                        let handshake = acceptor.accept(stream);
                        let result =
                            tokio::time::timeout(limits.handshake_timeout, handshake).await;
                        drop(permit);
                        match result {
                            Ok(Ok(tls)) => {
                                let _ = tx.send(Ok(Conn(Box::new(tls)))).await;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!(error = %e, "refused a plugin connection: TLS handshake failed");
                            }
                            Err(_) => {
                                tracing::warn!(
                                    timeout = ?limits.handshake_timeout,
                                    "closed a plugin connection: no TLS handshake in time"
                                );
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
pub(super) struct Conn(Box<dyn Io>);

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

#[cfg(test)]
mod tests {
    use super::super::tls;
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    fn acceptor() -> tokio_rustls::TlsAcceptor {
        let server = tls::ServerIdentity::generate().unwrap();
        let client = tls::ServerIdentity::generate().unwrap();
        let config = tls::server_config(
            &server,
            rustls::pki_types::CertificateDer::from(client.cert_der),
        )
        .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }

    /// A listener in a fresh directory, and the socket path to dial.
    fn unix_listener() -> (Listener, PathBuf) {
        let l = Listener::bind_unix(None).unwrap();
        let path = PathBuf::from(l.address().1);
        (l, path)
    }

    #[tokio::test]
    async fn a_client_that_never_speaks_is_closed_after_the_handshake_timeout() {
        let (listener, path) = unix_listener();
        let limits = AcceptLimits {
            handshake_timeout: Duration::from_millis(200),
            max_handshakes: 4,
            error_pause: Duration::from_millis(10),
        };
        let _incoming = incoming(listener, Some(acceptor()), limits);
        let mut silent = tokio::net::UnixStream::connect(&path).await.unwrap();
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a silent client must be disconnected, got {read:?}"
        );
    }

    #[tokio::test]
    async fn handshakes_beyond_the_bound_wait_for_a_free_slot() {
        let (listener, path) = unix_listener();
        let limits = AcceptLimits {
            handshake_timeout: Duration::from_secs(30),
            max_handshakes: 1,
            error_pause: Duration::from_millis(10),
        };
        let _incoming = incoming(listener, Some(acceptor()), limits);
        // The first client takes the only slot and says nothing.
        let silent = tokio::net::UnixStream::connect(&path).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The second sends bytes that are not TLS: a handshake that runs
        // fails at once and the server closes the connection.
        let mut second = tokio::net::UnixStream::connect(&path).await.unwrap();
        second.write_all(b"not a TLS record\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        let early = tokio::time::timeout(Duration::from_millis(500), second.read(&mut buf)).await;
        assert!(
            early.is_err(),
            "the second handshake ran while the only slot was taken: {early:?}"
        );
        drop(silent);
        let mut rest = Vec::new();
        let later =
            tokio::time::timeout(Duration::from_secs(5), second.read_to_end(&mut rest)).await;
        assert!(later.is_ok(), "the second handshake never ran");
    }

    #[tokio::test]
    async fn accept_errors_are_retried_after_a_pause_not_in_a_spin() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let limits = AcceptLimits {
            handshake_timeout: Duration::from_secs(1),
            max_handshakes: 4,
            error_pause: Duration::from_millis(100),
        };
        let _incoming = accept_loop(
            move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    tokio::task::yield_now().await;
                    Err::<Box<dyn Io>, _>(std::io::Error::other("too many open files"))
                }
            },
            None,
            limits,
        );
        tokio::time::sleep(Duration::from_millis(350)).await;
        let n = calls.load(Ordering::SeqCst);
        assert!(
            (1..=6).contains(&n),
            "{n} accept attempts in 350 ms with a 100 ms pause"
        );
    }

    #[test]
    fn the_socket_directory_and_the_socket_are_private() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        let (listener, path) = unix_listener();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&path), 0o600);
        drop(listener);
    }
}
