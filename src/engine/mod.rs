//! The engine between the wire and the resources: it owns the provider's
//! schemas, dispatches each RPC to the resource or data source it names,
//! pre-fills responses, and checks Terraform's plan and apply rules
//! ([`check_plan`], [`check_apply`]) before a reply leaves, so a provider bug
//! surfaces as a clear provider diagnostic, pointing at the offending
//! attribute, instead of Terraform's "produced an invalid plan".
//!
//! Nothing here knows about gRPC or AWS.

#[cfg(test)]
mod identity_tests;
pub(crate) mod invariants;

pub use invariants::{
    apply_violations, check_apply, check_plan, identity_violations, plan_violations, IdentityCheck,
    Violation,
};
use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{mpsc, RwLock};
use tokio_util::sync::CancellationToken;

use crate::tf::{AttributePath, Diagnostic, Diagnostics, IdentitySchema, Schema, Type, Value};

/// What the host told us it can do (protocol 6 ClientCapabilities).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// The host can handle deferred changes.
    pub deferral_allowed: bool,
    /// The host supports write-only attributes (Terraform >= 1.11).
    pub write_only_attributes_allowed: bool,
}

/// Everything a resource needs while serving one RPC.
#[derive(Clone)]
pub struct Ctx<M> {
    /// The configured provider (None before ConfigureProvider).
    pub meta: Option<Arc<M>>,
    /// Cancelled when the host calls StopProvider.
    pub stop: CancellationToken,
    /// The host's capabilities for this call.
    pub caps: ClientCapabilities,
}

/// PlanResourceChange, protocol-neutral.
pub struct PlanRequest {
    /// Prior state (null at create).
    pub prior: Value,
    /// Terraform's proposed new state (config merged with prior computed values).
    pub proposed: Value,
    /// The configuration (null at destroy).
    pub config: Value,
    /// Opaque bytes the provider stored with the prior state.
    pub prior_private: Vec<u8>,
}

/// A planned change.
#[derive(Default)]
pub struct PlanResponse {
    /// The planned new state.
    pub planned: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Opaque bytes handed back at apply.
    pub private: Vec<u8>,
    /// Warnings and errors.
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange, protocol-neutral.
pub struct ApplyRequest {
    /// Prior state (null at create).
    pub prior: Value,
    /// The planned new state (null at destroy).
    pub planned: Value,
    /// The configuration (null at destroy); write-only values appear only here.
    pub config: Value,
    /// Opaque bytes from the plan.
    pub planned_private: Vec<u8>,
}

/// The outcome of an apply or a read.
#[derive(Default)]
pub struct StateResponse {
    /// The new state (null after destroy or when the object is gone).
    pub state: Value,
    /// Opaque bytes stored with the state.
    pub private: Vec<u8>,
    /// Warnings and errors.
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource<M>: Send + Sync {
    /// The resource's schema.
    fn schema(&self) -> &Schema;
    /// Plan-time checks that need no remote call.
    fn validate(&self, config: &Value, caps: ClientCapabilities) -> Diagnostics;
    /// Plans a create, update or destroy.
    async fn plan(&self, ctx: &Ctx<M>, req: PlanRequest) -> PlanResponse;
    /// Carries out a planned change.
    async fn apply(&self, ctx: &Ctx<M>, req: ApplyRequest) -> StateResponse;
    /// Refreshes state from the real world.
    async fn read(&self, ctx: &Ctx<M>, state: Value, private: Vec<u8>) -> StateResponse;
    /// Imports by identifier: the returned state is then read.
    async fn import(&self, ctx: &Ctx<M>, id: &str) -> StateResponse;
    /// The identity schema (Terraform >= 1.12), when the type has one.
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        None
    }
    /// The identity of the object `state` describes (a state, or a planned
    /// state with unknown parts): null for a null state, unknown parts
    /// where the state does not know them yet. A pure function of the
    /// state, so the same object always has the same identity.
    fn identity_of(&self, _state: &Value) -> Value {
        Value::Null
    }
    /// The import ID an `import` block's identity stands for; `None` when
    /// the identity does not name an object.
    fn import_id(&self, _identity: &Value) -> Option<String> {
        None
    }
}

/// ListResource, protocol-neutral.
#[derive(Clone, Debug)]
pub struct ListRequest {
    /// The list block's `config` block.
    pub config: Value,
    /// Whether each result carries its full resource object.
    pub include_resource_object: bool,
    /// How many results the host wants at most.
    pub limit: i64,
}

/// One result of a list resource: an object found, or only diagnostics.
#[derive(Clone, Debug, Default)]
pub struct ListItem {
    /// The identity of the object found (null for a diagnostics-only item).
    pub identity: Value,
    /// A name for people.
    pub display_name: String,
    /// The object's state, when asked for.
    pub resource_object: Option<Value>,
    /// Warnings and errors; an error ends the listing.
    pub diagnostics: Diagnostics,
}

/// Where a list resource sends what it finds. The engine checks every item
/// against the identity rules before it leaves and stops the listing at the
/// host's limit or when the host stops reading.
pub struct ListSink {
    tx: mpsc::Sender<ListItem>,
    identity_type: Type,
    resource: Arc<dyn IdentityOf>,
    sent: i64,
    limit: i64,
    closed: bool,
}

/// The part of a resource the list sink needs: its identity of a state,
/// and its value type.
trait IdentityOf: Send + Sync {
    fn identity_of(&self, state: &Value) -> Value;
    fn value_type(&self) -> Type;
}

struct ResourceIdentity<M> {
    resource: Arc<dyn Resource<M>>,
}

impl<M: Send + Sync + 'static> IdentityOf for ResourceIdentity<M> {
    fn identity_of(&self, state: &Value) -> Value {
        self.resource.identity_of(state)
    }
    fn value_type(&self) -> Type {
        self.resource.schema().block.value_type()
    }
}

