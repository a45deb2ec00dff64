//! Provider options for where credentials come from and which account they
//! may belong to: `shared_config_files`, `shared_credentials_files`,
//! `assume_role_with_web_identity { ... }`, `allowed_account_ids` and
//! `forbidden_account_ids` (HCP Terraform's dynamic credentials hand one
//! shared config file per provider configuration; the account lists guard
//! multi-account setups).
//!
//! This file owns those attributes whole: their names, their schema, reading
//! them from the provider block, validating them, and the diagnostics of the
//! account guard. [`super::ProviderConfig`] holds the result and
//! `crate::aws` turns it into a credential chain.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::aws::{AwsError, Secret, WebIdentity, WebIdentityToken};
use crate::tf::{
    Attribute, AttributeKind, AttributePath, Block, BlockNesting, Diagnostic, Diagnostics,
    NestedBlock, Type, Value,
};

use super::resource::model::{Field, FieldSet};
use super::resource::schema::name::{ROLE_ARN, SESSION_NAME};
use super::rules;

/// Attribute and block names of these options.
pub(crate) mod name {
    pub(crate) const SHARED_CONFIG_FILES: &str = "shared_config_files";
    pub(crate) const SHARED_CREDENTIALS_FILES: &str = "shared_credentials_files";
    pub(crate) const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "assume_role_with_web_identity";
    pub(crate) const WEB_IDENTITY_TOKEN: &str = "web_identity_token";
    pub(crate) const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
    pub(crate) const DURATION: &str = "duration";
    pub(crate) const ALLOWED_ACCOUNT_IDS: &str = "allowed_account_ids";
    pub(crate) const FORBIDDEN_ACCOUNT_IDS: &str = "forbidden_account_ids";
}

/// Shortest and longest role session STS grants (DurationSeconds).
const MIN_DURATION: Duration = Duration::from_secs(15 * 60);
const MAX_DURATION: Duration = Duration::from_secs(12 * 3600);

fn optional(name: &str, ty: Type, description: &str) -> Attribute {
    Attribute {
        name: name.to_string(),
        kind: AttributeKind::Type(ty),
        description: description.to_string(),
        required: false,
        optional: true,
        computed: false,
        sensitive: false,
        write_only: false,
        deprecated: false,
    }
}

/// The top-level attributes of the provider block.
pub(crate) fn attributes() -> Vec<Attribute> {
    vec![
        optional(name::SHARED_CONFIG_FILES, Type::list(Type::String), "Shared AWS config files to read instead of `~/.aws/config` (a leading `~` is your home directory). HCP Terraform's dynamic credentials hand one such file per provider configuration: `[var.tfc_aws_dynamic_credentials.default.shared_config_file]`."),
        optional(name::SHARED_CREDENTIALS_FILES, Type::list(Type::String), "Shared AWS credentials files to read instead of `~/.aws/credentials`."),
        optional(name::ALLOWED_ACCOUNT_IDS, Type::set(Type::String), "AWS account IDs the credentials may belong to. Checked with one STS `GetCallerIdentity` call when the provider is configured, before any change; another account is an error. Conflicts with `forbidden_account_ids`."),
        optional(name::FORBIDDEN_ACCOUNT_IDS, Type::set(Type::String), "AWS account IDs the credentials must not belong to, checked like `allowed_account_ids`."),
    ]
}

/// The `assume_role_with_web_identity` block.
pub(crate) fn web_identity_block() -> NestedBlock {
    let mut token = optional(
        name::WEB_IDENTITY_TOKEN,
        Type::String,
        "The OIDC token itself. Exactly one of `web_identity_token` and `web_identity_token_file`.",
    );
    token.sensitive = true;
    NestedBlock {
        type_name: name::ASSUME_ROLE_WITH_WEB_IDENTITY.into(),
        nesting: BlockNesting::Single,
        min_items: 0,
        max_items: 0,
        block: Block {
            attributes: vec![
                Attribute {
                    required: true,
                    optional: false,
                    ..optional(ROLE_ARN, Type::String, "ARN of the IAM role to assume with the token.")
                },
                token,
                optional(name::WEB_IDENTITY_TOKEN_FILE, Type::String, "A file holding the OIDC token, read again whenever the credentials are renewed."),
                optional(SESSION_NAME, Type::String, "Session name for the assumed role. Default: `terraform-provider-replication`."),
                optional(name::DURATION, Type::String, "Lifetime of the role session, a duration such as `1h` from `15m` to `12h` (at most the role's maximum session duration). Default: the role's default, 1 hour."),
            ],
            block_types: vec![],
            description: "Get credentials from STS `AssumeRoleWithWebIdentity` with an OIDC token (CI systems, Kubernetes service accounts) instead of the standard AWS chain. An `assume_role` block still applies on top.".to_string(),
            deprecated: false,
        },
    }
}

