//! The tonic services: tfplugin6.Provider, go-plugin's controller and stdio,
//! and grpc.health.v1. Every user-facing problem travels as a diagnostic; a
//! gRPC error status is returned only for RPCs this provider does not offer.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;

use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use super::convert;
use super::pb::plugin as goplugin;
use super::pb::tfplugin6 as pb;
use super::MAX_MESSAGE_BYTES;
use crate::engine::{
    ApplyRequest, ClientCapabilities, Engine, IdentityCheck, ListItem, ListRequest, PlanRequest,
};
use crate::tf::{Diagnostic, Diagnostics, Type, Value};

type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Builds the router with every service the host expects.
pub(super) fn router(
    engine: Arc<Engine>,
    shutdown: CancellationToken,
) -> tonic::transport::server::Router {
    let (health, health_service) = tonic_health::server::health_reporter();
    // go-plugin checks the "plugin" service; report it (and the server) serving.
    let health_task = async move {
        health
            .set_service_status("plugin", tonic_health::ServingStatus::Serving)
            .await;
        health
            .set_service_status("", tonic_health::ServingStatus::Serving)
            .await;
    };
    // The reporter only updates a watch channel: run it to completion now.
    futures::executor::block_on(health_task);

    let provider = pb::provider_server::ProviderServer::new(ProviderService { engine })
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(goplugin::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(goplugin::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown,
        }))
        .add_service(provider)
}

struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl goplugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _: Request<goplugin::Empty>,
    ) -> Result<Response<goplugin::Empty>, Status> {
        tracing::debug!("host asked the plugin to shut down");
        self.shutdown.cancel();
        Ok(Response::new(goplugin::Empty {}))
    }
}

struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl goplugin::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = Stream<goplugin::StdioData>;

    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        // Logs go to the real stderr; keep the stream open until shutdown.
        let stop = self.shutdown.clone();
        let s = futures::stream::once(async move {
            stop.cancelled().await;
            Err(Status::cancelled("plugin shutting down"))
        });
        Ok(Response::new(Box::pin(s)))
    }
}

struct ProviderService {
    engine: Arc<Engine>,
}

fn diags_of(d: Diagnostic) -> Diagnostics {
    let mut ds = Diagnostics::default();
    ds.push(d);
    ds
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    diags_of(Diagnostic::error(
        format!("Unknown {kind} Type"),
        format!("This provider has no {kind} type named \"{name}\"."),
    ))
}

fn not_supported(what: &str) -> Diagnostics {
    diags_of(Diagnostic::error(
        "Not Supported By This Provider",
        format!("terraform-provider-replication does not offer {what}."),
    ))
}

impl ProviderService {
    fn resource_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        self.engine
            .resource_type(name)
            .ok_or_else(|| unknown_type("Resource", name))
    }

    fn data_source_type(&self, name: &str) -> Result<&Type, Diagnostics> {
        self.engine
            .data_source_type(name)
            .ok_or_else(|| unknown_type("Data Source", name))
    }

    /// The identity type of a resource type that has one.
    fn identity_type(&self, name: &str) -> Option<&Type> {
        self.engine.identity_type(name)
    }

    /// The identity to send with `state`, checked by the engine against
    /// `check`; appends any problem to `diags`. `None` for a type without
    /// identity or a null state.
    fn identity_for(
        &self,
        type_name: &str,
        state: &Value,
        check: IdentityCheck<'_>,
        diags: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let ty = self.identity_type(type_name)?;
        let (identity, d) = self.engine.identity(type_name, state, check);
        diags.extend(d);
        match convert::encode_identity(&identity, ty, "resource identity") {
            Ok(v) => v,
            Err(d) => {
                diags.push(d);
                None
            }
        }
    }

    /// The identity the host sent, decoded; null when absent or when the
    /// type has none.
    fn host_identity(
        &self,
        type_name: &str,
        v: Option<&pb::ResourceIdentityData>,
        what: &str,
    ) -> Result<Value, Diagnostics> {
        match self.identity_type(type_name) {
            Some(ty) => convert::decode_identity(v, ty, what).map_err(one),
            None => Ok(Value::Null),
        }
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
            generate_resource_config: false,
        }
    }
}