impl ListSink {
    /// Whether more results are wanted: the limit is not reached and the
    /// host is still reading.
    pub fn wants_more(&self) -> bool {
        !self.closed && self.sent < self.limit && !self.tx.is_closed()
    }

    /// Sends one item; returns [`ListSink::wants_more`] afterwards. An item
    /// that breaks the identity rules is replaced by an error.
    pub async fn send(&mut self, mut item: ListItem) -> bool {
        if !self.wants_more() {
            return false;
        }
        let found = !item.identity.is_null() || item.resource_object.is_some();
        if found {
            let problems = self.violations(&item);
            if !problems.is_empty() {
                let mut diagnostics = item.diagnostics;
                provider_bugs("ListResource", problems, &mut diagnostics);
                item = ListItem {
                    diagnostics,
                    ..Default::default()
                };
            }
        }
        let ends = item.diagnostics.has_errors();
        if found && !ends {
            self.sent += 1;
        }
        if self.tx.send(item).await.is_err() || ends {
            self.closed = true;
        }
        self.wants_more()
    }

    fn violations(&self, item: &ListItem) -> Vec<Violation> {
        // A listed object exists: it must have a wholly known identity.
        let exists = Value::Bool(true);
        let mut out = identity_violations(
            &self.identity_type,
            item.resource_object.as_ref().unwrap_or(&exists),
            &item.identity,
            IdentityCheck::Import {
                requested: &Value::Null,
            },
        );
        if let Some(object) = &item.resource_object {
            let r = &self.resource;
            if !object.is_wholly_known() || !object.conforms_to(&r.value_type()) {
                out.push(Violation {
                    path: AttributePath::root(),
                    message: "the resource object of a listed object is not a wholly known state"
                        .to_owned(),
                });
            } else if r.identity_of(object) != item.identity {
                out.push(Violation {
                    path: AttributePath::root(),
                    message: format!(
                        "the listed identity {} is not the identity {} of its resource object",
                        item.identity,
                        r.identity_of(object)
                    ),
                });
            }
        }
        out
    }
}