/// These options as read from the provider block (unknown and null values
/// left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialOptions {
    pub shared_config_files: Vec<PathBuf>,
    pub shared_credentials_files: Vec<PathBuf>,
    pub web_identity: Option<WebIdentity>,
    pub allowed_account_ids: BTreeSet<String>,
    pub forbidden_account_ids: BTreeSet<String>,
}

fn field<T: super::resource::model::Known>(v: &Value, name: &str) -> Field<T> {
    Field::from_value(v.get_attr(name))
}

fn known_strings(f: &Field<FieldSet<String>>) -> impl Iterator<Item = String> + '_ {
    f.known()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
}

impl CredentialOptions {
    /// Reads the provider block (a null block reads as no options).
    pub(crate) fn from_value(v: &Value) -> Self {
        let paths = |n: &str| known_strings(&field(v, n)).map(PathBuf::from).collect();
        let ids = |n: &str| known_strings(&field(v, n)).collect();
        Self {
            shared_config_files: paths(name::SHARED_CONFIG_FILES),
            shared_credentials_files: paths(name::SHARED_CREDENTIALS_FILES),
            web_identity: v
                .get_attr(name::ASSUME_ROLE_WITH_WEB_IDENTITY)
                .and_then(web_identity),
            allowed_account_ids: ids(name::ALLOWED_ACCOUNT_IDS),
            forbidden_account_ids: ids(name::FORBIDDEN_ACCOUNT_IDS),
        }
    }

    /// True when the account must be checked before any change.
    pub(crate) fn guards_account(&self) -> bool {
        !self.allowed_account_ids.is_empty() || !self.forbidden_account_ids.is_empty()
    }
}

fn web_identity(block: &Value) -> Option<WebIdentity> {
    let s = |n: &str| field::<String>(block, n).as_str().map(str::to_string);
    let token = match (
        s(name::WEB_IDENTITY_TOKEN),
        s(name::WEB_IDENTITY_TOKEN_FILE),
    ) {
        (Some(token), _) => WebIdentityToken::Inline(Secret::new(token)),
        (None, Some(file)) => WebIdentityToken::File(PathBuf::from(file)),
        (None, None) => return None,
    };
    Some(WebIdentity {
        role_arn: s(ROLE_ARN)?,
        token,
        session_name: s(SESSION_NAME),
        duration: s(name::DURATION).and_then(|d| rules::parse_duration(&d).ok()),
    })
}

