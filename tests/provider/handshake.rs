//! Launches the built provider the way go-plugin does (magic cookie, client
//! certificate in PLUGIN_CLIENT_CERT), reads the handshake line, and talks
//! gRPC over the unix socket with mutual TLS: the pinned client works, any
//! other certificate is refused, ALPN negotiates h2, health reports SERVING,
//! and Shutdown ends the process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-replication");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate shaped like Terraform's: ECDSA P-521, self-signed, CA.
struct ClientIdentity {
    pem: String,
    der: Vec<u8>,
    key: Vec<u8>,
}

fn client_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    }
}

struct Plugin {
    child: Child,
    network: String,
    socket: String,
    server_cert: Vec<u8>,
}

fn launch(client_pem: &str) -> Plugin {
    launch_env(client_pem, &[])
}

fn launch_env(client_pem: &str, env: &[(&str, &str)]) -> Plugin {
    let mut child = Command::new(BIN)
        .envs(env.iter().copied())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line: {line:?}");
    assert_eq!(&parts[..2], &["1", "6"], "{line:?}");
    assert!(parts[2] == "unix" || parts[2] == "tcp", "{line:?}");
    assert_eq!(parts[4], "grpc");
    assert!(
        !parts[5].ends_with('='),
        "certificate must be unpadded base64: {line:?}"
    );
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("base64 cert");
    Plugin {
        child,
        network: parts[2].to_string(),
        socket: parts[3].to_string(),
        server_cert,
    }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin's
/// client does by making it the only root.
#[derive(Debug)]
struct PinnedServer(Vec<u8>, Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(name.to_str(), "localhost");
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.1.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.signature_verification_algorithms.supported_schemes()
    }
}

async fn connect(
    plugin: &Plugin,
    client: &ClientIdentity,
    alpn: Arc<Mutex<Option<Vec<u8>>>>,
) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(crypto.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(
            plugin.server_cert.clone(),
            crypto,
        )))
        .with_client_auth_cert(
            vec![CertificateDer::from(client.der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key.clone())),
        )
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let socket = plugin.socket.clone();
    let tcp = plugin.network == "tcp";
    tonic::transport::Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_| {
            let connector = connector.clone();
            let socket = socket.clone();
            let alpn = alpn.clone();
            async move {
                let io: Box<dyn Io> = if tcp {
                    Box::new(tokio::net::TcpStream::connect(socket).await?)
                } else {
                    Box::new(tokio::net::UnixStream::connect(socket).await?)
                };
                let tls = connector
                    .connect(ServerName::try_from("localhost").unwrap(), io)
                    .await?;
                *alpn.lock().unwrap() = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static> Io for T {}

#[derive(Clone, PartialEq, prost::Message)]
struct Empty {}

async fn shutdown(channel: tonic::transport::Channel) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/plugin.GRPCController/Shutdown");
    let codec: tonic_prost::ProstCodec<Empty, Empty> = tonic_prost::ProstCodec::default();
    grpc.unary(tonic::Request::new(Empty {}), path, codec)
        .await
        .map(|_| ())
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < within {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test]
async fn pinned_client_is_served_health_alpn_and_shutdown() {
    let client = client_identity();
    let mut plugin = launch(&client.pem);
    let alpn = Arc::new(Mutex::new(None));
    let channel = connect(&plugin, &client, alpn.clone())
        .await
        .expect("connect with the pinned certificate");

    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let resp = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check");
    assert_eq!(
        resp.into_inner().status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    assert_eq!(
        alpn.lock().unwrap().as_deref(),
        Some(&b"h2"[..]),
        "ALPN must negotiate h2"
    );

    shutdown(channel).await.expect("Shutdown RPC");
    let status = wait_exit(&mut plugin.child, Duration::from_secs(10))
        .expect("provider exits after Shutdown");
    assert!(status.success(), "exit status {status:?}");
    assert!(
        !std::path::Path::new(&plugin.socket).exists(),
        "socket directory is removed on exit"
    );
}

#[tokio::test]
async fn other_client_certificate_is_refused() {
    let pinned = client_identity();
    let intruder = client_identity();
    let mut plugin = launch(&pinned.pem);
    let alpn = Arc::new(Mutex::new(None));
    let result = match connect(&plugin, &intruder, alpn).await {
        Err(e) => Err(e.to_string()),
        Ok(channel) => {
            let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
            health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: "plugin".into(),
                })
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    };
    assert!(
        result.is_err(),
        "a client with another certificate must not be served"
    );
    // The refusal does not disturb the plugin: the right client still gets in.
    let channel = connect(&plugin, &pinned, Arc::new(Mutex::new(None)))
        .await
        .expect("pinned client after refusal");
    shutdown(channel).await.unwrap();
    assert!(wait_exit(&mut plugin.child, Duration::from_secs(10)).is_some());
}

#[tokio::test]
async fn tcp_fallback_when_no_unix_socket_can_be_made() {
    let client = client_identity();
    // No socket directory asked for, and the temporary directory unusable.
    let mut plugin = launch_env(
        &client.pem,
        &[
            ("PLUGIN_UNIX_SOCKET_DIR", ""),
            ("TMPDIR", "/nonexistent/dir"),
            ("PLUGIN_MIN_PORT", "20000"),
            ("PLUGIN_MAX_PORT", "20999"),
        ],
    );
    assert_eq!(plugin.network, "tcp");
    let port: u16 = plugin.socket.rsplit(':').next().unwrap().parse().unwrap();
    assert!(
        plugin.socket.starts_with("127.0.0.1:") && (20000..=20999).contains(&port),
        "{}",
        plugin.socket
    );
    let alpn = Arc::new(Mutex::new(None));
    let channel = connect(&plugin, &client, alpn.clone())
        .await
        .expect("connect over TCP with the pinned certificate");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health over TCP");
    assert_eq!(alpn.lock().unwrap().as_deref(), Some(&b"h2"[..]));
    shutdown(channel).await.unwrap();
    assert!(wait_exit(&mut plugin.child, Duration::from_secs(10)).is_some());
}

#[test]
fn run_by_hand_explains_and_exits_1() {
    let out = Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout without a host");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plugin for Terraform"), "{err}");
}

