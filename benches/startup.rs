//! Startup latency and idle memory of the release provider binary, launched
//! the way go-plugin launches it: magic cookie and a client certificate in
//! `PLUGIN_CLIENT_CERT`, stdout piped. Measures, over `BENCH_RUNS` (20) runs,
//! the time from `spawn` to the handshake line and VmRSS a moment after it
//! (`BENCH_SETTLE_MS`, 200 ms). Prints a Markdown section on stdout.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{median, proc_status, provider_bin};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client certificate shaped like Terraform's (ECDSA P-521, self-signed CA),
/// generated once per bench run.
fn client_cert_pem() -> String {
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
    params.self_signed(&key).expect("cert").pem()
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

fn one(pem: &str, settle: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(provider_bin())
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
    assert!(
        line.starts_with("1|6|unix|"),
        "unexpected handshake line {line:?}"
    );
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
    let pem = client_cert_pem();
    // One warm-up run so the binary's pages are in the page cache.
    let _ = one(&pem, Duration::ZERO);
    let all: Vec<Run> = (0..runs).map(|_| one(&pem, settle)).collect();
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
        "startup: {runs} runs, handshake median {:.2} ms, VmRSS median {:.2} MiB",
        median(&ms),
        median(&rss)
    );
    println!("## Startup\n");
    println!(
        "{} ({size:.1} MiB on disk) launched as go-plugin does (magic cookie, ECDSA P-521 client certificate in `PLUGIN_CLIENT_CERT`); {runs} runs after one warm-up. Handshake = `spawn` to the handshake line on stdout; memory read from `/proc/<pid>/status` {} ms after the handshake.\n",
        if std::env::var_os("BENCH_PROVIDER").is_some() {
            "The plain `cargo build --release` binary".to_string()
        } else {
            format!("`{}`", provider_bin().display())
        },
        settle.as_millis()
    );
    println!("| | median | min | max | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| start → handshake line | {:.2} ms | {:.2} ms | {:.2} ms | ~2 ms |",
        median(&ms),
        min(&ms),
        max(&ms)
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