fn top(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

fn invalid(path: AttributePath, summary: &str, detail: String) -> Diagnostic {
    Diagnostic::error(summary, detail).with_path(path)
}

/// Validates these options of a provider block configuration.
pub(crate) fn validate(config: &Value, d: &mut Diagnostics) {
    for list in [name::SHARED_CONFIG_FILES, name::SHARED_CREDENTIALS_FILES] {
        let f: Field<FieldSet<String>> = field(config, list);
        if known_strings(&f).any(|p| p.trim().is_empty()) {
            d.push(invalid(
                top(list),
                "Invalid File Path",
                format!("{list} holds an empty path."),
            ));
        }
    }
    let mut lists = Vec::new();
    for list in [name::ALLOWED_ACCOUNT_IDS, name::FORBIDDEN_ACCOUNT_IDS] {
        let f: Field<FieldSet<String>> = field(config, list);
        for id in known_strings(&f) {
            if !(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())) {
                d.push(invalid(
                    top(list),
                    "Invalid AWS Account ID",
                    format!("{list} holds {id:?}: an AWS account ID is 12 digits."),
                ));
            }
        }
        if !f.is_null() {
            lists.push(list);
        }
    }
    if lists.len() == 2 {
        d.push(invalid(
            top(name::FORBIDDEN_ACCOUNT_IDS),
            "Conflicting Account Lists",
            "Set allowed_account_ids or forbidden_account_ids, not both.".to_string(),
        ));
    }
    let Some(block) = config
        .get_attr(name::ASSUME_ROLE_WITH_WEB_IDENTITY)
        .filter(|b| b.as_entries().is_some())
    else {
        return;
    };
    let at = |n: &str| top(name::ASSUME_ROLE_WITH_WEB_IDENTITY).attr(n);
    let role: Field<String> = field(block, ROLE_ARN);
    if let Some(arn) = role.as_str() {
        if !(arn.starts_with("arn:") && arn.contains(":role/")) {
            d.push(invalid(
                at(ROLE_ARN),
                "Invalid Role ARN",
                format!("The role ARN {arn:?} must be an IAM role ARN like arn:aws:iam::123456789012:role/name."),
            ));
        }
    }
    let token: Field<String> = field(block, name::WEB_IDENTITY_TOKEN);
    let file: Field<String> = field(block, name::WEB_IDENTITY_TOKEN_FILE);
    if !token.is_null() && !file.is_null() {
        d.push(invalid(
            at(name::WEB_IDENTITY_TOKEN_FILE),
            "Conflicting Web Identity Token",
            "Set web_identity_token or web_identity_token_file, not both.".to_string(),
        ));
    } else if token.is_null() && file.is_null() {
        d.push(invalid(
            top(name::ASSUME_ROLE_WITH_WEB_IDENTITY),
            "Missing Web Identity Token",
            "assume_role_with_web_identity needs web_identity_token or web_identity_token_file."
                .to_string(),
        ));
    }
    let duration: Field<String> = field(block, name::DURATION);
    if let Some(text) = duration.as_str() {
        let reason = match rules::parse_duration(text) {
            Err(e) => Some(e),
            Ok(d) if !(MIN_DURATION..=MAX_DURATION).contains(&d) => {
                Some("must be from 15m to 12h (STS DurationSeconds 900 to 43200)".to_string())
            }
            Ok(_) => None,
        };
        if let Some(reason) = reason {
            d.push(invalid(
                at(name::DURATION),
                "Invalid Duration",
                format!("The session duration {text:?} {reason}."),
            ));
        }
    }
}

/// The account guard's verdict on `account`: an error on the list that
/// rejects it, or `None` when it may be used.
pub(crate) fn check_account(account: &str, options: &CredentialOptions) -> Option<Diagnostic> {
    let list = |ids: &BTreeSet<String>| ids.iter().cloned().collect::<Vec<_>>().join(", ");
    if !options.allowed_account_ids.is_empty() && !options.allowed_account_ids.contains(account) {
        return Some(invalid(
            top(name::ALLOWED_ACCOUNT_IDS),
            "AWS Account Not Allowed",
            format!(
                "The AWS credentials belong to account {account}, which is not in allowed_account_ids ({}). Nothing was changed. Use credentials of an allowed account, or add the account to the list.",
                list(&options.allowed_account_ids)
            ),
        ));
    }
    if options.forbidden_account_ids.contains(account) {
        return Some(invalid(
            top(name::FORBIDDEN_ACCOUNT_IDS),
            "AWS Account Forbidden",
            format!(
                "The AWS credentials belong to account {account}, which is listed in forbidden_account_ids. Nothing was changed. Use credentials of another account."
            ),
        ));
    }
    None
}

