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

#[tokio::test]
async fn a_routed_event_is_mailed_to_the_dealers_manager_as_text_and_html() {
    if !smtp_server::available() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let vars = app_settings(smtp.port, &[]);
    let app = common::spawn_seeded_app_with(&borrowed(&vars)).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;

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

#[tokio::test]
async fn the_password_reset_link_arrives_works_and_is_not_kept() {
    if !smtp_server::available() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let vars = app_settings(smtp.port, &[]);
    let app = common::spawn_seeded_app_with(&borrowed(&vars)).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;

    let forgot = app
        .post_json("/api/v1/auth/password/forgot", &json!({ "email": STAFF_A }))
        .await;
    assert_eq!(forgot.status(), 202);
    let sent = eventually("the reset mail sent", || async {
        deliveries(
            &app,
            &admin,
            "event=auth.password_reset_requested.v1&status=sent",
        )
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
    let reset = app
        .post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "newPassword": "A-brand-new-secret-9" }),
        )
        .await;
    assert_eq!(reset.status(), 204, "the mailed token resets the password");

    // Once sent, the ledger no longer holds the token, so it cannot be mailed again.
    let db = common::connect(&app.database).await;
    let row = notification::store::deliveries::find(
        db.conn(),
        sent["id"].as_str().unwrap().parse().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.context["resetToken"], "[redacted]");
    assert!(!row.context.to_string().contains(&token));
    let id = sent["id"].as_str().unwrap();
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
