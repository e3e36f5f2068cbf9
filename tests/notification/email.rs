//! Email through a real SMTP server (aiosmtpd): MIME with text and HTML parts, the password
//! reset link usable from the received mail, and an SMTP outage that loses nothing.

use super::{
    await_deliveries, await_directory, await_sent, common, deliveries, order_approved,
    publish_as_module, recipients,
    smtp_server::{self, SmtpServer},
};
use common::{eventually, ADMIN, MANAGER_A, STAFF_A};
use contracts::seed::{DEALER_A, DEMO_USER_IDS};
use mail_parser::{Message, MessageParser, MimeHeaders};
use serde_json::json;

fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default().parse(raw).expect("a MIME message")
}

fn to_address(message: &Message<'_>) -> String {
    message
        .to()
        .and_then(|to| to.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned()
}

/// The received mail whose Message-ID the ledger recorded as the provider id.
async fn received(smtp: &SmtpServer, provider_message_id: &str) -> Vec<u8> {
    let wanted = provider_message_id.trim_matches(['<', '>']).to_owned();
    eventually("the mail at the SMTP server", || async {
        smtp.messages()
            .into_iter()
            .find(|raw| parse(raw).message_id() == Some(wanted.as_str()))
    })
    .await
}

fn app_settings(smtp_port: u16, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut vars = SmtpServer::settings(smtp_port);
    vars.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    vars
}

fn borrowed<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A seeded app mailing through a fresh SMTP server, with `extra` settings, its directory
/// complete; with an admin token. `None` (skip) without aiosmtpd.
pub async fn app_with_mail(
    extra: &[(&'static str, &str)],
) -> Option<(SmtpServer, common::TestApp, String)> {
    if !smtp_server::available() {
        return None;
    }
    let smtp = SmtpServer::start().await;
    let vars = app_settings(smtp.port, extra);
    let app = common::spawn_seeded_app_with(&borrowed(&vars)).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    Some((smtp, app, admin))
}

#[tokio::test]
async fn a_routed_event_is_mailed_to_the_dealers_manager_as_text_and_html() {
    let Some((smtp, app, admin)) = app_with_mail(&[]).await else {
        return;
    };

    let event_id = publish_as_module(&app, &order_approved(DEALER_A, "DO-A-0001")).await;
    let rows = await_deliveries(&app, &admin, &format!("eventId={event_id}"), 2).await;
    let manager_a = format!("user:{}", DEMO_USER_IDS[2]);
    assert_eq!(
        recipients(&rows),
        [
            (manager_a.clone(), "email".into()),
            (manager_a, "in_app".into())
        ]
    );
    let sent = await_sent(&app, &admin, event_id, "email").await;
    assert_eq!(sent["provider"], "smtp");
    assert_eq!(sent["attempts"], 1);
    assert_eq!(sent["subject"], "Order DO-A-0001 approved");

    let raw = received(&smtp, sent["providerMessageId"].as_str().unwrap()).await;
    let mail = parse(&raw);
    assert_eq!(to_address(&mail), MANAGER_A);
    assert_eq!(mail.subject(), Some("Order DO-A-0001 approved"));
    assert_eq!(
        mail.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let text = mail.body_text(0).unwrap();
    assert!(text.contains("Hello Mara Manager (Dealer A)"), "{text}");
    assert!(text.contains("DO-A-0001 (2,850,000.00)"), "{text}");
    let html = mail.body_html(0).unwrap();
    assert!(
        html.contains("<p>Hello Mara Manager (Dealer A),</p>"),
        "{html}"
    );
    let about_order = smtp
        .messages()
        .iter()
        .filter(|raw| {
            parse(raw)
                .subject()
                .is_some_and(|s| s.contains("DO-A-0001"))
        })
        .count();
    assert_eq!(about_order, 1, "only dealer A's manager hears of it");
}

/// The stored payload of the auth outbox row of `event_id`, as text.
async fn auth_outbox_payload(app: &common::TestApp, event_id: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let db = common::connect(&app.database).await;
    db.conn()
        .query_one(Statement::from_sql_and_values(
            db.backend(),
            "SELECT payload FROM \"auth\".\"outbox\" WHERE id = $1",
            [event_id.into()],
        ))
        .await
        .unwrap()
        .expect("the event in the auth outbox")
        .try_get("", "payload")
        .unwrap()
}

/// The ledger row's stored render context.
async fn stored_context(app: &common::TestApp, id: &str) -> serde_json::Value {
    let db = common::connect(&app.database).await;
    notification::store::deliveries::find(db.conn(), id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .context
}

#[tokio::test]
async fn the_password_reset_token_travels_sealed_arrives_works_and_is_not_kept() {
    if !smtp_server::available() {
        return;
    }
    // The mail server is down at first, so the queued row can be looked at before sending.
    let port = smtp_server::free_port();
    let vars = app_settings(port, &[("EVDMS__NOTIFICATION__MAX_ATTEMPTS", "100")]);
    let app = common::spawn_seeded_app_with(&borrowed(&vars)).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;

    let forgot = app
        .post_json("/api/v1/auth/password/forgot", &json!({ "email": STAFF_A }))
        .await;
    assert_eq!(forgot.status(), 202);
    let waiting = eventually("the reset mail waiting for the server", || async {
        deliveries(
            &app,
            &admin,
            "event=auth.password_reset_requested.v1&status=failed",
        )
        .await
        .pop()
    })
    .await;
    let id = waiting["id"].as_str().unwrap().to_owned();
    let event_id = waiting["eventId"].as_str().unwrap().to_owned();
    let queued = stored_context(&app, &id).await;
    let sealed = queued["sealedResetToken"]
        .as_str()
        .expect("kept sealed")
        .to_owned();
    assert!(queued.get("resetToken").is_none(), "{queued}");
    assert!(
        waiting.get("context").is_none(),
        "the admin ledger shows no context"
    );
    let outbox = auth_outbox_payload(&app, &event_id).await;
    assert!(
        outbox.contains(&sealed) && !outbox.contains("\"resetToken\""),
        "{outbox}"
    );

    let smtp = SmtpServer::start_on(port).await;
    let sent = eventually("the reset mail sent", || async {
        deliveries(&app, &admin, &format!("eventId={event_id}&status=sent"))
            .await
            .pop()
    })
    .await;
    let raw = received(&smtp, sent["providerMessageId"].as_str().unwrap()).await;
    let mail = parse(&raw);
    assert_eq!(to_address(&mail), STAFF_A);
    let text = mail.body_text(0).unwrap().into_owned();
    let token = text
        .split("reset-password?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a reset link")
        .to_owned();
    assert_ne!(token, "[redacted]");
    assert_ne!(token, sealed, "the mail carries the opened token");
    // Neither the event nor the queued row ever held the token readable.
    assert!(!outbox.contains(&token));
    assert!(!queued.to_string().contains(&token));
    let reset = app
        .post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "newPassword": "A-brand-new-secret-9" }),
        )
        .await;
    assert_eq!(reset.status(), 204, "the mailed token resets the password");
    app.login(STAFF_A, "A-brand-new-secret-9").await;

    // Once sent, the ledger holds not even the sealed token, so it cannot be mailed again.
    let kept = stored_context(&app, &id).await;
    assert_eq!(kept["sealedResetToken"], "[redacted]");
    assert!(!kept.to_string().contains(&token) && !kept.to_string().contains(&sealed));
    let resend = app
        .post_as(
            &admin,
            &format!("/api/v1/admin/notifications/deliveries/{id}/resend"),
            &json!({}),
        )
        .await;
    assert_eq!(resend.status(), 202);
    let dead = eventually("the resend refused", || async {
        let row: serde_json::Value = app
            .get_as(
                &admin,
                &format!("/api/v1/admin/notifications/deliveries/{id}"),
            )
            .await
            .json()
            .await
            .unwrap();
        (row["status"] == "dead").then_some(row)
    })
    .await;
    assert!(dead["lastError"]
        .as_str()
        .unwrap()
        .contains("one-time link"));
}

#[tokio::test]
async fn an_smtp_outage_is_retried_and_drains_when_the_server_returns() {
    if !smtp_server::available() {
        return;
    }
    // Nothing listens on the port yet.
    let port = smtp_server::free_port();
    let vars = app_settings(port, &[("EVDMS__NOTIFICATION__MAX_ATTEMPTS", "100")]);
    let app = common::spawn_seeded_app_with(&borrowed(&vars)).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;

    let failing = eventually("the welcome mails failing", || async {
        let rows = deliveries(&app, &admin, "event=auth.user_registered.v1&status=failed").await;
        (rows.len() == 6 && rows.iter().all(|r| r["attempts"].as_i64() >= Some(2))).then_some(rows)
    })
    .await;
    assert!(failing
        .iter()
        .all(|r| !r["lastError"].as_str().unwrap().is_empty()));
    assert!(failing.iter().all(|r| r["nextAttemptAt"].is_string()));

    let smtp = SmtpServer::start_on(port).await;
    let sent = eventually("the backlog sent", || async {
        let rows = deliveries(&app, &admin, "event=auth.user_registered.v1&status=sent").await;
        (rows.len() == 6).then_some(rows)
    })
    .await;
    for row in &sent {
        received(&smtp, row["providerMessageId"].as_str().unwrap()).await;
    }
    assert_eq!(smtp.messages().len(), 6, "each welcome mail exactly once");

    // An admin resends one: it goes out again.
    let id = sent[0]["id"].as_str().unwrap();
    let resend = app
        .post_as(
            &admin,
            &format!("/api/v1/admin/notifications/deliveries/{id}/resend"),
            &json!({}),
        )
        .await;
    assert_eq!(resend.status(), 202);
    eventually("the resent mail", || async {
        (smtp.messages().len() == 7).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_reset_event_from_before_sealing_is_sealed_on_arrival_and_still_mailed() {
    let Some((smtp, app, admin)) = app_with_mail(&[]).await else {
        return;
    };

    // A `.v1` event as auth wrote it before sealing (e.g. redriven from a dead letter).
    let envelope = kernel::events::EventEnvelope {
        id: uuid::Uuid::now_v7(),
        name: "auth.password_reset_requested.v1".into(),
        occurred_at: chrono::Utc::now(),
        source: "auth".into(),
        aggregate_id: DEMO_USER_IDS[3].to_string(),
        correlation_id: None,
        payload: json!({
            "userId": DEMO_USER_IDS[3], "email": STAFF_A, "name": "Sam Staff",
            "resetToken": "legacy-clear-token-0123456789",
            "expiresAt": chrono::Utc::now() + chrono::Duration::hours(1),
        }),
    };
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish_envelope(&mut txn, "auth", &envelope)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    let sent = eventually("the legacy reset mail sent", || async {
        deliveries(
            &app,
            &admin,
            &format!("eventId={}&status=sent", envelope.id),
        )
        .await
        .pop()
    })
    .await;
    let raw = received(&smtp, sent["providerMessageId"].as_str().unwrap()).await;
    let text = parse(&raw).body_text(0).unwrap().into_owned();
    assert!(
        text.contains("reset-password?token=legacy-clear-token-0123456789"),
        "{text}"
    );
    let kept = stored_context(&app, sent["id"].as_str().unwrap()).await;
    assert_eq!(kept["sealedResetToken"], "[redacted]");
    assert!(kept.get("resetToken").is_none(), "{kept}");
}