/// A list resource type (Terraform >= 1.14, `terraform query`): finds the
/// existing objects of the managed resource type of the same name.
#[async_trait]
pub trait ListResource<M>: Send + Sync {
    /// The schema of the list block's `config` block.
    fn schema(&self) -> &Schema;
    /// Checks of the `config` block that need no remote call.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// Sends what it finds to `out` until done or `out` wants no more.
    async fn list(&self, ctx: &Ctx<M>, req: ListRequest, out: &mut ListSink);
}

/// A data source type.
#[async_trait]
pub trait DataSource<M>: Send + Sync {
    /// The data source's schema.
    fn schema(&self) -> &Schema;
    /// Plan-time checks that need no remote call.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// Reads the data.
    async fn read(&self, ctx: &Ctx<M>, config: Value) -> StateResponse;
}

/// The provider itself: its configuration schema and how to configure it.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What a configured provider holds (clients, defaults).
    type Meta: Send + Sync + 'static;
    /// Provider configuration schema.
    fn schema(&self) -> &Schema;
    /// Plan-time checks of the provider block.
    fn validate(&self, config: &Value) -> Diagnostics;
    /// Builds the configured provider. Must not do remote I/O: clients are
    /// built lazily when first needed.
    async fn configure(&self, config: &Value) -> Result<Self::Meta, Diagnostics>;
    /// Resource types by name.
    fn resources(&self) -> BTreeMap<String, Arc<dyn Resource<Self::Meta>>>;
    /// Data source types by name.
    fn data_sources(&self) -> BTreeMap<String, Arc<dyn DataSource<Self::Meta>>>;
    /// List resource types by name; each lists the managed resource type of
    /// the same name.
    fn list_resources(&self) -> BTreeMap<String, Arc<dyn ListResource<Self::Meta>>> {
        BTreeMap::new()
    }
}

/// Type-erased engine the protocol layer talks to.
pub type Engine = dyn EngineApi;

/// The RPC surface, protocol-neutral.
#[async_trait]
pub trait EngineApi: Send + Sync {
    /// Provider configuration schema.
    fn provider_schema(&self) -> &Schema;
    /// Resource schemas by type name.
    fn resource_schemas(&self) -> BTreeMap<String, Schema>;
    /// Data source schemas by type name.
    fn data_source_schemas(&self) -> BTreeMap<String, Schema>;
    /// Schema of one resource type.
    fn resource_schema(&self, type_name: &str) -> Option<&Schema>;
    /// Schema of one data source type.
    fn data_source_schema(&self, type_name: &str) -> Option<&Schema>;
    /// The value type of the provider configuration, computed once.
    fn provider_type(&self) -> &Type;
    /// The value type of one resource type's objects, computed once.
    fn resource_type(&self, type_name: &str) -> Option<&Type>;
    /// The value type of one data source type's objects, computed once.
    fn data_source_type(&self, type_name: &str) -> Option<&Type>;
    /// The value type of one resource type's identity, computed once.
    fn identity_type(&self, type_name: &str) -> Option<&Type>;
    /// The value type of one list resource type's `config` block, computed once.
    fn list_resource_type(&self, type_name: &str) -> Option<&Type>;
    /// ValidateProviderConfig.
    fn validate_provider(&self, config: &Value) -> Diagnostics;
    /// ConfigureProvider.
    async fn configure(&self, config: &Value, caps: ClientCapabilities) -> Diagnostics;
    /// StopProvider: cancel every running operation.
    fn stop(&self);
    /// ValidateResourceConfig.
    fn validate_resource(
        &self,
        type_name: &str,
        config: &Value,
        caps: ClientCapabilities,
    ) -> Diagnostics;
    /// ValidateDataResourceConfig.
    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics;
    /// PlanResourceChange.
    async fn plan(
        &self,
        type_name: &str,
        req: PlanRequest,
        caps: ClientCapabilities,
    ) -> PlanResponse;
    /// ApplyResourceChange.
    async fn apply(
        &self,
        type_name: &str,
        req: ApplyRequest,
        caps: ClientCapabilities,
    ) -> StateResponse;
    /// ReadResource.
    async fn read(
        &self,
        type_name: &str,
        state: Value,
        private: Vec<u8>,
        caps: ClientCapabilities,
    ) -> StateResponse;
    /// ImportResourceState.
    async fn import(&self, type_name: &str, id: &str, caps: ClientCapabilities) -> StateResponse;
    /// ReadDataSource.
    async fn read_data_source(
        &self,
        type_name: &str,
        config: Value,
        caps: ClientCapabilities,
    ) -> StateResponse;
    /// Identity schemas by resource type name.
    fn identity_schemas(&self) -> BTreeMap<String, IdentitySchema>;
    /// The identity schema of one resource type.
    fn identity_schema(&self, type_name: &str) -> Option<&IdentitySchema>;
    /// The identity of the object `state` describes, checked against the
    /// identity rules (`check`); a broken rule is a provider bug
    /// diagnostic. Null without diagnostics for a type without identity.
    fn identity(
        &self,
        type_name: &str,
        state: &Value,
        check: IdentityCheck<'_>,
    ) -> (Value, Diagnostics);
    /// ImportResourceState with an `import` block's identity instead of an ID.
    async fn import_by_identity(
        &self,
        type_name: &str,
        identity: &Value,
        caps: ClientCapabilities,
    ) -> StateResponse;
    /// List resource schemas (of the `config` block) by type name.
    fn list_resource_schemas(&self) -> BTreeMap<String, Schema>;
    /// The schema of one list resource type.
    fn list_resource_schema(&self, type_name: &str) -> Option<&Schema>;
    /// ValidateListResourceConfig.
    fn validate_list_resource(&self, type_name: &str, config: &Value) -> Diagnostics;
    /// ListResource: sends every result to `tx`, then returns.
    async fn list(
        &self,
        type_name: &str,
        req: ListRequest,
        caps: ClientCapabilities,
        tx: mpsc::Sender<ListItem>,
    );
}

