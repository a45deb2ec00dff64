//! The release kit: the glibc check `make portable-check` relies on, and the
//! release workflow (actionlint, and its build steps being the ones
//! `make release` runs).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{text, PROVIDER_BIN};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check_glibc(max: &str, bin: &Path) -> std::process::Output {
    Command::new(root().join("scripts/check-glibc.sh"))
        .arg(max)
        .arg(bin)
        .output()
        .unwrap()
}

#[test]
fn glibc_check_rejects_a_binary_needing_a_newer_glibc() {
    // Every x86_64 glibc binary references GLIBC_2.2.5, the architecture's
    // first version, so a limit below it must fail and name the symbols.
    let out = check_glibc("2.2.4", Path::new(PROVIDER_BIN));
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("needs glibc newer than 2.2.4") && stderr.contains("@GLIBC_2.2.5 "),
        "{}",
        text(&out)
    );
    // A limit above every release passes and reports the newest version used.
    let out = check_glibc("99.0", Path::new(PROVIDER_BIN));
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("newest GLIBC symbol version 2."),
        "{}",
        text(&out)
    );
}

#[test]
fn glibc_check_rejects_a_file_that_is_not_a_glibc_binary() {
    let out = check_glibc("2.17", &root().join("scripts/check-glibc.sh"));
    assert!(!out.status.success(), "{}", text(&out));
}

fn workflow() -> String {
    std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap()
}

#[test]
fn release_workflow_passes_actionlint() {
    let linter = root().join(".tools/actionlint/package/main.wasm");
    assert!(
        linter.is_file(),
        "{} is missing: run `make tools`",
        linter.display()
    );
    let out = Command::new("node")
        .arg(root().join("scripts/actionlint.cjs"))
        .arg(".github/workflows/release.yml")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 file(s), 0 problem(s)"),
        "{}",
        text(&out)
    );
}

#[test]
fn release_workflow_builds_five_platforms_with_the_release_script() {
    let wf = workflow();
    for (platform, target) in [
        ("linux_amd64", "x86_64-unknown-linux-gnu"),
        ("linux_arm64", "aarch64-unknown-linux-gnu"),
        ("darwin_amd64", "x86_64-apple-darwin"),
        ("darwin_arm64", "aarch64-apple-darwin"),
        ("windows_amd64", "x86_64-pc-windows-msvc"),
    ] {
        assert!(
            wf.contains(&format!("- platform: {platform}\n"))
                && wf.contains(&format!("target: {target}\n")),
            "{platform} ({target}) is not in the build matrix"
        );
    }
    // Builds go through the script `make release` runs, checksums and
    // signatures through its `sums` step; nothing calls cargo directly.
    assert!(wf.contains("run: ./scripts/release.sh build\n"));
    assert!(wf.contains("./scripts/release.sh sums\n"));
    assert!(!wf.contains("cargo build") && !wf.contains("cargo zigbuild"));
    let makefile = std::fs::read_to_string(root().join("Makefile")).unwrap();
    assert!(makefile.contains("release: tools\n\t./scripts/release.sh\n"));
    assert!(wf.contains("secrets.GPG_PRIVATE_KEY"));
}

/// The actions (`rds:...`, `cloudwatch:...`) of the JSON policy that
/// follows `heading` in `text`.
fn policy_after(text: &str, heading: &str) -> std::collections::BTreeSet<String> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} missing"));
    let rest = &text[start..];
    let open = rest.find("```json\n").unwrap() + "```json\n".len();
    let close = open + rest[open..].find("```").unwrap();
    let policy: serde_json::Value = serde_json::from_str(&rest[open..close]).unwrap();
    policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn hcp_guide_policies_match_the_code() {
    let guide = std::fs::read_to_string(root().join("docs/guides/hcp-terraform.md")).unwrap();
    let used = crate::docs::aws_actions_in_code();
    // A plan (refresh, read, import, the lag of a primary move) only reads.
    let read_only: std::collections::BTreeSet<String> = used
        .iter()
        .filter(|a| {
            let action = a.split_once(':').map_or(a.as_str(), |(_, n)| n);
            ["Describe", "List", "Get"]
                .iter()
                .any(|p| action.starts_with(p))
        })
        .cloned()
        .collect();
    assert!(
        read_only.contains("rds:DescribeGlobalClusters")
            && read_only.contains("cloudwatch:GetMetricData"),
        "{read_only:?}"
    );
    assert_eq!(policy_after(&guide, "### Plan role policy"), read_only);
    assert_eq!(policy_after(&guide, "### Apply role policy"), used);
}