#[test]
fn version_flag_prints_the_version() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "terraform-provider-replication {}",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn debug_mode_prints_reattach_json_with_test_true() {
    let mut child = Command::new(BIN)
        .arg("--debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut json = None;
    for _ in 0..6 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            json = Some(rest.trim_end_matches('\'').to_string());
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let json: serde_json::Value = serde_json::from_str(&json.expect("reattach line")).unwrap();
    let entry = &json["registry.terraform.io/replication/replication"];
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Addr"]["Network"], "unix");
}

/// Runs the provider as a host would, expecting it to stop by itself:
/// its exit status, stdout and stderr.
fn run_to_exit(env: &[(&str, &str)]) -> (std::process::ExitStatus, String, String) {
    use std::io::Read as _;
    let mut child = Command::new(BIN)
        .envs(env.iter().copied())
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start provider");
    let status = wait_exit(&mut child, Duration::from_secs(10));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = status
        .unwrap_or_else(|| panic!("the provider kept running; stdout {out:?}, stderr {err:?}"));
    (status, out, err)
}

#[test]
fn a_client_cert_block_that_is_not_a_certificate_exits_1_at_start() {
    let junk = base64::engine::general_purpose::STANDARD.encode(b"this is not a certificate");
    let pem = format!("-----BEGIN CERTIFICATE-----\n{junk}\n-----END CERTIFICATE-----\n");
    let (status, out, err) = run_to_exit(&[("PLUGIN_CLIENT_CERT", pem.as_str())]);
    assert_eq!(status.code(), Some(1), "stderr: {err}");
    assert!(out.is_empty(), "no handshake line: {out:?}");
    assert!(
        err.contains("PLUGIN_CLIENT_CERT") && err.contains("not a valid X.509 certificate"),
        "{err}"
    );
}

#[test]
fn an_unusable_plugin_unix_socket_dir_exits_1_instead_of_falling_back_to_tcp() {
    let client = client_identity();
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    for dir in ["/nonexistent/dir".to_string(), file.display().to_string()] {
        let (status, out, err) = run_to_exit(&[
            ("PLUGIN_CLIENT_CERT", client.pem.as_str()),
            ("PLUGIN_UNIX_SOCKET_DIR", dir.as_str()),
        ]);
        assert_eq!(status.code(), Some(1), "{dir}: stderr {err}");
        assert!(out.is_empty(), "{dir}: no handshake line: {out:?}");
        assert!(
            err.contains("PLUGIN_UNIX_SOCKET_DIR") && err.contains(&dir),
            "{dir}: {err}"
        );
    }
}

#[tokio::test]
async fn socket_directory_is_0700_and_socket_0600_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let client = client_identity();
    let scratch = tempfile::tempdir().unwrap();
    let base = scratch.path().display().to_string();
    // Under umask 0 the old code made both world-writable.
    let mut child = Command::new("sh")
        .args(["-c", "umask 0 && exec \"$0\"", BIN])
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_CLIENT_CERT", &client.pem)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_UNIX_SOCKET_DIR", &base)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    let mode = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
    let socket = std::path::PathBuf::from(parts.get(3).copied().unwrap_or_default());
    let dir_mode = socket.parent().map(mode);
    let socket_mode = mode(&socket);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(parts.get(2).copied(), Some("unix"), "{line:?}");
    assert!(socket.starts_with(&base), "{socket:?} not under {base}");
    assert_eq!(dir_mode.unwrap().unwrap(), 0o700, "socket directory mode");
    assert_eq!(socket_mode.unwrap(), 0o600, "socket mode");
}
