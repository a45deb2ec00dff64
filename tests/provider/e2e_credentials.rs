//! End-to-end with real hosts: credentials from `assume_role_with_web_identity`
//! and from a shared config file in HCP Terraform's dynamic-credentials shape,
//! and the account guard (`allowed_account_ids` / `forbidden_account_ids`),
//! against a local STS stand-in (AssumeRoleWithWebIdentity,
//! GetCallerIdentity; `AWS_ENDPOINT_URL_STS` points the provider at it) and
//! the emulator for RDS.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::common::{self, config, gci, per_host, regions, text, Emu, Host, Workdir};

const SCALE: f64 = 0.003;
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.stub-oidc-token.signature";
const ROLE: &str = "arn:aws:iam::111122223333:role/apply";
/// The account of the role the stand-in hands out.
const ROLE_ACCOUNT: &str = "111122223333";
/// The account of any other credentials (the static test keys).
const STATIC_ACCOUNT: &str = "999999999999";
const WEB_KEY: &str = "ASIASTUBWEBIDENTITY1";

/// One request the STS stand-in answered.
#[derive(Debug, Clone)]
struct StsCall {
    action: String,
    params: BTreeMap<String, String>,
    /// The access key in the SigV4 Authorization header, if signed.
    access_key: Option<String>,
}

/// A loopback STS answering the two calls the provider makes.
struct StsStub {
    addr: SocketAddr,
    calls: Arc<Mutex<Vec<StsCall>>>,
}

impl StsStub {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        StsStub { addr, calls }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn calls(&self) -> Vec<StsCall> {
        self.calls.lock().unwrap().clone()
    }

    fn actions(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.action).collect()
    }
}

fn form_decode(s: &str) -> String {
    let bytes = s.replace('+', " ");
    let b = bytes.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Serves requests on one connection until the client closes it.
fn serve(stream: TcpStream, log: &Mutex<Vec<StsCall>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let params: BTreeMap<String, String> = String::from_utf8_lossy(&body)
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (form_decode(k), form_decode(v)))
            .collect();
        let access_key = headers.get("authorization").and_then(|a| {
            a.split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').next())
                .map(str::to_string)
        });
        let action = params.get("Action").cloned().unwrap_or_default();
        let (status, xml) = answer(&action, &params, access_key.as_deref());
        log.lock().unwrap().push(StsCall {
            action,
            params,
            access_key,
        });
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
            xml.len()
        );
        if out.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn answer(
    action: &str,
    params: &BTreeMap<String, String>,
    key: Option<&str>,
) -> (&'static str, String) {
    const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
    match action {
        "AssumeRoleWithWebIdentity"
            if params.get("WebIdentityToken").map(String::as_str) == Some(TOKEN) =>
        {
            (
                "200 OK",
                format!(
                    r#"<AssumeRoleWithWebIdentityResponse xmlns="{NS}"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>{WEB_KEY}</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey><SessionToken>stub-session-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><SubjectFromWebIdentityToken>organization:acme:workspace:orders:run_phase:apply</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/apply/{}</Arn><AssumedRoleId>AROASTUB:{}</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>stub-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"#,
                    params.get("RoleSessionName").cloned().unwrap_or_default(),
                    params.get("RoleSessionName").cloned().unwrap_or_default(),
                ),
            )
        }
        "AssumeRoleWithWebIdentity" => (
            "400 Bad Request",
            format!(
                r#"<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>The token is not valid.</Message></Error><RequestId>stub-2</RequestId></ErrorResponse>"#
            ),
        ),
        "GetCallerIdentity" => {
            let account = if key == Some(WEB_KEY) {
                ROLE_ACCOUNT
            } else {
                STATIC_ACCOUNT
            };
            (
                "200 OK",
                format!(
                    r#"<GetCallerIdentityResponse xmlns="{NS}"><GetCallerIdentityResult><Arn>arn:aws:sts::{account}:assumed-role/apply/run</Arn><UserId>AROASTUB:run</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>stub-3</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#
                ),
            )
        }
        _ => (
            "400 Bad Request",
            format!(
                r#"<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not served here</Message></Error><RequestId>stub-4</RequestId></ErrorResponse>"#
            ),
        ),
    }
}

/// A one-region topology whose provider block carries `options`.
fn topology(emu: &Emu, id: &str, options: &str) -> String {
    config(
        emu,
        id,
        &(r#"  engine_version      = "16.4"
  master_password     = "correct-horse-battery"
  primary_region      = "us-east-1"
  skip_final_snapshot = true
"#
        .to_string()
            + &regions(&[
                r#"    "us-east-1" = { instance_class = "db.r6g.large", instances = { a = {} } }"#,
            ])),
    )
    .replacen(
        "provider \"replication\" {\n",
        &format!("provider \"replication\" {{\n{options}\n"),
        1,
    )
}

/// Runs the host with the STS stand-in as the STS endpoint; `no_static_keys`
/// blanks the static test keys so only the configured source can answer.
fn run(
    w: &Workdir,
    host: &Host,
    sts: &StsStub,
    args: &[&str],
    no_static_keys: bool,
) -> std::process::Output {
    let url = sts.url();
    let mut env: Vec<(&str, &str)> = vec![
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_CONFIG_FILE", "/nonexistent/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
    ];
    env.extend(common::FAST_POLL);
    if no_static_keys {
        env.extend([("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")]);
    }
    w.run_env(host, args, &env)
}

