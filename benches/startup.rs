//! Startup latency and idle memory of the release provider binary, launched
//! the way go-plugin launches it: magic cookie and a client certificate in
//! `PLUGIN_CLIENT_CERT`, stdout piped. Measures, over `BENCH_RUNS` (20) runs,
//! the time from `spawn` to the handshake line and VmRSS a moment after it
//! (`BENCH_SETTLE_MS`, 200 ms); then, over as many fresh processes, the time
//! from the handshake line to the first answered RPCs over mutual TLS (a
//! gRPC health check, then GetProviderSchema), which is what a host waits
//! for before it can plan. Prints a Markdown section on stdout.
//!
//! The handshake time is taken twice: back to back (each run starts as soon
//! as the previous process is gone, as when a host starts provider
//! processes one after another) and after the idle pause of the memory
//! runs. On a virtual machine an idle CPU wakes up slowly, so the second
//! figure carries that cost; the same two conditions are measured for
//! `/bin/true` as the machine's floor for starting any process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use common::{median, proc_status, provider_bin};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate shaped like Terraform's (ECDSA P-521, self-signed CA)
/// and its PKCS#8 key, generated once per bench run.
struct ClientIdentity {
    pem: String,
    der: Vec<u8>,
    key: Vec<u8>,
}

fn client_identity() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).expect("cert");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().to_vec(),
        key: key.serialize_der(),
    }
}

/// Resident KiB of one process by kind of mapping, from `/proc/<pid>/smaps`.
#[derive(Default, Clone, Copy)]
struct Breakdown {
    /// The executable's own pages (code, read-only data, relocated data).
    binary: u64,
    /// Of those, pages written to (relocations, .data, .bss).
    binary_dirty: u64,
    /// `[heap]` (brk) allocations.
    heap: u64,
    /// Anonymous mappings: thread stacks, large allocations, allocator arenas.
    anon: u64,
    /// Shared libraries (libc, libm, ld.so, vdso).
    libs: u64,
    /// Private_Dirty of the whole process: memory only this process holds.
    private_dirty: u64,
}

fn breakdown(pid: u32) -> Breakdown {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    let exe = exe
        .to_string_lossy()
        .trim_end_matches(" (deleted)")
        .to_string();
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut b = Breakdown::default();
    let mut kind = 0u8;
    for line in text.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            let path = line.split_whitespace().nth(5).unwrap_or("");
            kind = if path == exe {
                0
            } else if path == "[heap]" {
                1
            } else if path.is_empty() || path.starts_with("[stack") || path.starts_with("[anon") {
                2
            } else {
                3
            };
            continue;
        }
        let kib = |l: &str| {
            l.split_whitespace()
                .nth(1)
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        if line.starts_with("Rss:") {
            let k = kib(line);
            match kind {
                0 => b.binary += k,
                1 => b.heap += k,
                2 => b.anon += k,
                _ => b.libs += k,
            }
        } else if line.starts_with("Private_Dirty:") {
            b.private_dirty += kib(line);
            if kind == 0 {
                b.binary_dirty += kib(line);
            }
        }
    }
    b
}

struct Run {
    breakdown: Breakdown,
    handshake: Duration,
    rss_kib: u64,
    hwm_kib: u64,
    vm_kib: u64,
    threads: u64,
}

/// Starts the provider as go-plugin does; returns it, the time to its
/// handshake line, and that line.
fn launch(pem: &str) -> (Child, Duration, String) {
    launch_bin(&provider_bin(), pem)
}

/// [`launch`] for any provider binary.
fn launch_bin(bin: &std::path::Path, pem: &str) -> (Child, Duration, String) {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_CLIENT_CERT", pem)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut line).expect("handshake line");
    let handshake = started.elapsed();
    // Ours listens on a unix socket; another SDK may use tcp.
    assert!(
        line.starts_with("1|6|unix|") || line.starts_with("1|6|tcp|"),
        "unexpected handshake line of {}: {line:?}",
        bin.display()
    );
    (child, handshake, line)
}

