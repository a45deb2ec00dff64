//! Every example validates with every real host, and the packaging works:
//! `scripts/install-mirror.sh` (make install) yields a filesystem mirror that
//! `terraform init` and `tofu init` install from offline, and
//! `scripts/release.sh` (make release) yields reproducible registry archives.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{hosts, text, Host, Workdir, PROVIDER_BIN, SOURCE};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Root module directories under examples/: every directory holding `.tf`
/// files, except child modules (validated through the root that calls them).
fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        if entries
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "tf"))
        {
            out.push(dir.to_path_buf());
        }
        for p in entries {
            if p.is_dir() && p.file_name().is_some_and(|n| n != "modules") {
                walk(&p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("examples"), &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

fn tf_sources(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.push_str(&tf_sources(&path));
        } else if path.extension().is_some_and(|e| e == "tf") {
            all.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    all
}

/// A copy of the example in a scratch directory with the dev_overrides CLI
/// config. Registry snippets (resources/, data-sources/) carry no
/// `required_providers`; the copy gets one.
fn workdir_for(example: &Path) -> Workdir {
    let w = Workdir::new("");
    std::fs::remove_file(w.path().join("main.tf")).unwrap();
    copy_dir(example, w.path());
    if !tf_sources(example).contains("required_providers") {
        w.write(
            "versions.tf",
            &format!("terraform {{\n  required_providers {{\n    replication = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n"),
        );
    }
    w
}

fn name(example: &Path) -> String {
    example.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_example_directory_is_found() {
    let names: Vec<String> = example_dirs().iter().map(|p| name(p)).collect();
    for want in [
        "examples/provider",
        "examples/resources/replication_topology",
        "examples/data-sources/replication_topology",
        "examples/quickstart",
        "examples/three-regions-headless-dr",
        "examples/composed",
        "examples/import",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
}

#[test]
fn examples_avoid_write_only_attributes() {
    // OpenTofu 1.6 rejects write-only attributes; every example must work there.
    for dir in example_dirs() {
        assert!(
            !tf_sources(&dir).contains("master_password_wo"),
            "{}",
            name(&dir)
        );
    }
}

#[test]
fn every_example_validates_with_every_host() {
    let hosts = hosts();
    for dir in example_dirs() {
        for host in &hosts {
            let w = workdir_for(&dir);
            if dir.join("modules").is_dir() {
                // Local modules must be installed before validate; `get` does
                // that without init's provider installation, which
                // dev_overrides does not cover.
                let mut args = vec!["get", "-no-color"];
                if host.name == "tofu-1.6" && dir.join("tests").is_dir() {
                    // OpenTofu 1.6 cannot read the tests' mock_provider
                    // blocks (below): point it at a test directory that
                    // does not exist.
                    args.push("-test-directory=tests-need-opentofu-1.8");
                }
                let get = w.run(host, &args);
                assert!(
                    get.status.success(),
                    "{} get with {}: {}",
                    name(&dir),
                    host.name,
                    text(&get)
                );
            }
            // `validate` also reads tests/*.tftest.hcl; their mock_provider
            // blocks need Terraform 1.7 or OpenTofu 1.8, so OpenTofu 1.6
            // validates the module alone.
            let mut args = vec!["validate", "-json"];
            if host.name == "tofu-1.6" && dir.join("tests").is_dir() {
                args.push("-no-tests");
            }
            let out = w.run(host, &args);
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!("{} with {}: {e}: {}", name(&dir), host.name, text(&out))
            });
            assert!(
                out.status.success() && json["valid"] == true,
                "{} does not validate with {}: {}",
                name(&dir),
                host.name,
                text(&out)
            );
            // Besides the hosts' own notice about dev_overrides.
            let warnings = json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["severity"] == "warning"
                        && d["summary"] != "Provider development overrides are in effect"
                })
                .count();
            assert_eq!(
                warnings,
                0,
                "{} warns with {}: {}",
                name(&dir),
                host.name,
                text(&out)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// make install

fn run_script(script: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(root().join("scripts").join(script));
    cmd.args(args)
        .current_dir(root())
        .env("PROVIDER_BIN", PROVIDER_BIN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Runs a host with a given HOME and CLI config (None: no config file, so
/// the host's implied mirror directories apply), no dev_overrides.
fn run_host(
    host: &Host,
    dir: &Path,
    home: &Path,
    cli_config: Option<&Path>,
    args: &[&str],
) -> Output {
    let mut cmd = Command::new(&host.path);
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_INPUT", "0")
        .env_remove("TF_LOG")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example-key")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    match cli_config {
        Some(c) => cmd.env("TF_CLI_CONFIG_FILE", c),
        None => cmd.env_remove("TF_CLI_CONFIG_FILE"),
    };
    cmd.output().unwrap()
}

/// `init` then `validate` of the quickstart, installing the provider from the
/// mirror only; the lock file records the mirrored version.
fn init_from_mirror(host: &Host, home: &Path, cli_config: Option<&Path>) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("examples/quickstart"), dir.path());
    let init = run_host(
        host,
        dir.path(),
        home,
        cli_config,
        &["init", "-input=false", "-no-color"],
    );
    assert!(init.status.success(), "{} init: {}", host.name, text(&init));
    let lock = std::fs::read_to_string(dir.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains(&format!("provider \"{SOURCE}\"")),
        "{}: {lock}",
        host.name
    );
    let locked = lock
        .lines()
        .find(|l| l.trim_start().starts_with("version"))
        .unwrap_or_default();
    assert!(
        locked.ends_with(&format!("\"{}\"", version())),
        "{}: {lock}",
        host.name
    );
    let validate = run_host(
        host,
        dir.path(),
        home,
        cli_config,
        &["validate", "-no-color"],
    );
    assert!(
        validate.status.success(),
        "{} validate: {}",
        host.name,
        text(&validate)
    );
}

#[test]
fn installed_mirror_serves_init_offline_for_every_host() {
    let home = tempfile::tempdir().unwrap();
    // Default destination: ~/.terraform.d/plugins, an implied mirror of both hosts.
    let out = run_script("install-mirror.sh", &[], &[("HOME", home.path())]);
    assert!(out.status.success(), "{}", text(&out));
    let installed = home
        .path()
        .join(".terraform.d/plugins")
        .join(SOURCE)
        .join(version())
        .join("linux_amd64")
        .join(format!("terraform-provider-replication_v{}", version()));
    assert!(
        installed.is_file(),
        "{} missing: {}",
        installed.display(),
        text(&out)
    );

    // An explicit mirror elsewhere, named in the CLI config, with direct
    // installation excluded for the provider: nothing can come from the network.
    let mirror = home.path().join("mirror");
    let out = run_script("install-mirror.sh", &[mirror.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let cli_config = home.path().join("mirror.tfrc");
    std::fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{SOURCE}\"]\n  }}\n  direct {{\n    exclude = [\"{SOURCE}\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();

    for host in hosts() {
        init_from_mirror(&host, home.path(), Some(&cli_config));
        init_from_mirror(&host, home.path(), None);
    }
}

// ---------------------------------------------------------------------------
// make release

fn release_into(dist: &Path, bin: &Path) -> Output {
    run_script(
        "release.sh",
        &[],
        &[("DIST_DIR", dist), ("PROVIDER_BIN", bin)],
    )
}

#[test]
fn release_archives_are_named_for_the_registry_and_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    // A private copy: other builds may replace the binary between the runs.
    let bin = tmp.path().join("terraform-provider-replication");
    std::fs::copy(PROVIDER_BIN, &bin).unwrap();
    // Debug symbols only slow the zipping down; the binary still runs.
    let _ = Command::new("strip").arg(&bin).status();
    for dist in [&a, &b] {
        let out = release_into(dist, &bin);
        assert!(out.status.success(), "{}", text(&out));
    }
    let v = version();
    let zip = format!("terraform-provider-replication_{v}_linux_amd64.zip");
    let sums = format!("terraform-provider-replication_{v}_SHA256SUMS");
    let manifest = format!("terraform-provider-replication_{v}_manifest.json");
    let mut names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut want = [zip.clone(), sums.clone(), manifest.clone()];
    want.sort();
    assert_eq!(names, want);

    // Byte for byte the same on a second run.
    for n in &names {
        let (x, y) = (
            std::fs::read(a.join(n)).unwrap(),
            std::fs::read(b.join(n)).unwrap(),
        );
        assert!(
            x == y,
            "{n} differs between runs:\n{}\n{}",
            String::from_utf8_lossy(&x),
            String::from_utf8_lossy(&y)
        );
    }

    // The manifest declares protocol 6.0.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join(&manifest)).unwrap()).unwrap();
    assert_eq!(
        m,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    // SHA256SUMS covers the zip and the manifest, and checks out.
    let listed = std::fs::read_to_string(a.join(&sums)).unwrap();
    assert!(
        listed.contains(&zip) && listed.contains(&manifest),
        "{listed}"
    );
    let check = Command::new("sha256sum")
        .args(["--check", &sums])
        .current_dir(&a)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check));

    // The archive holds one executable entry, the provider binary, which runs.
    let list = Command::new("unzip")
        .args(["-Z", "-l"])
        .arg(a.join(&zip))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(
        listing.contains("-rwxr-xr-x")
            && listing.contains(&format!("terraform-provider-replication_v{v}")),
        "{listing}"
    );
    let unpacked = tmp.path().join("unpacked");
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(a.join(&zip))
        .arg("-d")
        .arg(&unpacked)
        .output()
        .unwrap();
    assert!(unzip.status.success(), "{}", text(&unzip));
    let bin = unpacked.join(format!("terraform-provider-replication_v{v}"));
    let ver = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ver.stdout).trim(),
        format!("terraform-provider-replication {v}")
    );
}