#[test]
fn web_identity_credentials_pass_the_account_guard_and_apply() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let sts = StsStub::start();
        let id = gci("webid", host);
        let token_file = std::env::temp_dir().join(format!("replication-token-{id}"));
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
        let options = format!(
            r#"  allowed_account_ids = ["{ROLE_ACCOUNT}"]
  assume_role_with_web_identity {{
    role_arn                = "{ROLE}"
    web_identity_token_file = "{}"
    session_name            = "ci-run"
    duration                = "2h"
  }}"#,
            token_file.display()
        );
        let w = Workdir::new(&topology(&emu, &id, &options));
        let out = run(
            &w,
            host,
            &sts,
            &["apply", "-auto-approve", "-no-color"],
            true,
        );
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        assert!(emu.observe(&id).is_some(), "{}: nothing created", host.name);

        let calls = sts.calls();
        let assume: Vec<&StsCall> = calls
            .iter()
            .filter(|c| c.action == "AssumeRoleWithWebIdentity")
            .collect();
        assert!(!assume.is_empty(), "{}: {calls:?}", host.name);
        for c in &assume {
            assert_eq!(c.params["RoleArn"], ROLE, "{}", host.name);
            assert_eq!(c.params["RoleSessionName"], "ci-run", "{}", host.name);
            assert_eq!(c.params["DurationSeconds"], "7200", "{}", host.name);
            assert_eq!(c.params["WebIdentityToken"], TOKEN, "{}", host.name);
        }
        // The guard asked with the role's credentials, once per configure.
        let who: Vec<&StsCall> = calls
            .iter()
            .filter(|c| c.action == "GetCallerIdentity")
            .collect();
        assert!(!who.is_empty(), "{}: {calls:?}", host.name);
        assert!(
            who.iter().all(|c| c.access_key.as_deref() == Some(WEB_KEY)),
            "{}: {who:?}",
            host.name
        );
        // The token never reaches the host's output.
        assert!(!text(&out).contains(TOKEN), "{}", host.name);
        let _ = std::fs::remove_file(&token_file);
    });
}

#[test]
fn a_forbidden_or_unlisted_account_stops_before_any_rds_call() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let sts = StsStub::start();
        let id = gci("guard", host);
        for (options, summary, attribute) in [
            (
                format!("  forbidden_account_ids = [\"{STATIC_ACCOUNT}\"]"),
                "AWS Account Forbidden",
                "forbidden_account_ids",
            ),
            (
                format!("  allowed_account_ids = [\"{ROLE_ACCOUNT}\"]"),
                "AWS Account Not Allowed",
                "allowed_account_ids",
            ),
        ] {
            emu.clear_calls();
            let w = Workdir::new(&topology(&emu, &id, &options));
            let out = run(
                &w,
                host,
                &sts,
                &["apply", "-auto-approve", "-no-color"],
                false,
            );
            assert!(!out.status.success(), "{}: {}", host.name, text(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(summary)
                    && stderr.contains(STATIC_ACCOUNT)
                    && stderr.contains(attribute),
                "{}: {}",
                host.name,
                text(&out)
            );
            assert!(
                emu.calls().is_empty(),
                "{}: RDS was called: {:?}",
                host.name,
                emu.calls()
            );
            assert!(emu.observe(&id).is_none(), "{}", host.name);
        }
        assert!(
            sts.actions().iter().all(|a| a == "GetCallerIdentity") && !sts.actions().is_empty(),
            "{}: {:?}",
            host.name,
            sts.actions()
        );
    });
}

/// HCP Terraform's dynamic credentials write a shared config file per
/// provider configuration (role_arn + web_identity_token_file in a profile)
/// and hand its path to `shared_config_files`.
#[test]
fn a_shared_config_file_in_hcp_terraform_shape_supplies_the_credentials() {
    per_host(|host| {
        let emu = Emu::start(SCALE);
        let sts = StsStub::start();
        let id = gci("hcpcfg", host);
        let w = Workdir::new("");
        let token_file = w.path().join("tfc-aws-token");
        std::fs::write(&token_file, TOKEN).unwrap();
        let config_file = w.path().join("tfc-aws-shared-config");
        std::fs::write(
            &config_file,
            format!(
                "[default]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\n",
                token_file.display()
            ),
        )
        .unwrap();
        let options = format!(
            "  shared_config_files = [\"{}\"]\n  allowed_account_ids = [\"{ROLE_ACCOUNT}\"]",
            config_file.display()
        );
        w.write("main.tf", &topology(&emu, &id, &options));
        let out = run(&w, host, &sts, &["plan", "-no-color"], true);
        assert!(out.status.success(), "{}: {}", host.name, text(&out));
        let calls = sts.calls();
        assert!(
            calls.iter().any(|c| c.action == "AssumeRoleWithWebIdentity"
                && c.params.get("RoleArn").map(String::as_str) == Some(ROLE)),
            "{}: {calls:?}",
            host.name
        );
        assert!(
            calls.iter().any(
                |c| c.action == "GetCallerIdentity" && c.access_key.as_deref() == Some(WEB_KEY)
            ),
            "{}: {calls:?}",
            host.name
        );
        // Without the file the chain has nothing, and the guard says so on
        // its attribute instead of going ahead.
        w.write(
            "main.tf",
            &topology(
                &emu,
                &id,
                &format!("  allowed_account_ids = [\"{ROLE_ACCOUNT}\"]"),
            ),
        );
        let out = run(&w, host, &sts, &["plan", "-no-color"], true);
        assert!(!out.status.success(), "{}: {}", host.name, text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Cannot Verify AWS Account"),
            "{}: {}",
            host.name,
            text(&out)
        );
    });
}