fn one(pem: &str, settle: Duration) -> Run {
    let (mut child, handshake, _) = launch(pem);
    std::thread::sleep(settle);
    let pid = child.id();
    let run = Run {
        breakdown: breakdown(pid),
        handshake,
        rss_kib: proc_status(pid, "VmRSS").unwrap_or(0),
        hwm_kib: proc_status(pid, "VmHWM").unwrap_or(0),
        vm_kib: proc_status(pid, "VmSize").unwrap_or(0),
        threads: proc_status(pid, "Threads").unwrap_or(0),
    };
    let _ = child.kill();
    let _ = child.wait();
    run
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
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
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

#[derive(Clone, PartialEq, prost::Message)]
struct Empty {}

/// Times from the handshake line to the answer of the first RPC (health
/// check: connection, TLS handshake with the client certificate, HTTP/2) and
/// of the GetProviderSchema that follows it.
struct FirstRpc {
    health: Duration,
    schema: Duration,
}

/// Launches a provider and sends it the first RPCs a host sends; the client
/// side (in this process) is warmed up by the caller's earlier runs.
fn first_rpc(rt: &tokio::runtime::Runtime, client: &ClientIdentity) -> FirstRpc {
    let (mut child, _, line) = launch(&client.pem);
    let at_line = Instant::now();
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    let socket = parts[3].to_string();
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("base64 certificate");
    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(crypto.clone())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert, crypto)))
        .with_client_auth_cert(
            vec![CertificateDer::from(client.der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key.clone())),
        )
        .expect("client certificate");
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let result = rt.block_on(async move {
        let channel = tonic::transport::Endpoint::try_from("http://localhost")
            .expect("endpoint")
            .connect_with_connector(tower::service_fn(move |_| {
                let connector = connector.clone();
                let socket = socket.clone();
                async move {
                    let io = tokio::net::UnixStream::connect(socket).await?;
                    let tls = connector
                        .connect(ServerName::try_from("localhost").expect("name"), io)
                        .await?;
                    Ok::<_, std::io::Error>(TokioIo::new(tls))
                }
            }))
            .await
            .expect("connect over mutual TLS");
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "plugin".into(),
            })
            .await
            .expect("health check")
            .into_inner()
            .status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );
        let health = at_line.elapsed();
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.expect("channel ready");
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(
            "/tfplugin6.Provider/GetProviderSchema",
        );
        let codec: tonic_prost::ProstCodec<Empty, Empty> = tonic_prost::ProstCodec::default();
        grpc.unary(tonic::Request::new(Empty {}), path, codec)
            .await
            .expect("GetProviderSchema");
        FirstRpc {
            health,
            schema: at_line.elapsed(),
        }
    });
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Spawn → exit of `/bin/true`, after `settle` of idleness: the machine's
/// floor for starting a process under the same conditions.
fn spawn_floor(runs: usize, settle: Duration) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            std::thread::sleep(settle);
            let started = Instant::now();
            Command::new("/bin/true")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .status()
                .expect("/bin/true");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

/// Spawn → handshake line with no pause between runs, alternating between
/// this provider and `peer`: the same conditions for both. The second list
/// is empty without a peer.
fn back_to_back_with(runs: usize, pem: &str, peer: &std::path::Path) -> (Vec<f64>, Vec<f64>) {
    let time = |bin: &std::path::Path| {
        let (mut child, handshake, _) = launch_bin(bin, pem);
        let _ = child.kill();
        let _ = child.wait();
        handshake.as_secs_f64() * 1000.0
    };
    let _ = time(peer); // warm-up: its pages into the page cache
    (0..runs)
        .map(|_| (time(&provider_bin()), time(peer)))
        .unzip()
}