/// The error when the account could not be read (the check cannot be
/// skipped: the lists are a guard).
pub(crate) fn account_unknown(err: &AwsError, options: &CredentialOptions) -> Diagnostic {
    let list = if options.allowed_account_ids.is_empty() {
        name::FORBIDDEN_ACCOUNT_IDS
    } else {
        name::ALLOWED_ACCOUNT_IDS
    };
    invalid(
        top(list),
        "Cannot Verify AWS Account",
        format!(
            "{list} is set, so the provider asks STS GetCallerIdentity which account the credentials belong to before any change, and that call failed. Check the credentials (and, for a private endpoint, AWS_ENDPOINT_URL_STS). Nothing was changed.\n\n{err}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn object(attrs: &[(&str, Value)]) -> Value {
        Value::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn strings(xs: &[&str]) -> Value {
        Value::Set(xs.iter().map(|x| Value::string(*x)).collect())
    }

    fn diagnostics(config: &Value) -> Vec<(String, String)> {
        let mut d = Diagnostics::default();
        validate(config, &mut d);
        d.iter()
            .map(|x| {
                (
                    x.summary.clone(),
                    x.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                )
            })
            .collect()
    }

    fn web(attrs: &[(&str, Value)]) -> Value {
        object(&[(name::ASSUME_ROLE_WITH_WEB_IDENTITY, object(attrs))])
    }

    const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

    #[test]
    fn reads_every_option() {
        let config = object(&[
            (
                name::SHARED_CONFIG_FILES,
                Value::List(vec![Value::string("/run/a"), Value::string("~/b")]),
            ),
            (
                name::SHARED_CREDENTIALS_FILES,
                Value::List(vec![Value::string("/run/c")]),
            ),
            (name::ALLOWED_ACCOUNT_IDS, strings(&["111122223333"])),
            (
                name::ASSUME_ROLE_WITH_WEB_IDENTITY,
                object(&[
                    (ROLE_ARN, Value::string(ROLE)),
                    (name::WEB_IDENTITY_TOKEN_FILE, Value::string("/run/token")),
                    (SESSION_NAME, Value::string("ci")),
                    (name::DURATION, Value::string("2h")),
                ]),
            ),
        ]);
        let o = CredentialOptions::from_value(&config);
        assert_eq!(
            o.shared_config_files,
            [PathBuf::from("/run/a"), PathBuf::from("~/b")]
        );
        assert_eq!(o.shared_credentials_files, [PathBuf::from("/run/c")]);
        assert_eq!(
            o.allowed_account_ids,
            BTreeSet::from(["111122223333".to_string()])
        );
        assert!(o.forbidden_account_ids.is_empty() && o.guards_account());
        assert_eq!(
            o.web_identity,
            Some(WebIdentity {
                role_arn: ROLE.into(),
                token: WebIdentityToken::File("/run/token".into()),
                session_name: Some("ci".into()),
                duration: Some(Duration::from_secs(7200)),
            })
        );
        assert!(
            diagnostics(&config).is_empty(),
            "{:?}",
            diagnostics(&config)
        );
    }

    #[test]
    fn a_null_block_reads_as_no_options() {
        let o = CredentialOptions::from_value(&Value::Null);
        assert_eq!(o, CredentialOptions::default());
        assert!(!o.guards_account());
        assert!(diagnostics(&Value::Null).is_empty());
    }

    #[test]
    fn an_inline_token_never_shows_in_debug_output() {
        let config = web(&[
            (ROLE_ARN, Value::string(ROLE)),
            (
                name::WEB_IDENTITY_TOKEN,
                Value::string("eyJhbGciOi.secret-part"),
            ),
        ]);
        let o = CredentialOptions::from_value(&config);
        assert!(matches!(
            o.web_identity.as_ref().map(|w| &w.token),
            Some(WebIdentityToken::Inline(t)) if t.expose() == "eyJhbGciOi.secret-part"
        ));
        assert!(!format!("{o:?}").contains("secret-part"));
        assert!(web_identity_block()
            .block
            .attributes
            .iter()
            .any(|a| a.name == name::WEB_IDENTITY_TOKEN && a.sensitive));
    }

    #[test]
    fn bad_values_are_errors_on_their_attribute() {
        let web_path = |n: &str| top(name::ASSUME_ROLE_WITH_WEB_IDENTITY).attr(n).to_string();
        let cases: Vec<(Value, (&str, String))> = vec![
            (
                object(&[(name::ALLOWED_ACCOUNT_IDS, strings(&["12345"]))]),
                (
                    "Invalid AWS Account ID",
                    top(name::ALLOWED_ACCOUNT_IDS).to_string(),
                ),
            ),
            (
                object(&[(name::FORBIDDEN_ACCOUNT_IDS, strings(&["11112222333a"]))]),
                (
                    "Invalid AWS Account ID",
                    top(name::FORBIDDEN_ACCOUNT_IDS).to_string(),
                ),
            ),
            (
                object(&[
                    (name::ALLOWED_ACCOUNT_IDS, strings(&["111122223333"])),
                    (name::FORBIDDEN_ACCOUNT_IDS, strings(&["444455556666"])),
                ]),
                (
                    "Conflicting Account Lists",
                    top(name::FORBIDDEN_ACCOUNT_IDS).to_string(),
                ),
            ),
            (
                object(&[(
                    name::SHARED_CONFIG_FILES,
                    Value::List(vec![Value::string(" ")]),
                )]),
                (
                    "Invalid File Path",
                    top(name::SHARED_CONFIG_FILES).to_string(),
                ),
            ),
            (
                web(&[(ROLE_ARN, Value::string(ROLE))]),
                (
                    "Missing Web Identity Token",
                    top(name::ASSUME_ROLE_WITH_WEB_IDENTITY).to_string(),
                ),
            ),
            (
                web(&[
                    (ROLE_ARN, Value::string(ROLE)),
                    (name::WEB_IDENTITY_TOKEN, Value::string("t")),
                    (name::WEB_IDENTITY_TOKEN_FILE, Value::string("/f")),
                ]),
                (
                    "Conflicting Web Identity Token",
                    web_path(name::WEB_IDENTITY_TOKEN_FILE),
                ),
            ),
            (
                web(&[
                    (ROLE_ARN, Value::string("arn:aws:iam::123456789012:user/me")),
                    (name::WEB_IDENTITY_TOKEN, Value::string("t")),
                ]),
                ("Invalid Role ARN", web_path(ROLE_ARN)),
            ),
            (
                web(&[
                    (ROLE_ARN, Value::string(ROLE)),
                    (name::WEB_IDENTITY_TOKEN, Value::string("t")),
                    (name::DURATION, Value::string("10m")),
                ]),
                ("Invalid Duration", web_path(name::DURATION)),
            ),
            (
                web(&[
                    (ROLE_ARN, Value::string(ROLE)),
                    (name::WEB_IDENTITY_TOKEN, Value::string("t")),
                    (name::DURATION, Value::string("13h")),
                ]),
                ("Invalid Duration", web_path(name::DURATION)),
            ),
            (
                web(&[
                    (ROLE_ARN, Value::string(ROLE)),
                    (name::WEB_IDENTITY_TOKEN, Value::string("t")),
                    (name::DURATION, Value::string("soon")),
                ]),
                ("Invalid Duration", web_path(name::DURATION)),
            ),
        ];
        for (config, (summary, path)) in cases {
            assert_eq!(
                diagnostics(&config),
                [(summary.to_string(), path)],
                "{config:?}"
            );
        }
        // Unknown values (known only at apply) are not judged.
        let unknown = object(&[
            (name::ALLOWED_ACCOUNT_IDS, Value::Unknown),
            (name::FORBIDDEN_ACCOUNT_IDS, strings(&["444455556666"])),
        ]);
        assert_eq!(
            diagnostics(&unknown),
            [(
                "Conflicting Account Lists".to_string(),
                top(name::FORBIDDEN_ACCOUNT_IDS).to_string()
            )]
        );
    }

    #[test]
    fn the_account_guard() {
        let allowed = CredentialOptions {
            allowed_account_ids: BTreeSet::from(["111122223333".to_string()]),
            ..CredentialOptions::default()
        };
        assert!(check_account("111122223333", &allowed).is_none());
        let d = check_account("444455556666", &allowed).unwrap();
        assert!(d.is_error());
        assert_eq!(d.summary, "AWS Account Not Allowed");
        assert_eq!(d.path, Some(top(name::ALLOWED_ACCOUNT_IDS)));
        assert!(d.detail.contains("444455556666") && d.detail.contains("111122223333"));

        let forbidden = CredentialOptions {
            forbidden_account_ids: BTreeSet::from(["444455556666".to_string()]),
            ..CredentialOptions::default()
        };
        assert!(check_account("111122223333", &forbidden).is_none());
        let d = check_account("444455556666", &forbidden).unwrap();
        assert_eq!(d.summary, "AWS Account Forbidden");
        assert_eq!(d.path, Some(top(name::FORBIDDEN_ACCOUNT_IDS)));

        let err = AwsError::local(
            "GetCallerIdentity",
            "us-east-1",
            crate::aws::ErrorKind::Other,
            "no credentials",
        );
        let d = account_unknown(&err, &forbidden);
        assert_eq!(d.path, Some(top(name::FORBIDDEN_ACCOUNT_IDS)));
        assert!(d
            .detail
            .ends_with("GetCallerIdentity in us-east-1: no credentials"));
    }
}
