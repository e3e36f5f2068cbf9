//! `Idempotency-Key` for POSTs that create things (orders, payments, dealer orders, users).
//!
//! The first request with a key claims it (`INSERT … ON CONFLICT DO NOTHING`), runs, and stores
//! its response; the same key with the same request replays that response; with another request
//! it is 422; while the first is still running, 409. Keys are scoped to the caller (the route's
//! access guard runs first) and expire after 24 hours. A 5xx answer releases the key so the
//! client can retry.
//!
//! The response is stored in the handler's own transaction: while the request runs, the
//! handler's `WriteTxn::commit` only hands the transaction over ([`hold`]); once the response
//! exists, the middleware writes it into the key's record in that transaction and commits. So the
//! effect and the stored answer commit together: a process killed after the commit replays the
//! answer on retry, one killed before it leaves no effect (and the claim is taken over after
//! [`STALE_CLAIM_MS`]). A 5xx rolls the held transaction back. An idempotent handler therefore
//! builds its response from what it read inside its transaction, and commits one transaction.

use crate::{
    db::{Db, WriteTxn},
    error::ApiError,
    events::now_ms,
    events::sql::stmt,
};
use actix_web::{
    body::{to_bytes, BoxBody, MessageBody},
    dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform},
    http::{header, Method, StatusCode},
    web, HttpMessage, HttpResponse,
};
use futures_util::{future::LocalBoxFuture, StreamExt};
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    future::ready,
    rc::Rc,
    sync::{Arc, Mutex, PoisonError},
};

pub const HEADER: &str = "idempotency-key";
/// Largest body fingerprinted; the JSON extractor applies its own (smaller) limit afterwards.
pub const BODY_LIMIT: usize = 1024 * 1024;
const TTL_MS: i64 = 24 * 3600 * 1000;
/// A claim older than this whose request never finished (the process died) may be taken over.
const STALE_CLAIM_MS: i64 = 5 * 60 * 1000;
/// Set only by the crash test: abort the process right after an idempotent request's commit,
/// before its response is sent.
const ABORT_AFTER_COMMIT_ENV: &str = "EVDMS_TEST_ABORT_AFTER_IDEMPOTENT_COMMIT";

tokio::task_local! {
    /// The committed-but-held transaction of the idempotent request running on this task.
    static HELD: Arc<HeldCommit>;
}

#[derive(Default)]
struct HeldCommit(Mutex<Option<WriteTxn>>);

impl HeldCommit {
    fn take(&self) -> Option<WriteTxn> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Takes over a transaction being committed inside an idempotent request (the first one only);
/// gives it back otherwise, to be committed at once.
pub(crate) fn hold(txn: WriteTxn) -> Result<(), WriteTxn> {
    let mut txn = Some(txn);
    let held = HELD.try_with(|held| {
        let mut slot = held.0.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = txn.take();
        }
    });
    match (held, txn) {
        (Ok(()), None) => Ok(()),
        (_, Some(txn)) => Err(txn),
        (Err(_), None) => Ok(()), // unreachable: nothing is taken outside a request
    }
}

/// Whether this task runs an idempotent request whose transaction is already held.
pub(crate) fn holds_a_commit() -> bool {
    HELD.try_with(|held| {
        held.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    })
    .unwrap_or(false)
}

/// Wraps a resource: requests whose method is in `schemas` honour `Idempotency-Key`, keeping
/// their records in that module's schema.
pub struct Idempotency {
    pub schemas: Arc<HashMap<Method, &'static str>>,
    pub body_limit: usize,
}

impl<S, B> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = IdempotencyService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyService {
            service: Rc::new(service),
            schemas: self.schemas.clone(),
            body_limit: self.body_limit,
        }))
    }
}

