//! The caller's notifications live, as Server-Sent Events, and the tickets that let a browser's
//! EventSource (which cannot send an Authorization header) open the stream.

use super::{InboxItemDto, State};
use crate::app::{
    feed::{self, Feed, FeedEvent},
    tickets,
};
use actix_web::{http::header, web, HttpMessage, HttpRequest, HttpResponse};
use kernel::{Access, ApiError, ApiResult, Caller};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::watch;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// How the stream route is guarded (for the route listing).
pub const STREAM_ACCESS: Access =
    Access::CheckedByHandler("authenticated (bearer token, or a stream ticket in ?ticket=)");

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    /// Opens the stream once: `GET /api/v1/notifications/stream?ticket=…`.
    pub ticket: String,
    pub expires_in_secs: u64,
}

/// A single-use ticket to open the caller's live stream, for clients that cannot send an
/// Authorization header (browsers' EventSource). Valid once, for a short time.
#[utoipa::path(post, path = "/api/v1/notifications/stream-tickets", tag = "notification", security(("bearer" = [])),
    operation_id = "createNotificationStreamTicket",
    responses((status = 201, body = StreamTicket), (status = 401, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn issue_ticket(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let ttl = state.settings.stream_ticket_ttl_secs;
    let ticket = tickets::issue(&*state.cache, caller.subject, Duration::from_secs(ttl))
        .await
        .map_err(cache_unavailable)?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(StreamTicket {
            ticket,
            expires_in_secs: ttl,
        }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// A ticket from `POST /api/v1/notifications/stream-tickets` (instead of a bearer token).
    pub ticket: Option<String>,
    /// Resume after this item (as the `Last-Event-ID` header, which takes precedence).
    pub last_event_id: Option<String>,
}

/// The caller's new notifications as Server-Sent Events (`text/event-stream`): each as
/// `event: notification` with `id:` the item's id and `data:` the item as the inbox lists it,
/// followed by `event: unread-count` (`{"unread": n}`); a `: keep-alive` comment at every
/// heartbeat. With `Last-Event-ID` (or `lastEventId`) the items after that one are replayed
/// first, oldest first, then the live ones, without duplicates or a gap.
#[utoipa::path(get, path = "/api/v1/notifications/stream", tag = "notification", security(("bearer" = [])),
    operation_id = "streamNotifications",
    params(StreamParams, ("Last-Event-ID" = Option<String>, Header, description = "The id of the last item received")),
    responses(
        (status = 200, description = "An endless event stream", content_type = "text/event-stream", body = String),
        (status = 400, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many streams of this user are open", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn stream(
    state: State,
    req: HttpRequest,
    params: web::Query<StreamParams>,
) -> ApiResult<HttpResponse> {
    let last_seen = last_event_id(&req, params.last_event_id.as_deref())?;
    let user = stream_user(&state, &req, params.ticket.as_deref()).await?;
    let feed = feed::open(&state.clone().into_inner(), user, last_seen)
        .await
        .map_err(|error| match error {
            feed::OpenError::TooMany(too_many) => ApiError::too_many_requests(5)
                .with_code(kernel::ErrorCode::TooManyStreams)
                .with_detail(format!("{too_many}; close one first")),
            feed::OpenError::Database(error) => ApiError::internal(error),
        })?;
    let settings = &state.settings;
    let events = Events {
        feed,
        heartbeat: heartbeat(Duration::from_secs(settings.stream_heartbeat_secs)),
        draining: state.draining.clone(),
        opening: Some(web::Bytes::from(format!(
            "retry: {}\n: connected\n\n",
            settings.stream_retry_ms
        ))),
    };
    let body = futures_util::stream::unfold(events, |mut events| async move {
        let chunk = events.next_chunk().await?;
        Some((Ok::<_, actix_web::Error>(chunk), events))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Reverse proxies (nginx) must pass each event on at once.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(body))
}

fn last_event_id(req: &HttpRequest, query: Option<&str>) -> ApiResult<Option<Uuid>> {
    let header = req
        .headers()
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or_default());
    match header.or(query).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(id) => id
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request("Last-Event-ID must be the id of a notification")),
    }
}

/// Tickets live in the cache: while it is down they can be neither issued nor spent (503; a
/// bearer token still opens the stream).
fn cache_unavailable(error: anyhow::Error) -> ApiError {
    tracing::warn!(error = %format!("{error:#}"), "stream tickets unavailable");
    ApiError::new(
        kernel::error::ErrorKind::ServiceUnavailable,
        "stream tickets are unavailable for the moment; retry, or open the stream with a bearer token",
    )
}

/// Who the stream is for: the ticket's user, or the bearer token's.
async fn stream_user(state: &State, req: &HttpRequest, ticket: Option<&str>) -> ApiResult<Uuid> {
    if let Some(ticket) = ticket {
        return tickets::redeem(&*state.cache, ticket)
            .await
            .map_err(cache_unavailable)?
            .ok_or_else(|| {
                ApiError::unauthorized("the stream ticket is unknown, used or expired")
                    .with_code(kernel::ErrorCode::InvalidStreamTicket)
            });
    }
    let caller =
        req.extensions().get::<Caller>().cloned().ok_or_else(|| {
            ApiError::unauthorized("a bearer token or a stream ticket is required")
        })?;
    Access::Authenticated.check(&caller)?;
    Ok(caller.subject)
}

fn heartbeat(period: Duration) -> tokio::time::Interval {
    let period = period.max(Duration::from_millis(100));
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval
}

/// One open stream: its feed, its heartbeat, and the server's stop signal.
struct Events {
    feed: Feed,
    heartbeat: tokio::time::Interval,
    draining: watch::Receiver<bool>,
    opening: Option<web::Bytes>,
}

impl Events {
    /// The next bytes to send; `None` ends the stream (the server stops, or the feed broke).
    async fn next_chunk(&mut self) -> Option<web::Bytes> {
        if let Some(opening) = self.opening.take() {
            return Some(opening);
        }
        if *self.draining.borrow() {
            return None;
        }
        tokio::select! {
            biased;
            _ = self.draining.changed() => None,
            event = self.feed.next() => match event {
                Ok(Some(event)) => Some(frame(event)),
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(%error, "live stream ended: the inbox could not be read");
                    None
                }
            },
            _ = self.heartbeat.tick() => Some(web::Bytes::from_static(b": keep-alive\n\n")),
        }
    }
}

/// One event in the SSE wire format (JSON never contains a raw newline).
fn frame(event: FeedEvent) -> web::Bytes {
    let text = match event {
        FeedEvent::Notification(item) => {
            let id = item.id;
            let data = serde_json::to_string(&InboxItemDto::from(item)).unwrap_or_default();
            format!("id: {id}\nevent: notification\ndata: {data}\n\n")
        }
        FeedEvent::Unread(unread) => {
            format!("event: unread-count\ndata: {{\"unread\":{unread}}}\n\n")
        }
    };
    web::Bytes::from(text)
}