/// Spawn → handshake line with no pause between runs.
fn back_to_back(runs: usize, pem: &str) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let (mut child, handshake, _) = launch(pem);
            let _ = child.kill();
            let _ = child.wait();
            handshake.as_secs_f64() * 1000.0
        })
        .collect()
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let settle = Duration::from_millis(
        std::env::var("BENCH_SETTLE_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200),
    );
    let client = client_identity();
    let pem = client.pem.clone();
    // One warm-up run so the binary's pages are in the page cache.
    let _ = one(&pem, Duration::ZERO);
    let hot = back_to_back(runs, &pem);
    // A minimal provider built with another Rust SDK, for comparison
    // (`BENCH_PEER_PROVIDER`: path to its binary; not built by this repo).
    let peer = std::env::var_os("BENCH_PEER_PROVIDER").map(std::path::PathBuf::from);
    let paired = peer
        .as_deref()
        .map(|p| (p, back_to_back_with(runs, &pem, p)));
    let floor_hot = spawn_floor(runs, Duration::ZERO);
    let all: Vec<Run> = (0..runs).map(|_| one(&pem, settle)).collect();
    let floor_idle = spawn_floor(runs, settle);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The warm-up also seeds this process's own TLS randomness.
    let _ = first_rpc(&rt, &client);
    let rpcs: Vec<FirstRpc> = (0..runs).map(|_| first_rpc(&rt, &client)).collect();
    let health_ms: Vec<f64> = rpcs
        .iter()
        .map(|r| r.health.as_secs_f64() * 1000.0)
        .collect();
    let schema_ms: Vec<f64> = rpcs
        .iter()
        .map(|r| r.schema.as_secs_f64() * 1000.0)
        .collect();
    let ms: Vec<f64> = all
        .iter()
        .map(|r| r.handshake.as_secs_f64() * 1000.0)
        .collect();
    let mib =
        |f: fn(&Run) -> u64| -> Vec<f64> { all.iter().map(|r| f(r) as f64 / 1024.0).collect() };
    let (rss, hwm, vm) = (mib(|r| r.rss_kib), mib(|r| r.hwm_kib), mib(|r| r.vm_kib));
    let threads: Vec<f64> = all.iter().map(|r| r.threads as f64).collect();
    let min = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let size = std::fs::metadata(provider_bin())
        .map(|m| m.len() as f64 / 1024.0 / 1024.0)
        .unwrap_or(0.0);

    eprintln!(
        "startup: {runs} runs, handshake median {:.2} ms back to back, {:.2} ms after idle, VmRSS median {:.2} MiB, first RPC (health) {:.2} ms, GetProviderSchema done {:.2} ms after the handshake line",
        median(&hot),
        median(&ms),
        median(&rss),
        median(&health_ms),
        median(&schema_ms)
    );
    println!("## Startup\n");
    println!(
        "{} ({size:.1} MiB on disk) launched as go-plugin does (magic cookie, ECDSA P-521 client certificate in `PLUGIN_CLIENT_CERT`); {runs} runs after one warm-up. Handshake = `spawn` to the handshake line on stdout, taken back to back and, in the memory runs, after {} ms of idleness; `/bin/true` (spawn to exit) under the same two conditions is the machine's floor for starting any process. Memory read from `/proc/<pid>/status` {} ms after the handshake, before any connection. The first-RPC rows come from another {runs} fresh processes each.\n",
        if std::env::var_os("BENCH_PROVIDER").is_some() {
            "The plain `cargo build --release` binary".to_string()
        } else {
            format!("`{}`", provider_bin().display())
        },
        settle.as_millis(),
        settle.as_millis()
    );
    println!("| | median | min | max | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| start → handshake line, back to back | {:.2} ms | {:.2} ms | {:.2} ms | ~2 ms |",
        median(&hot),
        min(&hot),
        max(&hot)
    );
    if let Some((path, (ours, theirs))) = &paired {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "| start → handshake line, back to back, alternating with the peer below | {:.2} ms | {:.2} ms | {:.2} ms | ≤ peer |",
            median(ours),
            min(ours),
            max(ours)
        );
        println!(
            "| peer `{name}` (`BENCH_PEER_PROVIDER`): start → handshake line, same runs | {:.2} ms | {:.2} ms | {:.2} ms | |",
            median(theirs),
            min(theirs),
            max(theirs)
        );
    }
    println!(
        "| `/bin/true` spawn → exit, back to back (floor) | {:.2} ms | {:.2} ms | {:.2} ms | |",
        median(&floor_hot),
        min(&floor_hot),
        max(&floor_hot)
    );
    println!(
        "| start → handshake line, after {} ms idle | {:.2} ms | {:.2} ms | {:.2} ms | |",
        settle.as_millis(),
        median(&ms),
        min(&ms),
        max(&ms)
    );
    println!(
        "| `/bin/true` spawn → exit, after {} ms idle (floor) | {:.2} ms | {:.2} ms | {:.2} ms | |",
        settle.as_millis(),
        median(&floor_idle),
        min(&floor_idle),
        max(&floor_idle)
    );
    println!(
        "| handshake line → first RPC answered (health check over mutual TLS, new connection) | {:.2} ms | {:.2} ms | {:.2} ms | |",
        median(&health_ms),
        min(&health_ms),
        max(&health_ms)
    );
    println!(
        "| handshake line → GetProviderSchema answered (after that health check) | {:.2} ms | {:.2} ms | {:.2} ms | |",
        median(&schema_ms),
        min(&schema_ms),
        max(&schema_ms)
    );
    println!(
        "| idle VmRSS | {:.2} MiB | {:.2} MiB | {:.2} MiB | < 8 MiB |",
        median(&rss),
        min(&rss),
        max(&rss)
    );
    println!(
        "| VmHWM (peak RSS so far) | {:.2} MiB | {:.2} MiB | {:.2} MiB | |",
        median(&hwm),
        min(&hwm),
        max(&hwm)
    );
    println!(
        "| VmSize (virtual) | {:.1} MiB | {:.1} MiB | {:.1} MiB | |",
        median(&vm),
        min(&vm),
        max(&vm)
    );
    println!(
        "| threads | {:.0} | {:.0} | {:.0} | |",
        median(&threads),
        min(&threads),
        max(&threads)
    );
    if let Some((path, (ours, theirs))) = &paired {
        println!(
            "\nAgainst the peer (`{}`, the same handshake environment, runs alternating with ours): medians {:.2} ms ours, {:.2} ms theirs, ours ÷ theirs **{:.2}**.",
            path.file_name().unwrap_or_default().to_string_lossy(),
            median(ours),
            median(theirs),
            median(ours) / median(theirs)
        );
    }
    let part = |f: fn(&Breakdown) -> u64| {
        median(
            &all.iter()
                .map(|r| f(&r.breakdown) as f64 / 1024.0)
                .collect::<Vec<_>>(),
        )
    };
    println!(
        "\nWhere the idle RSS is (medians, from `/proc/<pid>/smaps`): executable {:.2} MiB (of which written to: {:.2} MiB), heap {:.2} MiB, other anonymous memory (thread stacks, allocator arenas) {:.2} MiB, shared libraries {:.2} MiB. Private dirty memory of the whole process (what only it holds; the rest is clean file-backed pages the kernel can drop or share): {:.2} MiB.\n",
        part(|b| b.binary),
        part(|b| b.binary_dirty),
        part(|b| b.heap),
        part(|b| b.anon),
        part(|b| b.libs),
        part(|b| b.private_dirty)
    );
}