/// The engine over one [`Provider`].
pub struct Server<P: Provider> {
    provider: P,
    resources: BTreeMap<String, Arc<dyn Resource<P::Meta>>>,
    data_sources: BTreeMap<String, Arc<dyn DataSource<P::Meta>>>,
    list_resources: BTreeMap<String, Arc<dyn ListResource<P::Meta>>>,
    types: Types,
    meta: RwLock<Option<Arc<P::Meta>>>,
    stop: std::sync::Mutex<CancellationToken>,
}

/// The value types of every schema, computed once: each RPC decodes and
/// encodes with them, and a type is a tree of the schema's attributes.
struct Types {
    provider: Type,
    resources: BTreeMap<String, Type>,
    data_sources: BTreeMap<String, Type>,
    identities: BTreeMap<String, Type>,
    list_configs: BTreeMap<String, Type>,
}

impl<P: Provider> Server<P> {
    /// Wraps a provider.
    pub fn new(provider: P) -> Self {
        let resources = provider.resources();
        let data_sources = provider.data_sources();
        let list_resources = provider.list_resources();
        let types = Types {
            provider: provider.schema().block.value_type(),
            resources: resources
                .iter()
                .map(|(k, r)| (k.clone(), r.schema().block.value_type()))
                .collect(),
            data_sources: data_sources
                .iter()
                .map(|(k, d)| (k.clone(), d.schema().block.value_type()))
                .collect(),
            identities: resources
                .iter()
                .filter_map(|(k, r)| Some((k.clone(), r.identity_schema()?.value_type())))
                .collect(),
            list_configs: list_resources
                .iter()
                .map(|(k, l)| (k.clone(), l.schema().block.value_type()))
                .collect(),
        };
        Self {
            resources,
            data_sources,
            list_resources,
            types,
            provider,
            meta: RwLock::new(None),
            stop: std::sync::Mutex::new(CancellationToken::new()),
        }
    }

    /// Resource type `name` and its value type (both exist or neither: the
    /// types are computed from the same resources when the server is built).
    fn resource(&self, name: &str) -> Option<(&dyn Resource<P::Meta>, &Type)> {
        let r = self.resources.get(name)?;
        Some((r.as_ref(), self.types.resources.get(name)?))
    }

