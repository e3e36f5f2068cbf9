//! The daily digest through a real SMTP server: emails of a digest category are held (not sent
//! one by one), the run sends ONE MIME email listing them and marks them sent with its message
//! id; runs racing each other, or run again, send nothing more.

use super::{
    await_deliveries, await_sent, common, deliveries, order_approved, preferences::stock_low,
    publish_as_module, seeded_app_with_smtp, smtp_server::SmtpServer,
};
use common::{eventually, problem, ADMIN, MANAGER_A};
use contracts::seed::DEALER_A;
use mail_parser::{Message, MessageParser, MimeHeaders};
use serde_json::{json, Value};

const RUN: &str = "/api/v1/admin/notifications/digests/run";

fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default().parse(raw).expect("a MIME message")
}

/// The received mails whose subject starts with `prefix`.
fn mails_about(smtp: &SmtpServer, prefix: &str) -> Vec<Vec<u8>> {
    smtp.messages()
        .into_iter()
        .filter(|raw| parse(raw).subject().is_some_and(|s| s.starts_with(prefix)))
        .collect()
}

async fn run(app: &common::TestApp, admin: &str) -> Value {
    let response = app.post_as(admin, RUN, &json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn digest_categories_are_mailed_once_in_one_daily_digest() {
    let Some((smtp, app, admin)) = seeded_app_with_smtp().await else {
        return;
    };
    let manager = app.token(MANAGER_A).await;
    let chosen: Value = app
        .put_as(
            &manager,
            "/api/v1/notifications/preferences",
            &json!({ "digestCategories": ["stock"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chosen["digestCategories"], json!(["stock"]));

    let first = publish_as_module(&app, &stock_low(1)).await;
    let second = publish_as_module(&app, &stock_low(2)).await;
    for event in [first, second] {
        let rows = await_deliveries(&app, &admin, &format!("eventId={event}"), 2).await;
        let email = rows.iter().find(|r| r["channel"] == "email").unwrap();
        assert_eq!(email["status"], "digest", "{email}");
        assert_eq!(email["attempts"], 0);
        assert!(email["nextAttemptAt"].is_string(), "held until the digest");
        let in_app = rows.iter().find(|r| r["channel"] == "in_app").unwrap();
        assert_eq!(in_app["status"], "sent", "the inbox is not held");
    }
    // A mail outside the digest goes at once; the held ones did not go with it.
    let approved = publish_as_module(&app, &order_approved(DEALER_A, "DO-A-42")).await;
    eventually("the order mail at the SMTP server", || async {
        (!mails_about(&smtp, "Order DO-A-42").is_empty()).then_some(())
    })
    .await;
    assert!(mails_about(&smtp, "Dealer stock low").is_empty());
    assert_eq!(
        deliveries(
            &app,
            &admin,
            "event=dealer.stock_low.v1&channel=email&status=digest"
        )
        .await
        .len(),
        2
    );
    assert!(
        !deliveries(&app, &admin, &format!("eventId={approved}&status=sent"))
            .await
            .is_empty()
    );

    // Only admins run it.
    problem(app.post_as(&manager, RUN, &json!({})).await, 403).await;
    // Two runs at once: one digest, carrying both messages.
    let (a, b) = tokio::join!(run(&app, &admin), run(&app, &admin));
    assert_eq!(
        a["digests"].as_u64().unwrap() + b["digests"].as_u64().unwrap(),
        1,
        "{a} {b}"
    );
    assert_eq!(
        a["messages"].as_u64().unwrap() + b["messages"].as_u64().unwrap(),
        2
    );

    let raw = eventually("the digest at the SMTP server", || async {
        mails_about(&smtp, "Your EVDMS digest").pop()
    })
    .await;
    let mail = parse(&raw);
    assert_eq!(mail.subject(), Some("Your EVDMS digest: 2 update(s)"));
    assert_eq!(
        mail.to().unwrap().first().unwrap().address(),
        Some(MANAGER_A)
    );
    assert_eq!(
        mail.content_type().map(|c| (c.ctype(), c.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let text = mail.body_text(0).unwrap();
    assert!(text.contains("Hello Mara Manager (Dealer A)"), "{text}");
    for listed in [
        "Only 1 unit(s) of a variant are in stock",
        "Only 2 unit(s) of a variant are in stock",
    ] {
        assert!(text.contains(listed), "{listed} in {text}");
        assert!(mail.body_html(0).unwrap().contains(listed));
    }
    let digest_id = mail.message_id().unwrap().to_owned();
    let sent = deliveries(&app, &admin, "event=dealer.stock_low.v1&channel=email").await;
    assert_eq!(sent.len(), 2);
    for row in &sent {
        assert_eq!(row["status"], "sent", "{row}");
        assert_eq!(row["provider"], "smtp");
        assert_eq!(row["attempts"], 1);
        assert_eq!(row["subject"], "Dealer stock low");
        assert_eq!(
            row["providerMessageId"]
                .as_str()
                .unwrap()
                .trim_matches(['<', '>']),
            digest_id
        );
    }

    // Nothing is held any more: another run sends nothing.
    let again = run(&app, &admin).await;
    assert_eq!(
        (again["digests"].as_u64(), again["messages"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(mails_about(&smtp, "Your EVDMS digest").len(), 1);
    assert!(mails_about(&smtp, "Dealer stock low").is_empty());

    // Held again, then stock is taken out of the digest: the held email goes on its own.
    let third = publish_as_module(&app, &stock_low(3)).await;
    eventually("the third stock email held", || async {
        deliveries(
            &app,
            &admin,
            &format!("eventId={third}&channel=email&status=digest"),
        )
        .await
        .pop()
    })
    .await;
    let none: Value = app
        .put_as(
            &manager,
            "/api/v1/notifications/preferences",
            &json!({ "digestCategories": [] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["digestCategories"], json!([]));
    await_sent(&app, &admin, third, "email").await;
    eventually("the released mail at the SMTP server", || async {
        (mails_about(&smtp, "Dealer stock low").len() == 1).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_digest_template_is_listed_and_edited_like_the_others() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    let path = "/api/v1/notifications/templates/notification.digest/email/vi";
    let shipped: Value = app.get_as(&admin, path).await.json().await.unwrap();
    assert_eq!(shipped["source"], "default");
    assert!(shipped["variables"]
        .as_array()
        .unwrap()
        .contains(&json!("items")));
    let saved = app
        .put_as(
            &admin,
            path,
            &json!({ "subject": "Bản tin ({{ count }})", "text": "{% for item in items %}{{ item.subject }}\n{% endfor %}" }),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let preview: Value = app
        .post_as(
            &admin,
            "/api/v1/notifications/templates/preview",
            &json!({ "event": "notification.digest", "channel": "email", "locale": "vi" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["subject"], "Bản tin (2)");
    // Its variables are checked like any template's.
    problem(
        app.put_as(
            &admin,
            path,
            &json!({ "subject": "{{ nope }}", "text": "x" }),
        )
        .await,
        422,
    )
    .await;
    // It is an email only.
    problem(
        app.get_as(
            &admin,
            "/api/v1/notifications/templates/notification.digest/sms/en",
        )
        .await,
        422,
    )
    .await;
}