pub struct IdempotencyService<S> {
    service: Rc<S>,
    schemas: Arc<HashMap<Method, &'static str>>,
    body_limit: usize,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

enum Claim {
    Claimed,
    Replay {
        status: u16,
        body: String,
        content_type: Option<String>,
        location: Option<String>,
    },
}

impl<S, B> Service<ServiceRequest> for IdempotencyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let schema = if self.schemas.is_empty() {
            None
        } else {
            self.schemas.get(req.method()).copied()
        };
        let key = req
            .headers()
            .get(HEADER)
            .map(|v| v.to_str().map(str::to_owned));
        let limit = self.body_limit;
        Box::pin(async move {
            let (Some(schema), Some(key)) = (schema, key) else {
                return service
                    .call(req)
                    .await
                    .map(ServiceResponse::map_into_boxed_body);
            };
            let key = match key {
                Ok(k)
                    if !k.is_empty()
                        && k.len() <= 255
                        && k.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    k
                }
                _ => {
                    return Ok(req.error_response(ApiError::bad_request(
                        "Idempotency-Key must be 1–255 visible ASCII characters",
                    )))
                }
            };
            let Some(db) = req.app_data::<web::Data<Db>>().cloned() else {
                return Ok(req.error_response(ApiError::internal(anyhow::anyhow!(
                    "idempotency needs the Db in app data"
                ))));
            };
            // The body is read here (bounded) to fingerprint the request, then handed back.
            let mut payload = req.take_payload();
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk?;
                if body.len() + chunk.len() > limit {
                    return Ok(req.error_response(ApiError::new(
                        crate::error::ErrorKind::PayloadTooLarge,
                        format!("the body exceeds the limit of {limit} bytes"),
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            let body = body.freeze();
            // Keys belong to the caller (not to one token: a retry after a token refresh replays).
            let scope = req
                .extensions()
                .get::<crate::auth::Caller>()
                .map(|c| c.subject.simple().to_string())
                .unwrap_or_else(|| "anonymous".to_owned());
            let mut fingerprint = Sha256::new();
            fingerprint.update(req.method().as_str());
            fingerprint.update(b" ");
            fingerprint.update(req.uri().to_string());
            fingerprint.update(b"\n");
            fingerprint.update(&body);
            let request_hash = hex(&fingerprint.finalize());

            match claim(&db, schema, &scope, &key, &request_hash).await {
                Err(error) => return Ok(req.error_response(error)),
                Ok(Claim::Replay {
                    status,
                    body,
                    content_type,
                    location,
                }) => {
                    let mut response =
                        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
                    response.insert_header(("Idempotency-Replayed", "true"));
                    if let Some(content_type) = content_type {
                        response.insert_header((header::CONTENT_TYPE, content_type));
                    }
                    if let Some(location) = location {
                        response.insert_header((header::LOCATION, location));
                    }
                    return Ok(req.into_response(response.body(body)));
                }
                Ok(Claim::Claimed) => {}
            }

            req.set_payload(Payload::from(body));
            let held = Arc::new(HeldCommit::default());
            let response = HELD.scope(held.clone(), service.call(req)).await;
            let held = held.take();
            let response = match response {
                Ok(response) => response,
                Err(error) => {
                    drop(held); // rolls back
                    release(&db, schema, &scope, &key).await;
                    return Err(error);
                }
            };
            let status = response.status();
            if status.is_server_error() {
                drop(held);
                release(&db, schema, &scope, &key).await;
                return Ok(response.map_into_boxed_body());
            }
            let (http_request, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = match to_bytes(body).await {
                Ok(bytes) => bytes,
                Err(_) => {
                    release(&db, schema, &scope, &key).await;
                    return Err(ApiError::internal(anyhow::anyhow!(
                        "reading the response to store it"
                    ))
                    .into());
                }
            };
            let header_of = |name: header::HeaderName| {
                head.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let record = Completion {
                schema,
                scope: &scope,
                key: &key,
                status: status.as_u16(),
                body: &String::from_utf8_lossy(&bytes),
                content_type: header_of(header::CONTENT_TYPE),
                location: header_of(header::LOCATION),
            };
            match held {
                // The effect and its answer commit together.
                Some(txn) => {
                    let committed = match record.store(&*txn).await {
                        Ok(()) => txn.commit_now().await,
                        Err(error) => Err(error),
                    };
                    if let Err(error) = committed {
                        release(&db, schema, &scope, &key).await;
                        return Err(ApiError::internal(
                            anyhow::Error::new(error).context("committing an idempotent request"),
                        )
                        .into());
                    }
                    if std::env::var_os(ABORT_AFTER_COMMIT_ENV).is_some() {
                        tracing::warn!(
                            "{ABORT_AFTER_COMMIT_ENV} is set: aborting after the commit"
                        );
                        std::process::abort();
                    }
                }
                // Nothing was written (e.g. a refusal): the answer is stored on its own.
                None => {
                    let _guard = db.sqlite_write_guard().await;
                    if let Err(error) = record.store(db.conn()).await {
                        tracing::error!(error = ?error, "storing the idempotent response failed");
                    }
                }
            }
            Ok(ServiceResponse::new(http_request, head.set_body(bytes)).map_into_boxed_body())
        })
    }
}

fn table(schema: &str) -> String {
    format!("\"{schema}\".\"idempotency_keys\"")
}

async fn claim(
    db: &Db,
    schema: &str,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Claim, ApiError> {
    let now = now_ms();
    let conn = db.conn();
    let backend = conn.get_database_backend();
    // On SQLite every in-process writer takes the write lock, so a WriteTxn that reads before
    // it writes never meets a newer snapshot (SQLITE_BUSY_SNAPSHOT).
    let _guard = db.sqlite_write_guard().await;
    // Expired records, and claims abandoned by a process that died, make room for this request.
    let sql = format!(
        "DELETE FROM {} WHERE scope = $1 AND key = $2 AND (expires_at < $3 OR (status = 'in_flight' AND created_at < $4))",
        table(schema)
    );
    conn.execute(stmt(
        backend,
        &sql,
        vec![
            scope.into(),
            key.into(),
            now.into(),
            (now - STALE_CLAIM_MS).into(),
        ],
    ))
    .await?;
    let sql = format!(
        "INSERT INTO {} (scope, key, request_hash, status, created_at, expires_at) VALUES ($1, $2, $3, 'in_flight', $4, $5) \
         ON CONFLICT (scope, key) DO NOTHING",
        table(schema)
    );
    let values = vec![
        scope.into(),
        key.into(),
        request_hash.into(),
        now.into(),
        (now + TTL_MS).into(),
    ];
    if conn
        .execute(stmt(backend, &sql, values))
        .await?
        .rows_affected()
        == 1
    {
        return Ok(Claim::Claimed);
    }
    let sql = format!(
        "SELECT request_hash, status, response_status, response_body, content_type, location FROM {} WHERE scope = $1 AND key = $2",
        table(schema)
    );
    let row = conn
        .query_one(stmt(backend, &sql, vec![scope.into(), key.into()]))
        .await?
        .ok_or_else(|| {
            ApiError::conflict("the Idempotency-Key changed hands; retry")
                .with_code(crate::error::ErrorCode::IdempotencyConflict)
        })?;
    let stored_hash: String = row.try_get("", "request_hash")?;
    if stored_hash != request_hash {
        return Err(ApiError::new(
            crate::error::ErrorKind::Validation,
            "this Idempotency-Key was used with a different request",
        )
        .with_code(crate::error::ErrorCode::IdempotencyKeyReused));
    }
    let status: String = row.try_get("", "status")?;
    if status != "completed" {
        return Err(
            ApiError::conflict("a request with this Idempotency-Key is still in progress")
                .with_code(crate::error::ErrorCode::IdempotencyInFlight),
        );
    }
    let response_status: i32 = row.try_get("", "response_status")?;
    Ok(Claim::Replay {
        status: u16::try_from(response_status).unwrap_or(200),
        body: row.try_get("", "response_body")?,
        content_type: row.try_get("", "content_type")?,
        location: row.try_get("", "location")?,
    })
}

/// The answer to keep for a key.
struct Completion<'a> {
    schema: &'a str,
    scope: &'a str,
    key: &'a str,
    status: u16,
    body: &'a str,
    content_type: Option<String>,
    location: Option<String>,
}

impl Completion<'_> {
    async fn store(self, db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        let sql = format!(
            "UPDATE {} SET status = 'completed', response_status = $1, response_body = $2, content_type = $3, location = $4 \
             WHERE scope = $5 AND key = $6",
            table(self.schema)
        );
        let values = vec![
            i32::from(self.status).into(),
            self.body.into(),
            self.content_type.into(),
            self.location.into(),
            self.scope.into(),
            self.key.into(),
        ];
        db.execute(stmt(db.get_database_backend(), &sql, values))
            .await
            .map(|_| ())
    }
}

async fn release(db: &Db, schema: &str, scope: &str, key: &str) {
    let sql = format!(
        "DELETE FROM {} WHERE scope = $1 AND key = $2 AND status = 'in_flight'",
        table(schema)
    );
    let _guard = db.sqlite_write_guard().await;
    if let Err(error) = db
        .conn()
        .execute(stmt(db.backend(), &sql, vec![scope.into(), key.into()]))
        .await
    {
        tracing::error!(error = ?error, "releasing an idempotency key failed");
    }
}

/// Deletes expired records of one schema (the relay's periodic housekeeping calls it).
pub async fn purge_expired(db: &impl ConnectionTrait, schema: &str) -> Result<(), sea_orm::DbErr> {
    let sql = format!("DELETE FROM {} WHERE expires_at < $1", table(schema));
    db.execute(stmt(db.get_database_backend(), &sql, vec![now_ms().into()]))
        .await
        .map(|_| ())
}
