//! Operator endpoints of this process (`/api/v1/admin`): dead letters of its relays and of its
//! modules' RabbitMQ DLQs, and outbox depth. Every process serves its own; admins only.

use actix_web::{web, HttpResponse};
use kernel::{
    events::{
        lag::{ConsumerLag, LagSnapshot},
        outbox,
        rabbitmq::Broker,
    },
    Access, ApiError, ApiResult, Caller, Db, Role, RouteTable,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const ADMIN: &[Role] = &[Role::Admin];
const LIST_LIMIT: u64 = 200;

pub struct AdminState {
    pub db: Db,
    pub schemas: Vec<&'static str>,
    pub broker: Option<Arc<Broker>>,
    pub lags: Vec<Arc<ConsumerLag>>,
}

pub fn routes(r: &mut RouteTable, state: web::Data<AdminState>) {
    r.app_data(state);
    r.get(
        "/admin/dead-letters",
        Access::Roles(ADMIN),
        list_dead_letters,
    )
    .post(
        "/admin/dead-letters/{id}/redrive",
        Access::Roles(ADMIN),
        redrive,
    )
    .delete("/admin/dead-letters/{id}", Access::Roles(ADMIN), discard)
    .get("/admin/outbox", Access::Roles(ADMIN), outbox_status);
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterDto {
    pub id: Uuid,
    /// The module whose outbox (relay) or queue (RabbitMQ DLQ) holds it.
    pub module: String,
    /// `outbox` (the relay gave up) or `rabbitmq` (a consumer gave up).
    pub origin: &'static str,
    pub event: String,
    pub aggregate_id: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub attempts: Option<i32>,
    pub error: Option<String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterFilter {
    /// Only this module's dead letters.
    pub module: Option<String>,
    /// Only this event name, e.g. `auth.user_registered.v1`.
    pub event: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxStatusDto {
    pub module: String,
    pub pending: i64,
    pub dead: i64,
    pub oldest_pending_age_secs: i64,
    /// This module's RabbitMQ consumer, when it has one in this process: messages waiting in its
    /// queue and the age of the oldest event received but not yet handled. An empty outbox does
    /// not mean the events were handled.
    pub consumer: Option<LagSnapshot>,
}

fn wanted(filter: &Option<String>, value: &str) -> bool {
    filter.as_deref().is_none_or(|f| f == value)
}

/// Dead letters of this process's outboxes and of its modules' RabbitMQ DLQs.
#[utoipa::path(get, path = "/api/v1/admin/dead-letters", operation_id = "listDeadLetters", tag = "admin", security(("bearer" = [])), params(DeadLetterFilter),
    responses((status = 200, body = [DeadLetterDto])))]
pub async fn list_dead_letters(
    state: web::Data<AdminState>,
    _caller: Caller,
    query: web::Query<DeadLetterFilter>,
) -> ApiResult<HttpResponse> {
    let filter = query.into_inner();
    let mut out = Vec::new();
    for schema in state.schemas.iter().filter(|s| wanted(&filter.module, s)) {
        for row in
            outbox::dead_letters(state.db.conn(), schema, filter.event.as_deref(), LIST_LIMIT)
                .await?
        {
            out.push(DeadLetterDto {
                id: row.envelope.id,
                module: (*schema).to_owned(),
                origin: "outbox",
                event: row.envelope.name,
                aggregate_id: row.envelope.aggregate_id,
                occurred_at: row.envelope.occurred_at,
                attempts: Some(row.attempts),
                error: row.last_error,
                payload: row.envelope.payload,
            });
        }
    }
    if let Some(broker) = &state.broker {
        let modules: Vec<String> = broker.modules().map(str::to_owned).collect();
        for module in modules
            .iter()
            .filter(|m| state.schemas.contains(&m.as_str()) && wanted(&filter.module, m))
        {
            let letters = broker
                .dead_letters(module, LIST_LIMIT as usize)
                .await
                .map_err(|e| {
                    ApiError::new(kernel::error::ErrorKind::ServiceUnavailable, e.to_string())
                })?;
            for letter in letters
                .into_iter()
                .filter(|l| wanted(&filter.event, &l.envelope.name))
            {
                out.push(DeadLetterDto {
                    id: letter.envelope.id,
                    module: letter.module,
                    origin: "rabbitmq",
                    event: letter.envelope.name,
                    aggregate_id: letter.envelope.aggregate_id,
                    occurred_at: letter.envelope.occurred_at,
                    attempts: None,
                    error: letter.error,
                    payload: letter.envelope.payload,
                });
            }
        }
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Which copy of a dead letter to act on.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterTarget {
    /// Only the copy this module holds. Without it, every copy: with RabbitMQ each consuming
    /// module dead-letters its own copy of an event, under the same id.
    pub module: Option<String>,
}

/// Redrives or discards every copy of dead letter `id` (in `module` only, if given).
async fn act(state: &AdminState, id: Uuid, module: Option<&str>, redrive: bool) -> ApiResult<()> {
    let mut found = false;
    for schema in state
        .schemas
        .iter()
        .filter(|s| module.is_none_or(|m| m == **s))
    {
        // SQLite: in-process writers share the write lock (see `Db::sqlite_write_guard`).
        let guard = state.db.sqlite_write_guard().await;
        let here = if redrive {
            outbox::redrive(state.db.conn(), schema, id).await?
        } else {
            outbox::discard(state.db.conn(), schema, id).await?
        };
        drop(guard);
        found |= here;
    }
    if found && redrive {
        state.db.wake_relays();
    }
    if let Some(broker) = &state.broker {
        let queued: Vec<String> = broker
            .modules()
            .filter(|m| state.schemas.contains(m) && module.is_none_or(|wanted| wanted == *m))
            .map(str::to_owned)
            .collect();
        for queue in &queued {
            found |= broker
                .take_dead_letter(queue, id, redrive)
                .await
                .map_err(|e| {
                    ApiError::new(kernel::error::ErrorKind::ServiceUnavailable, e.to_string())
                })?;
        }
    }
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found("no such dead letter"))
    }
}

/// Sends a dead letter through again (attempts start over).
#[utoipa::path(post, path = "/api/v1/admin/dead-letters/{id}/redrive", operation_id = "redriveDeadLetter", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path), DeadLetterTarget), responses((status = 202, description = "Queued again"), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn redrive(
    state: web::Data<AdminState>,
    _caller: Caller,
    id: web::Path<Uuid>,
    target: web::Query<DeadLetterTarget>,
) -> ApiResult<HttpResponse> {
    act(&state, *id, target.module.as_deref(), true).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Drops a dead letter for good.
#[utoipa::path(delete, path = "/api/v1/admin/dead-letters/{id}", operation_id = "discardDeadLetter", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path), DeadLetterTarget), responses((status = 204, description = "Deleted"), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn discard(
    state: web::Data<AdminState>,
    _caller: Caller,
    id: web::Path<Uuid>,
    target: web::Query<DeadLetterTarget>,
) -> ApiResult<HttpResponse> {
    act(&state, *id, target.module.as_deref(), false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Undelivered and dead-lettered events per module of this process.
#[utoipa::path(get, path = "/api/v1/admin/outbox", operation_id = "getOutboxStatus", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = [OutboxStatusDto])))]
pub async fn outbox_status(
    state: web::Data<AdminState>,
    _caller: Caller,
) -> ApiResult<HttpResponse> {
    let mut out = Vec::new();
    for schema in &state.schemas {
        let stats = outbox::stats(state.db.conn(), schema).await?;
        out.push(OutboxStatusDto {
            module: (*schema).to_owned(),
            pending: stats.pending,
            dead: stats.dead,
            oldest_pending_age_secs: stats.oldest_pending_age_secs,
            consumer: state
                .lags
                .iter()
                .find(|lag| lag.module() == *schema)
                .map(|lag| lag.snapshot()),
        });
    }
    Ok(HttpResponse::Ok().json(out))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_dead_letters, redrive, discard, outbox_status),
    components(schemas(DeadLetterDto, OutboxStatusDto, LagSnapshot)),
    tags((name = "admin", description = "Operations on this process's event pipeline"))
)]
pub struct ApiDoc;