    async fn ctx(&self, caps: ClientCapabilities) -> Ctx<P::Meta> {
        Ctx {
            meta: self.meta.read().await.clone(),
            stop: self.stop.lock().map(|t| t.clone()).unwrap_or_default(),
            caps,
        }
    }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error(
        format!("Unknown {kind} Type"),
        format!("This provider has no {kind} type named \"{name}\". This is a bug in the host or in the configuration's provider mapping."),
    ));
    d
}

/// One "Provider Produced An Invalid Response" diagnostic per broken rule,
/// each pointing at the offending attribute (none for the object as a whole),
/// so Terraform shows where the bad value is.
fn provider_bugs(rpc: &str, violations: Vec<Violation>, diags: &mut Diagnostics) {
    for v in violations {
        let d = Diagnostic::error(
            "Provider Produced An Invalid Response",
            format!(
                "While answering {rpc}, terraform-provider-replication produced a value that breaks Terraform's rules, so it was stopped before reaching Terraform. This is a bug in the provider; please report it with these details:\n- {v}"
            ),
        );
        diags.push(if v.path.is_root() {
            d
        } else {
            d.with_path(v.path)
        });
    }
}

/// A rule broken by the object as a whole.
fn whole(message: &str) -> Vec<Violation> {
    vec![Violation {
        path: AttributePath::root(),
        message: message.to_owned(),
    }]
}

#[async_trait]
impl<P: Provider> EngineApi for Server<P> {
    fn provider_schema(&self) -> &Schema {
        self.provider.schema()
    }

    fn resource_schemas(&self) -> BTreeMap<String, Schema> {
        self.resources
            .iter()
            .map(|(k, r)| (k.clone(), r.schema().clone()))
            .collect()
    }

    fn data_source_schemas(&self) -> BTreeMap<String, Schema> {
        self.data_sources
            .iter()
            .map(|(k, r)| (k.clone(), r.schema().clone()))
            .collect()
    }

