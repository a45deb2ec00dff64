//! hclog-compatible JSON logging on stderr.
//!
//! go-plugin reads each line the provider writes to stderr; a line that is a
//! JSON object with `@level`, `@message`, `@module` and `@timestamp` is
//! re-emitted by the host at that level, so `TF_LOG=debug` or
//! `TF_LOG_PROVIDER=trace` shows it. Everything is logged through `tracing`;
//! this module is the only subscriber.
//!
//! Secrets are never passed to a log macro in the first place (passwords
//! travel in a redacting newtype); this layer adds no second filter.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use crate::tf::json::write;

/// The `@module` every line carries.
pub const MODULE: &str = "provider.terraform-provider-replication";

/// Installs the JSON layer as the global subscriber. The level comes from
/// `TF_LOG_PROVIDER`, then `TF_LOG` (as the host sets them), default INFO:
/// go-plugin filters again on its side, so this only saves work.
pub fn init() {
    let level = ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|k| std::env::var(k).ok())
        .and_then(|v| parse_level(&v))
        .unwrap_or(Level::INFO);
    let _ = tracing_subscriber::registry()
        .with(HclogLayer { max: level })
        .try_init();
}

fn parse_level(s: &str) -> Option<Level> {
    match s.trim().to_ascii_lowercase().as_str() {
        "trace" | "json" => Some(Level::TRACE),
        "debug" => Some(Level::DEBUG),
        "info" => Some(Level::INFO),
        "warn" => Some(Level::WARN),
        "error" => Some(Level::ERROR),
        _ => None,
    }
}

struct HclogLayer {
    max: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        allowed(meta.target(), *meta.level(), self.max)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let line = render(event);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
    }
}

/// Our own events pass at the host's level; libraries (h2, hyper, the SDK)
/// only when they warn, so `TF_LOG=debug` stays readable.
fn allowed(target: &str, level: Level, max: Level) -> bool {
    let ours = target.starts_with("terraform_provider_replication");
    let max = if ours { max } else { max.min(Level::WARN) };
    level <= max
}

/// A field's value in a log line.
enum FieldValue {
    Str(String),
    I64(i64),
    U64(u64),
    Bool(bool),
    F64(f64),
}

impl FieldValue {
    fn write(&self, out: &mut String) {
        match self {
            FieldValue::Str(s) => write::string(out, s),
            FieldValue::I64(n) => {
                let _ = write!(out, "{n}");
            }
            FieldValue::U64(n) => {
                let _ = write!(out, "{n}");
            }
            FieldValue::Bool(b) => write::bool(out, *b),
            FieldValue::F64(f) => write::float(out, *f),
        }
    }
}

/// Renders one event as an hclog JSON line (with trailing newline): keys in
/// sorted order, an event field named like an `@` key replacing it.
fn render(event: &Event<'_>) -> String {
    let meta = event.metadata();
    let mut fields = BTreeMap::new();
    let mut visitor = JsonVisitor {
        message: String::new(),
        fields: &mut fields,
    };
    event.record(&mut visitor);
    let message = visitor.message;
    let level = match *meta.level() {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    let mut obj = BTreeMap::new();
    obj.insert("@level".to_owned(), FieldValue::Str(level.into()));
    obj.insert("@message".to_owned(), FieldValue::Str(message));
    obj.insert("@module".to_owned(), FieldValue::Str(MODULE.into()));
    obj.insert("@timestamp".to_owned(), FieldValue::Str(timestamp()));
    obj.insert(
        "@caller".to_owned(),
        FieldValue::Str(meta.target().to_owned()),
    );
    obj.extend(fields);
    let mut out = String::new();
    let Ok(()) = write::object(&mut out, &obj, |out, v| {
        v.write(out);
        Ok::<(), Infallible>(())
    });
    out.push('\n');
    out
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let mut s = String::with_capacity(32);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    s
}

struct JsonVisitor<'a> {
    message: String,
    fields: &'a mut BTreeMap<String, FieldValue>,
}

impl Visit for JsonVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields
                .insert(field.name().into(), FieldValue::Str(value.into()));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields
            .insert(field.name().into(), FieldValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields
            .insert(field.name().into(), FieldValue::U64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields
            .insert(field.name().into(), FieldValue::Bool(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields
            .insert(field.name().into(), FieldValue::F64(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields
                .insert(field.name().into(), FieldValue::Str(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_like_the_host() {
        assert_eq!(parse_level("DEBUG"), Some(Level::DEBUG));
        assert_eq!(parse_level("trace"), Some(Level::TRACE));
        assert_eq!(parse_level("json"), Some(Level::TRACE));
        assert_eq!(parse_level("off"), None);
    }

    #[test]
    fn library_chatter_is_held_back_to_warnings() {
        let ours = "terraform_provider_replication::aws::wait";
        assert!(allowed(ours, Level::DEBUG, Level::DEBUG));
        assert!(!allowed(ours, Level::TRACE, Level::DEBUG));
        assert!(!allowed(
            "h2::codec::framed_write",
            Level::DEBUG,
            Level::TRACE
        ));
        assert!(allowed("aws_smithy_runtime", Level::WARN, Level::TRACE));
        assert!(!allowed("hyper", Level::WARN, Level::ERROR));
    }

    /// Captures rendered lines instead of writing them to stderr.
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            self.0.lock().unwrap().push(render(event));
        }
    }

    #[test]
    fn lines_are_hclog_json_objects_with_sorted_keys() {
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                region = "eu-west-1",
                note = "say \"hi\"\n",
                attempt = 3u64,
                delta = -2i64,
                ok = true,
                ratio = 0.5,
                "slow \\ call"
            );
        });
        let lines = lines.lock().unwrap();
        let [line] = lines.as_slice() else {
            panic!("one line expected: {lines:?}");
        };
        assert!(line.ends_with("}\n"), "{line}");
        let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(parsed["@level"], "warn");
        assert_eq!(parsed["@message"], "slow \\ call");
        assert_eq!(parsed["@module"], MODULE);
        assert_eq!(parsed["note"], "say \"hi\"\n");
        assert_eq!(parsed["attempt"], 3);
        assert_eq!(parsed["delta"], -2);
        assert_eq!(parsed["ok"], true);
        assert_eq!(parsed["ratio"], 0.5);
        // Keys in sorted order, as the host has always seen them.
        assert!(
            line.starts_with("{\"@caller\":\"terraform_provider_replication::logging::tests\",\"@level\":\"warn\",\"@message\":\"slow \\\\ call\","),
            "{line}"
        );
    }

    #[test]
    fn timestamp_is_rfc3339_utc_with_micros() {
        let t = timestamp();
        assert_eq!(t.len(), "2026-11-26T07:50:00.123456Z".len(), "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