/// Unwraps a result, or returns a response of module `$m` carrying the diagnostics.
macro_rules! try_diags {
    ($e:expr, $m:ident) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                // One macro for every response: some have no field but the
                // diagnostics, for them the update is empty.
                #[allow(clippy::needless_update)]
                let response = pb::$m::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                };
                return Ok(Response::new(response));
            }
        }
    };
}

fn one(d: Diagnostic) -> Diagnostics {
    diags_of(d)
}

/// One ListResource event from a list result.
fn list_event(
    item: ListItem,
    identity_type: &Type,
    resource_type: &Type,
) -> pb::list_resource::Event {
    let mut diags = item.diagnostics;
    let identity = match convert::encode_identity(&item.identity, identity_type, "listed identity")
    {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            None
        }
    };
    let resource_object = item.resource_object.and_then(|o| {
        convert::encode(&o, resource_type, "listed resource object")
            .map_err(|d| diags.push(d))
            .ok()
    });
    pb::list_resource::Event {
        identity,
        display_name: item.display_name,
        resource_object,
        diagnostic: convert::diagnostics(&diags),
    }
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::server_capabilities()),
            resources: self
                .engine
                .resource_schemas()
                .into_keys()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            data_sources: self
                .engine
                .data_source_schemas()
                .into_keys()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            list_resources: self
                .engine
                .list_resource_schemas()
                .into_keys()
                .map(|type_name| pb::get_metadata::ListResourceMetadata { type_name })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let to_map = |m: BTreeMap<String, crate::tf::Schema>| {
            m.iter()
                .map(|(k, s)| (k.clone(), convert::schema(s)))
                .collect()
        };
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(convert::schema(self.engine.provider_schema())),
            resource_schemas: to_map(self.engine.resource_schemas()),
            data_source_schemas: to_map(self.engine.data_source_schemas()),
            list_resource_schemas: to_map(self.engine.list_resource_schemas()),
            server_capabilities: Some(Self::server_capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let ty = self.engine.provider_type();
        let config = try_diags!(
            convert::decode(req.config.as_ref(), ty, "provider configuration").map_err(one),
            validate_provider_config
        );
        let d = self.engine.validate_provider(&config);
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), validate_resource_config);
        let config = try_diags!(
            convert::decode(req.config.as_ref(), ty, "resource configuration").map_err(one),
            validate_resource_config
        );
        let caps = convert::caps(req.client_capabilities.as_ref());
        let d = self.engine.validate_resource(&req.type_name, &config, caps);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(
            self.data_source_type(&req.type_name),
            validate_data_resource_config
        );
        let config = try_diags!(
            convert::decode(req.config.as_ref(), ty, "data source configuration").map_err(one),
            validate_data_resource_config
        );
        let d = self.engine.validate_data_source(&req.type_name, &config);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), upgrade_resource_state);
        let schema_version = self
            .engine
            .resource_schema(&req.type_name)
            .map(|s| s.version)
            .unwrap_or(0);
        if req.version > schema_version {
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                diagnostics: convert::diagnostics(&one(Diagnostic::error(
                    "State Written By A Newer Provider",
                    format!("The stored state has schema version {}, newer than this provider's {schema_version}. Use the provider version that wrote it, or a newer one.", req.version),
                ))),
                ..Default::default()
            }));
        }
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            let d = if raw.flatmap.is_empty() {
                Diagnostics::default()
            } else {
                not_supported("upgrading legacy flatmap state")
            };
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: convert::diagnostics(&d),
            }));
        }
        // JSON straight to msgpack, attributes the schema no longer has
        // dropped and missing ones null, as the value path below does (there
        // are no per-version steps: the schema is still at version 0).
        // Whatever the direct path does not take goes through the value
        // path, which also words the errors.
        if let Some(msgpack) = crate::tf::json::to_msgpack_ignoring_undefined(&raw.json, ty) {
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                upgraded_state: Some(pb::DynamicValue {
                    msgpack,
                    json: Vec::new(),
                }),
                diagnostics: Vec::new(),
            }));
        }
        let value = try_diags!(
            crate::tf::json::decode_ignoring_undefined(&raw.json, ty).map_err(|e| one(
                Diagnostic::error(
                    "Unreadable Stored State",
                    format!(
                        "The stored state for {} does not match this provider's schema: {e}.",
                        req.type_name
                    ),
                )
            )),
            upgrade_resource_state
        );
        let upgraded = try_diags!(
            convert::encode(&value, ty, "upgraded state").map_err(one),
            upgrade_resource_state
        );
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(upgraded),
            diagnostics: Vec::new(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .engine
                .identity_schemas()
                .iter()
                .map(|(k, s)| (k.clone(), convert::identity_schema(s)))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        let Some(schema) = self.engine.identity_schema(&req.type_name) else {
            let d = unknown_type("Resource Identity", &req.type_name);
            return Ok(Response::new(pb::upgrade_resource_identity::Response {
                diagnostics: convert::diagnostics(&d),
                ..Default::default()
            }));
        };
        if req.version != schema.version {
            return Ok(Response::new(pb::upgrade_resource_identity::Response {
                diagnostics: convert::diagnostics(&one(Diagnostic::error(
                    "Unsupported Identity Version",
                    format!("The stored identity of this {} has version {}; this provider reads version {} only. Use the provider version that wrote it, or a newer one.", req.type_name, req.version, schema.version),
                ))),
                ..Default::default()
            }));
        }
        let ty = schema.value_type();
        let raw = req.raw_identity.unwrap_or_default();
        let value = try_diags!(
            crate::tf::json::decode(&raw.json, &ty).map_err(|e| one(Diagnostic::error(
                "Unreadable Stored Identity",
                format!(
                    "The stored identity of this {} does not match its identity schema: {e}.",
                    req.type_name
                ),
            ))),
            upgrade_resource_identity
        );
        let upgraded = try_diags!(
            convert::encode_identity(&value, &ty, "upgraded identity").map_err(one),
            upgrade_resource_identity
        );
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: upgraded,
            diagnostics: Vec::new(),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let ty = self.engine.provider_type();
        let config = try_diags!(
            convert::decode(req.config.as_ref(), ty, "provider configuration").map_err(one),
            configure_provider
        );
        tracing::debug!(terraform_version = %req.terraform_version, "configuring provider");
        let caps = convert::caps(req.client_capabilities.as_ref());
        let d = self.engine.configure(&config, caps).await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), read_resource);
        let state = try_diags!(
            convert::decode(req.current_state.as_ref(), ty, "current state").map_err(one),
            read_resource
        );
        let current_identity = try_diags!(
            self.host_identity(
                &req.type_name,
                req.current_identity.as_ref(),
                "current identity"
            ),
            read_resource
        );
        let caps = convert::caps(req.client_capabilities.as_ref());
        let resp = self
            .engine
            .read(&req.type_name, state, req.private, caps)
            .await;
        let mut diags = resp.diagnostics;
        let new_identity = self.identity_for(
            &req.type_name,
            &resp.state,
            IdentityCheck::Same {
                before: &current_identity,
            },
            &mut diags,
        );
        let new_state = match convert::encode(&resp.state, ty, "refreshed state") {
            Ok(v) => Some(v),
            Err(d) => {
                diags.push(d);
                None
            }
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: convert::diagnostics(&diags),
            private: resp.private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), plan_resource_change);
        let decode = |v: Option<&pb::DynamicValue>, what| convert::decode(v, ty, what).map_err(one);
        let prior = try_diags!(
            decode(req.prior_state.as_ref(), "prior state"),
            plan_resource_change
        );
        let proposed = try_diags!(
            decode(req.proposed_new_state.as_ref(), "proposed new state"),
            plan_resource_change
        );
        let config = try_diags!(
            decode(req.config.as_ref(), "configuration"),
            plan_resource_change
        );
        let prior_identity = try_diags!(
            self.host_identity(
                &req.type_name,
                req.prior_identity.as_ref(),
                "prior identity"
            ),
            plan_resource_change
        );
        let creates = prior.is_null();
        let caps = convert::caps(req.client_capabilities.as_ref());
        let resp = self
            .engine
            .plan(
                &req.type_name,
                PlanRequest {
                    prior,
                    proposed,
                    config,
                    prior_private: req.prior_private,
                },
                caps,
            )
            .await;
        let mut diags = resp.diagnostics;
        let mut planned_identity = None;
        let planned_state = if diags.has_errors() {
            None
        } else {
            // A create, or a change that may replace the object, plans no
            // identity: the new object's is not known yet, and Terraform
            // 1.15 cannot render an identity with unknown parts in `show
            // -json`. Apply returns it. Anything else keeps the identity
            // the object has.
            if !creates && resp.requires_replace.is_empty() {
                let check = IdentityCheck::Same {
                    before: &prior_identity,
                };
                planned_identity =
                    self.identity_for(&req.type_name, &resp.planned, check, &mut diags);
            }
            match convert::encode(&resp.planned, ty, "planned state") {
                Ok(v) => Some(v),
                Err(d) => {
                    diags.push(d);
                    None
                }
            }
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: planned_state.filter(|_| !diags.has_errors()),
            requires_replace: resp.requires_replace.iter().map(convert::path).collect(),
            planned_private: resp.private,
            diagnostics: convert::diagnostics(&diags),
            planned_identity,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), apply_resource_change);
        let decode = |v: Option<&pb::DynamicValue>, what| convert::decode(v, ty, what).map_err(one);
        let prior = try_diags!(
            decode(req.prior_state.as_ref(), "prior state"),
            apply_resource_change
        );
        let planned = try_diags!(
            decode(req.planned_state.as_ref(), "planned state"),
            apply_resource_change
        );
        let config = try_diags!(
            decode(req.config.as_ref(), "configuration"),
            apply_resource_change
        );
        let planned_identity = try_diags!(
            self.host_identity(
                &req.type_name,
                req.planned_identity.as_ref(),
                "planned identity"
            ),
            apply_resource_change
        );
        let resp = self
            .engine
            .apply(
                &req.type_name,
                ApplyRequest {
                    prior,
                    planned,
                    config,
                    planned_private: req.planned_private,
                },
                ClientCapabilities::default(),
            )
            .await;
        let mut diags = resp.diagnostics;
        let new_identity = self.identity_for(
            &req.type_name,
            &resp.state,
            IdentityCheck::Same {
                before: &planned_identity,
            },
            &mut diags,
        );
        let new_state = match convert::encode(&resp.state, ty, "new state") {
            Ok(v) => Some(v),
            Err(d) => {
                diags.push(d);
                None
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: resp.private,
            diagnostics: convert::diagnostics(&diags),
            new_identity,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.resource_type(&req.type_name), import_resource_state);
        let requested = try_diags!(
            self.host_identity(&req.type_name, req.identity.as_ref(), "import identity"),
            import_resource_state
        );
        let caps = convert::caps(req.client_capabilities.as_ref());
        // An `import` block gives either an ID or an identity.
        let resp = if req.id.is_empty() && !requested.is_null() {
            self.engine
                .import_by_identity(&req.type_name, &requested, caps)
                .await
        } else {
            self.engine.import(&req.type_name, &req.id, caps).await
        };
        let mut diags = resp.diagnostics;
        let mut imported = Vec::new();
        if !diags.has_errors() {
            let identity = self.identity_for(
                &req.type_name,
                &resp.state,
                IdentityCheck::Import {
                    requested: &requested,
                },
                &mut diags,
            );
            match convert::encode(&resp.state, ty, "imported state") {
                Ok(state) if !diags.has_errors() => {
                    imported.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(state),
                        private: resp.private,
                        identity,
                    })
                }
                Ok(_) => {}
                Err(d) => diags.push(d),
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: convert::diagnostics(&diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: convert::diagnostics(&not_supported(
                "moving state from another resource type",
            )),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let ty = try_diags!(self.data_source_type(&req.type_name), read_data_source);
        let config = try_diags!(
            convert::decode(req.config.as_ref(), ty, "data source configuration").map_err(one),
            read_data_source
        );
        let caps = convert::caps(req.client_capabilities.as_ref());
        let resp = self
            .engine
            .read_data_source(&req.type_name, config, caps)
            .await;
        let mut diags = resp.diagnostics;
        let state = if diags.has_errors() {
            None
        } else {
            match convert::encode(&resp.state, ty, "data source result") {
                Ok(v) => Some(v),
                Err(d) => {
                    diags.push(d);
                    None
                }
            }
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: convert::diagnostics(&diags),
            deferred: None,
        }))
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        Ok(Response::new(pb::generate_resource_config::Response {
            diagnostics: convert::diagnostics(&not_supported("configuration generation")),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let d = unknown_type("Ephemeral Resource", &req.into_inner().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: convert::diagnostics(&d),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let d = unknown_type("Ephemeral Resource", &req.into_inner().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: convert::diagnostics(&d),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let d = unknown_type("Ephemeral Resource", &req.into_inner().type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: convert::diagnostics(&d),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let d = unknown_type("Ephemeral Resource", &req.into_inner().type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    type ListResourceStream = Stream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let req = req.into_inner();
        let type_name = req.type_name;
        let config_type = self.engine.list_resource_type(&type_name).cloned();
        let types = config_type
            .zip(self.resource_type(&type_name).ok().cloned())
            .zip(self.identity_type(&type_name).cloned());
        let Some(((config_type, resource_type), identity_type)) = types else {
            let event = pb::list_resource::Event {
                diagnostic: convert::diagnostics(&unknown_type("List Resource", &type_name)),
                ..Default::default()
            };
            return Ok(Response::new(Box::pin(futures::stream::iter([Ok(event)]))));
        };
        let config = match convert::decode(req.config.as_ref(), &config_type, "list configuration")
        {
            Ok(c) => c,
            Err(d) => {
                let event = pb::list_resource::Event {
                    diagnostic: convert::diagnostics(&one(d)),
                    ..Default::default()
                };
                return Ok(Response::new(Box::pin(futures::stream::iter([Ok(event)]))));
            }
        };
        let list = ListRequest {
            config,
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        };
        // The engine lists into a small channel; the stream encodes each
        // result as it comes, so the host sees the first ones early and
        // stops the listing by going away.
        let (tx, rx) = tokio::sync::mpsc::channel::<ListItem>(4);
        let engine = self.engine.clone();
        let name = type_name.clone();
        tokio::spawn(async move {
            engine
                .list(&name, list, ClientCapabilities::default(), tx)
                .await;
        });
        let events = tokio_stream::wrappers::ReceiverStream::new(rx)
            .map(move |item| Ok(list_event(item, &identity_type, &resource_type)));
        Ok(Response::new(Box::pin(events)))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let Some(schema) = self.engine.list_resource_schema(&req.type_name) else {
            let d = unknown_type("List Resource", &req.type_name);
            return Ok(Response::new(pb::validate_list_resource_config::Response {
                diagnostics: convert::diagnostics(&d),
            }));
        };
        let config = try_diags!(
            convert::decode(
                req.config.as_ref(),
                &schema.block.value_type(),
                "list configuration"
            )
            .map_err(one),
            validate_list_resource_config
        );
        let d = self.engine.validate_list_resource(&req.type_name, &config);
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: convert::diagnostics(&d),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Ok(Response::new(pb::call_function::Response {
            error: Some(pb::FunctionError {
                text: format!(
                    "this provider has no function named \"{}\"",
                    req.into_inner().name
                ),
                function_argument: None,
            }),
            ..Default::default()
        }))
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Result<Response<pb::validate_state_store::Response>, Status> {
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics: convert::diagnostics(&not_supported("state stores")),
        }))
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Result<Response<pb::configure_state_store::Response>, Status> {
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: convert::diagnostics(&not_supported("state stores")),
            ..Default::default()
        }))
    }

    type ReadStateBytesStream = Stream<pb::read_state_bytes::Response>;

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn write_state_bytes(
        &self,
        _: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Result<Response<pb::write_state_bytes::Response>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Result<Response<pb::lock_state::Response>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Result<Response<pb::unlock_state::Response>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Result<Response<pb::get_states::Response>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Result<Response<pb::delete_state::Response>, Status> {
        Err(Status::unimplemented(
            "this provider offers no state stores",
        ))
    }

    async fn plan_action(
        &self,
        _: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: convert::diagnostics(&not_supported("actions")),
            ..Default::default()
        }))
    }

    type InvokeActionStream = Stream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(Status::unimplemented("this provider offers no actions"))
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: convert::diagnostics(&not_supported("actions")),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("host asked the provider to stop: cancelling running operations");
        self.engine.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Server;
    use crate::tf::AttributePath;
    use crate::topology::ReplicationProvider;
    use pb::provider_server::Provider as _;

    const TYPE: &str = "replication_topology";

    fn service() -> ProviderService {
        let engine: Arc<Engine> = Arc::new(Server::new(ReplicationProvider::default()));
        ProviderService { engine }
    }

    fn identity_type() -> Type {
        Type::object([
            ("account_id", Type::String),
            ("global_cluster_identifier", Type::String),
        ])
    }

    #[tokio::test]
    async fn identity_schema_is_served() {
        let resp = service()
            .get_resource_identity_schemas(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        let s = &resp.identity_schemas[TYPE];
        assert_eq!(s.version, 0);
        let attrs: Vec<_> = s
            .identity_attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    String::from_utf8(a.r#type.clone()).unwrap(),
                    a.required_for_import,
                    a.optional_for_import,
                )
            })
            .collect();
        assert_eq!(
            attrs,
            [
                ("account_id", "\"string\"".to_owned(), false, true),
                (
                    "global_cluster_identifier",
                    "\"string\"".to_owned(),
                    true,
                    false
                ),
            ]
        );
    }

    #[tokio::test]
    async fn stored_identity_is_upgraded_and_a_newer_version_refused() {
        let upgrade = |version: i64| pb::upgrade_resource_identity::Request {
            type_name: TYPE.to_owned(),
            version,
            raw_identity: Some(pb::RawState {
                json: br#"{"account_id":"123456789012","global_cluster_identifier":"orders"}"#
                    .to_vec(),
                flatmap: Default::default(),
            }),
        };
        let resp = service()
            .upgrade_resource_identity(Request::new(upgrade(0)))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let data = resp.upgraded_identity.unwrap().identity_data.unwrap();
        let v = crate::tf::msgpack::decode(&data.msgpack, &identity_type()).unwrap();
        assert_eq!(
            v,
            Value::object([
                ("account_id", Value::string("123456789012")),
                ("global_cluster_identifier", Value::string("orders")),
            ])
        );
        let resp = service()
            .upgrade_resource_identity(Request::new(upgrade(1)))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.upgraded_identity.is_none());
        assert_eq!(resp.diagnostics[0].summary, "Unsupported Identity Version");
    }

    #[tokio::test]
    async fn list_resource_schema_and_validation_are_served() {
        let s = service();
        let schema = s
            .get_provider_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(schema.list_resource_schemas.contains_key(TYPE));
        let meta = s
            .get_metadata(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(meta.list_resources[0].type_name, TYPE);

        let config_type = crate::topology::list_schema().block.value_type();
        let config = Value::object([("engine", Value::string("postgres")), ("tags", Value::Null)]);
        let resp = s
            .validate_list_resource_config(Request::new(
                pb::validate_list_resource_config::Request {
                    type_name: TYPE.to_owned(),
                    config: Some(convert::encode(&config, &config_type, "config").unwrap()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
        assert_eq!(
            resp.diagnostics[0].attribute,
            Some(convert::path(&AttributePath::root().attr("engine")))
        );
    }
}