    fn resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.resources.get(type_name).map(|r| r.schema())
    }

    fn data_source_schema(&self, type_name: &str) -> Option<&Schema> {
        self.data_sources.get(type_name).map(|r| r.schema())
    }

    fn provider_type(&self) -> &Type {
        &self.types.provider
    }

    fn resource_type(&self, type_name: &str) -> Option<&Type> {
        self.types.resources.get(type_name)
    }

    fn data_source_type(&self, type_name: &str) -> Option<&Type> {
        self.types.data_sources.get(type_name)
    }

    fn identity_type(&self, type_name: &str) -> Option<&Type> {
        self.types.identities.get(type_name)
    }

    fn list_resource_type(&self, type_name: &str) -> Option<&Type> {
        self.types.list_configs.get(type_name)
    }

    fn validate_provider(&self, config: &Value) -> Diagnostics {
        self.provider.validate(config)
    }

    async fn configure(&self, config: &Value, _caps: ClientCapabilities) -> Diagnostics {
        let mut diags = self.provider.validate(config);
        if diags.has_errors() {
            return diags;
        }
        match self.provider.configure(config).await {
            Ok(meta) => *self.meta.write().await = Some(Arc::new(meta)),
            Err(d) => diags.extend(d),
        }
        diags
    }

    fn stop(&self) {
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            // Later RPCs (Terraform may still refresh or record state) get a fresh token.
            *token = CancellationToken::new();
        }
    }

    fn validate_resource(
        &self,
        type_name: &str,
        config: &Value,
        caps: ClientCapabilities,
    ) -> Diagnostics {
        match self.resources.get(type_name) {
            Some(r) => r.validate(config, caps),
            None => unknown_type("Resource", type_name),
        }
    }

    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.data_sources.get(type_name) {
            Some(d) => d.validate(config),
            None => unknown_type("Data Source", type_name),
        }
    }

    async fn plan(
        &self,
        type_name: &str,
        req: PlanRequest,
        caps: ClientCapabilities,
    ) -> PlanResponse {
        let Some((r, ty)) = self.resource(type_name) else {
            return PlanResponse {
                diagnostics: unknown_type("Resource", type_name),
                ..Default::default()
            };
        };
        let (prior, config) = (req.prior.clone(), req.config.clone());
        let ctx = self.ctx(caps).await;
        let mut resp = r.plan(&ctx, req).await;
        if !resp.diagnostics.has_errors() {
            let problems =
                invariants::plan_violations(&r.schema().block, ty, &prior, &config, &resp.planned);
            provider_bugs("PlanResourceChange", problems, &mut resp.diagnostics);
        }
        resp
    }

    async fn apply(
        &self,
        type_name: &str,
        req: ApplyRequest,
        caps: ClientCapabilities,
    ) -> StateResponse {
        let Some((r, ty)) = self.resource(type_name) else {
            return StateResponse {
                diagnostics: unknown_type("Resource", type_name),
                ..Default::default()
            };
        };
        let planned = req.planned.clone();
        let ctx = self.ctx(caps).await;
        let mut resp = r.apply(&ctx, req).await;
        // A failed apply returns whatever it observed; Terraform does not hold
        // it to the plan then, only to being wholly known.
        let problems = if resp.diagnostics.has_errors() {
            if resp.state.is_wholly_known() {
                Vec::new()
            } else {
                whole("the state returned with an error still holds unknown values")
            }
        } else {
            invariants::apply_violations(&r.schema().block, ty, &planned, &resp.state)
        };
        provider_bugs("ApplyResourceChange", problems, &mut resp.diagnostics);
        resp
    }

    async fn read(
        &self,
        type_name: &str,
        state: Value,
        private: Vec<u8>,
        caps: ClientCapabilities,
    ) -> StateResponse {
        let Some(r) = self.resources.get(type_name) else {
            return StateResponse {
                diagnostics: unknown_type("Resource", type_name),
                ..Default::default()
            };
        };
        let ctx = self.ctx(caps).await;
        let mut resp = r.read(&ctx, state, private).await;
        if !resp.state.is_wholly_known() {
            provider_bugs(
                "ReadResource",
                whole("the refreshed state holds unknown values"),
                &mut resp.diagnostics,
            );
        }
        resp
    }

    async fn import(&self, type_name: &str, id: &str, caps: ClientCapabilities) -> StateResponse {
        let Some(r) = self.resources.get(type_name) else {
            return StateResponse {
                diagnostics: unknown_type("Resource", type_name),
                ..Default::default()
            };
        };
        let ctx = self.ctx(caps).await;
        r.import(&ctx, id).await
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: Value,
        caps: ClientCapabilities,
    ) -> StateResponse {
        let Some(d) = self.data_sources.get(type_name) else {
            return StateResponse {
                diagnostics: unknown_type("Data Source", type_name),
                ..Default::default()
            };
        };
        let ctx = self.ctx(caps).await;
        let mut resp = d.read(&ctx, config).await;
        if !resp.diagnostics.has_errors() && !resp.state.is_wholly_known() {
            provider_bugs(
                "ReadDataSource",
                whole("the data source result holds unknown values"),
                &mut resp.diagnostics,
            );
        }
        resp
    }

    fn identity_schemas(&self) -> BTreeMap<String, IdentitySchema> {
        self.resources
            .iter()
            .filter_map(|(k, r)| r.identity_schema().map(|s| (k.clone(), s.clone())))
            .collect()
    }

    fn identity_schema(&self, type_name: &str) -> Option<&IdentitySchema> {
        self.resources
            .get(type_name)
            .and_then(|r| r.identity_schema())
    }

    fn identity(
        &self,
        type_name: &str,
        state: &Value,
        check: IdentityCheck<'_>,
    ) -> (Value, Diagnostics) {
        let mut diags = Diagnostics::default();
        let Some(r) = self.resources.get(type_name) else {
            return (Value::Null, diags);
        };
        // The identity types are those of the resources with an identity schema.
        let Some(ty) = self.types.identities.get(type_name) else {
            return (Value::Null, diags);
        };
        let identity = r.identity_of(state);
        let problems = identity_violations(ty, state, &identity, check);
        provider_bugs("the resource's identity", problems, &mut diags);
        (identity, diags)
    }

    async fn import_by_identity(
        &self,
        type_name: &str,
        identity: &Value,
        caps: ClientCapabilities,
    ) -> StateResponse {
        let Some(r) = self.resources.get(type_name) else {
            return StateResponse {
                diagnostics: unknown_type("Resource", type_name),
                ..Default::default()
            };
        };
        let mut diagnostics = Diagnostics::default();
        let Some(schema) = r.identity_schema() else {
            diagnostics.push(Diagnostic::error(
                "Import By Identity Not Supported",
                format!("{type_name} has no resource identity; import it by ID instead."),
            ));
            return StateResponse {
                diagnostics,
                ..Default::default()
            };
        };
        let missing = schema.missing_for_import(identity);
        let id = r.import_id(identity);
        if !missing.is_empty() || id.is_none() {
            let what = if missing.is_empty() {
                "does not name an object".to_owned()
            } else {
                format!("leaves out {}", missing.join(", "))
            };
            diagnostics.push(Diagnostic::error(
                "Invalid Import Identity",
                format!("The import block's identity {what}. Give every attribute the identity requires: {}.", schema.attributes.iter().filter(|a| a.required_for_import).map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")),
            ));
            return StateResponse {
                diagnostics,
                ..Default::default()
            };
        }
        let id = id.unwrap_or_default();
        let ctx = self.ctx(caps).await;
        let mut resp = r.import(&ctx, &id).await;
        if resp.diagnostics.has_errors() {
            return resp;
        }
        // The object found must be the one the identity names: an attribute
        // the block gave that the object does not have is the user's
        // mistake (another account's object, say), not a provider bug.
        let found = r.identity_of(&resp.state);
        for a in &schema.attributes {
            let (Some(asked), Some(got)) = (identity.get_attr(&a.name), found.get_attr(&a.name))
            else {
                continue;
            };
            if !asked.is_null() && asked != got {
                resp.diagnostics.push(Diagnostic::error(
                    "Import Identity Does Not Match",
                    format!("The import block's identity gives {} = {asked}, but the object found as {id:?} has {got}. Check that the provider is configured for the account and region the identity names.", a.name),
                ));
            }
        }
        if resp.diagnostics.has_errors() {
            resp.state = Value::Null;
        }
        resp
    }

    fn list_resource_schemas(&self) -> BTreeMap<String, Schema> {
        self.list_resources
            .iter()
            .map(|(k, l)| (k.clone(), l.schema().clone()))
            .collect()
    }

    fn list_resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.list_resources.get(type_name).map(|l| l.schema())
    }

    fn validate_list_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.list_resources.get(type_name) {
            Some(l) => l.validate(config),
            None => unknown_type("List Resource", type_name),
        }
    }

    async fn list(
        &self,
        type_name: &str,
        req: ListRequest,
        caps: ClientCapabilities,
        tx: mpsc::Sender<ListItem>,
    ) {
        let found = self.list_resources.get(type_name).and_then(|l| {
            let r = self.resources.get(type_name)?;
            let schema = r.identity_schema()?;
            Some((l, r, schema.value_type()))
        });
        let Some((l, r, identity_type)) = found else {
            let _ = tx
                .send(ListItem {
                    diagnostics: unknown_type("List Resource", type_name),
                    ..Default::default()
                })
                .await;
            return;
        };
        let mut sink = ListSink {
            tx,
            identity_type,
            resource: Arc::new(ResourceIdentity {
                resource: r.clone(),
            }),
            sent: 0,
            limit: req.limit,
            closed: false,
        };
        if !sink.wants_more() {
            return;
        }
        let ctx = self.ctx(caps).await;
        l.list(&ctx, req, &mut sink).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::{Attribute, Block, NestedAttributes, Type};

    /// A resource that plans, applies and reads whatever value it was built
    /// with.
    struct Fixed {
        schema: Schema,
        out: Value,
    }

    #[async_trait]
    impl Resource<()> for Fixed {
        fn schema(&self) -> &Schema {
            &self.schema
        }
        fn validate(&self, _: &Value, _: ClientCapabilities) -> Diagnostics {
            Diagnostics::default()
        }
        async fn plan(&self, _: &Ctx<()>, _: PlanRequest) -> PlanResponse {
            PlanResponse {
                planned: self.out.clone(),
                ..Default::default()
            }
        }
        async fn apply(&self, _: &Ctx<()>, _: ApplyRequest) -> StateResponse {
            StateResponse {
                state: self.out.clone(),
                ..Default::default()
            }
        }
        async fn read(&self, _: &Ctx<()>, _: Value, _: Vec<u8>) -> StateResponse {
            StateResponse {
                state: self.out.clone(),
                ..Default::default()
            }
        }
        async fn import(&self, _: &Ctx<()>, _: &str) -> StateResponse {
            StateResponse::default()
        }
    }

    struct OneResource {
        schema: Schema,
        out: Value,
    }

    #[async_trait]
    impl Provider for OneResource {
        type Meta = ();
        fn schema(&self) -> &Schema {
            &self.schema
        }
        fn validate(&self, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        async fn configure(&self, _: &Value) -> Result<(), Diagnostics> {
            Ok(())
        }
        fn resources(&self) -> BTreeMap<String, Arc<dyn Resource<()>>> {
            let r: Arc<dyn Resource<()>> = Arc::new(Fixed {
                schema: self.schema.clone(),
                out: self.out.clone(),
            });
            BTreeMap::from([("thing".to_owned(), r)])
        }
        fn data_sources(&self) -> BTreeMap<String, Arc<dyn DataSource<()>>> {
            BTreeMap::new()
        }
    }

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new().attributes(vec![
                Attribute::computed("arn", Type::String),
                Attribute::optional(
                    "regions",
                    NestedAttributes::map(vec![Attribute::required("class", Type::String)]),
                ),
            ]),
        )
    }

    fn object(arn: &str, class: &str) -> Value {
        Value::object([
            ("arn", Value::string(arn)),
            (
                "regions",
                Value::map([("x", Value::object([("class", Value::string(class))]))]),
            ),
        ])
    }

    fn server(out: Value) -> Server<OneResource> {
        Server::new(OneResource {
            schema: schema(),
            out,
        })
    }

    fn paths(diags: &Diagnostics) -> Vec<Option<String>> {
        diags
            .iter()
            .map(|d| {
                assert_eq!(d.summary, "Provider Produced An Invalid Response");
                d.path.as_ref().map(ToString::to_string)
            })
            .collect()
    }

    #[tokio::test]
    async fn plan_check_failures_keep_their_attribute_path() {
        let config = Value::object([
            ("arn", Value::Null),
            (
                "regions",
                Value::map([("x", Value::object([("class", Value::string("a"))]))]),
            ),
        ]);
        let resp = server(object("arn:1", "b"))
            .plan(
                "thing",
                PlanRequest {
                    prior: Value::Null,
                    proposed: config.clone(),
                    config,
                    prior_private: Vec::new(),
                },
                ClientCapabilities::default(),
            )
            .await;
        assert_eq!(
            paths(&resp.diagnostics),
            [Some(r#"regions["x"].class"#.to_owned())]
        );
        let detail = &resp.diagnostics.iter().next().unwrap().detail;
        assert!(
            detail.contains("While answering PlanResourceChange"),
            "{detail}"
        );
        assert!(
            detail.contains(r#"regions["x"].class: planned value"#),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn apply_check_failures_keep_their_attribute_path() {
        let planned = object("arn:1", "a");
        let resp = server(object("arn:2", "a"))
            .apply(
                "thing",
                ApplyRequest {
                    prior: Value::Null,
                    planned: planned.clone(),
                    config: planned,
                    planned_private: Vec::new(),
                },
                ClientCapabilities::default(),
            )
            .await;
        assert_eq!(paths(&resp.diagnostics), [Some("arn".to_owned())]);
    }

    #[tokio::test]
    async fn whole_object_failures_carry_no_path() {
        let resp = server(Value::Unknown)
            .read(
                "thing",
                object("arn:1", "a"),
                Vec::new(),
                ClientCapabilities::default(),
            )
            .await;
        assert_eq!(paths(&resp.diagnostics), [None]);
    }
}
