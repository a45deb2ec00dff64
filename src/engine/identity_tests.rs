//! The engine's identity and list paths over a small resource whose
//! identity is `{ account_id, name }`.

use super::*;
use crate::tf::{Attribute, Block, IdentityAttribute};

const ACCOUNT: &str = "111122223333";

struct Named {
    schema: Schema,
    identity: IdentitySchema,
}

fn named() -> Named {
    Named {
        schema: Schema::new(
            0,
            Block::new().attributes(vec![
                Attribute::required("name", Type::String),
                Attribute::computed("account", Type::String),
            ]),
        ),
        identity: IdentitySchema {
            version: 0,
            attributes: vec![
                IdentityAttribute::optional("account_id", Type::String, "a"),
                IdentityAttribute::required("name", Type::String, "n"),
            ],
        },
    }
}

fn state(name: &str) -> Value {
    Value::object([
        ("name", Value::string(name)),
        ("account", Value::string(ACCOUNT)),
    ])
}

fn identity(account: Value, name: &str) -> Value {
    Value::object([("account_id", account), ("name", Value::string(name))])
}

#[async_trait]
impl Resource<()> for Named {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, _: &Value, _: ClientCapabilities) -> Diagnostics {
        Diagnostics::default()
    }
    async fn plan(&self, _: &Ctx<()>, req: PlanRequest) -> PlanResponse {
        PlanResponse {
            planned: req.proposed,
            ..Default::default()
        }
    }
    async fn apply(&self, _: &Ctx<()>, req: ApplyRequest) -> StateResponse {
        StateResponse {
            state: req.planned,
            ..Default::default()
        }
    }
    async fn read(&self, _: &Ctx<()>, state: Value, _: Vec<u8>) -> StateResponse {
        StateResponse {
            state,
            ..Default::default()
        }
    }
    async fn import(&self, _: &Ctx<()>, id: &str) -> StateResponse {
        StateResponse {
            state: state(id),
            ..Default::default()
        }
    }
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity)
    }
    fn identity_of(&self, state: &Value) -> Value {
        if state.is_null() {
            return Value::Null;
        }
        let get = |k| state.get_attr(k).cloned().unwrap_or(Value::Null);
        Value::object([("account_id", get("account")), ("name", get("name"))])
    }
    fn import_id(&self, identity: &Value) -> Option<String> {
        identity
            .get_attr("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// A list resource that sends a fixed sequence of items.
struct Fixed {
    schema: Schema,
    items: Vec<ListItem>,
}

#[async_trait]
impl ListResource<()> for Fixed {
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn list(&self, _: &Ctx<()>, _: ListRequest, out: &mut ListSink) {
        for item in &self.items {
            if !out.send(item.clone()).await {
                return;
            }
        }
    }
}

struct P {
    items: Vec<ListItem>,
}

#[async_trait]
impl Provider for P {
    type Meta = ();
    fn schema(&self) -> &Schema {
        static EMPTY: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        EMPTY.get_or_init(|| Schema::new(0, Block::new()))
    }
    fn validate(&self, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn configure(&self, _: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }
    fn resources(&self) -> BTreeMap<String, Arc<dyn Resource<()>>> {
        BTreeMap::from([(
            "thing".to_owned(),
            Arc::new(named()) as Arc<dyn Resource<()>>,
        )])
    }
    fn data_sources(&self) -> BTreeMap<String, Arc<dyn DataSource<()>>> {
        BTreeMap::new()
    }
    fn list_resources(&self) -> BTreeMap<String, Arc<dyn ListResource<()>>> {
        let l = Fixed {
            schema: Schema::new(0, Block::new()),
            items: self.items.clone(),
        };
        BTreeMap::from([("thing".to_owned(), Arc::new(l) as Arc<dyn ListResource<()>>)])
    }
}

fn found(name: &str, object: Option<Value>) -> ListItem {
    ListItem {
        identity: identity(Value::string(ACCOUNT), name),
        display_name: name.to_owned(),
        resource_object: object,
        diagnostics: Diagnostics::default(),
    }
}

/// Lists with `limit` and collects (display name, error summaries) per item.
async fn list(items: Vec<ListItem>, limit: i64) -> Vec<(String, Vec<String>)> {
    let server = Server::new(P { items });
    let (tx, mut rx) = mpsc::channel(16);
    let req = ListRequest {
        config: Value::Null,
        include_resource_object: true,
        limit,
    };
    server
        .list("thing", req, ClientCapabilities::default(), tx)
        .await;
    let mut out = Vec::new();
    while let Some(item) = rx.recv().await {
        let errors = item
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::tf::Severity::Error)
            .map(|d| d.detail.clone())
            .collect();
        out.push((item.display_name, errors));
    }
    out
}

#[tokio::test]
async fn listing_stops_at_the_hosts_limit() {
    let items: Vec<_> = ["a", "b", "c", "d"].map(|n| found(n, None)).into();
    let got = list(items, 2).await;
    assert_eq!(got, vec![("a".into(), vec![]), ("b".into(), vec![])]);
    assert_eq!(list(vec![found("a", None)], 0).await, vec![]);
}

#[tokio::test]
async fn a_listed_identity_must_be_known_and_match_its_object() {
    let mut unknown = found("a", None);
    unknown.identity = identity(Value::Unknown, "a");
    let got = list(vec![found("z", None), unknown, found("b", None)], 10).await;
    assert_eq!(got.len(), 2, "the listing ends at the bad item: {got:?}");
    assert_eq!(got[0], ("z".into(), vec![]));
    assert!(
        got[1]
            .1
            .iter()
            .any(|e| e.contains("account_id: identity attribute is unknown")),
        "{got:?}"
    );

    // The object is "b", the identity says "a".
    let got = list(vec![found("a", Some(state("b")))], 10).await;
    assert!(
        got[0].1.iter().any(|e| e.contains("is not the identity")),
        "{got:?}"
    );
    let got = list(vec![found("a", Some(state("a")))], 10).await;
    assert_eq!(got, vec![("a".into(), vec![])]);
}

fn server() -> Server<P> {
    Server::new(P { items: vec![] })
}

fn summaries(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|d| d.summary.clone()).collect()
}

#[tokio::test]
async fn import_by_identity_fills_in_and_checks_the_account() {
    let caps = ClientCapabilities::default();
    let s = server();
    let ok = s
        .import_by_identity("thing", &identity(Value::Null, "x"), caps)
        .await;
    assert_eq!(summaries(&ok.diagnostics), Vec::<String>::new());
    assert_eq!(ok.state, state("x"));

    let other = s
        .import_by_identity("thing", &identity(Value::string("999999999999"), "x"), caps)
        .await;
    assert_eq!(
        summaries(&other.diagnostics),
        ["Import Identity Does Not Match"]
    );
    assert!(other.state.is_null());

    let missing = Value::object([
        ("account_id", Value::string(ACCOUNT)),
        ("name", Value::Null),
    ]);
    let missing = s.import_by_identity("thing", &missing, caps).await;
    assert_eq!(summaries(&missing.diagnostics), ["Invalid Import Identity"]);
}

#[test]
fn identity_that_changes_for_the_same_object_is_a_provider_bug() {
    let s = server();
    let before = identity(Value::string("000000000000"), "x");
    let (id, d) = s.identity(
        "thing",
        &state("x"),
        IdentityCheck::Same { before: &before },
    );
    assert_eq!(id, identity(Value::string(ACCOUNT), "x"));
    assert_eq!(summaries(&d), ["Provider Produced An Invalid Response"]);
    let (_, d) = s.identity(
        "thing",
        &state("x"),
        IdentityCheck::Same {
            before: &identity(Value::string(ACCOUNT), "x"),
        },
    );
    assert!(d.is_empty());
    // A destroyed object has no identity.
    let (id, d) = s.identity(
        "thing",
        &Value::Null,
        IdentityCheck::Same { before: &before },
    );
    assert!(id.is_null() && d.is_empty());
}
