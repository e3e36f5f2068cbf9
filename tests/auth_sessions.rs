//! Refresh-token rotation, sign-out, sessions and passwords.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::{
    problem, spawn_seeded_app, spawn_seeded_app_with, ADMIN, MANAGER_A, PASSWORD, STAFF_A,
};
use contracts::events::auth::PasswordResetRequested;
use kernel::secrets::Sealer;
use secrecy::ExposeSecret;
use serde_json::json;

/// The id of the (last) password-reset event in the auth outbox.
async fn reset_event_id(app: &common::TestApp) -> uuid::Uuid {
    use sea_orm::{ConnectionTrait, Statement};
    let db = common::connect(&app.database).await;
    let row = db
        .conn()
        .query_one(Statement::from_string(
            db.backend(),
            "SELECT id FROM \"auth\".\"outbox\" WHERE name = 'auth.password_reset_requested.v1' ORDER BY seq DESC",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "id").unwrap().parse().unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_reusing_a_rotated_token_after_the_grace_revokes_the_family() {
    let app = spawn_seeded_app_with(&[("EVDMS__AUTH__REFRESH_REUSE_GRACE_SECS", "1")]).await;
    let first = app.login(STAFF_A, PASSWORD).await;
    let old_refresh = first["refreshToken"].as_str().unwrap().to_owned();

    let second: serde_json::Value = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": old_refresh }),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_refresh = second["refreshToken"].as_str().unwrap().to_owned();
    let new_access = second["accessToken"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(second["sessionId"], first["sessionId"], "same family");
    assert_eq!(
        app.get_as(&new_access, "/api/v1/users/me").await.status(),
        200
    );

    // The stolen old token comes back after the grace: 401, and the whole family dies with it.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let reuse = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": old_refresh }),
        )
        .await;
    assert_eq!(problem(reuse, 401).await["code"], "invalid_refresh_token");
    let after = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": new_refresh }),
        )
        .await;
    problem(after, 401).await;
    problem(app.get_as(&new_access, "/api/v1/users/me").await, 401).await;

    // Other sessions of the user are untouched.
    let other = app.login(STAFF_A, PASSWORD).await;
    let ok = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": other["refreshToken"] }),
        )
        .await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_rotate_it_once_and_share_the_pair() {
    let app = spawn_seeded_app().await;
    let session = app.login(STAFF_A, PASSWORD).await;
    let body = json!({ "refreshToken": session["refreshToken"] });
    let attempts = (0..6).map(|_| app.post_json("/api/v1/auth/refresh", &body));
    let mut pairs = Vec::new();
    for response in futures_util::future::join_all(attempts).await {
        assert_eq!(response.status(), 200);
        pairs.push(response.json::<serde_json::Value>().await.unwrap());
    }
    for pair in &pairs {
        assert_eq!(
            pair["refreshToken"], pairs[0]["refreshToken"],
            "one rotation"
        );
        assert_eq!(pair["sessionId"], session["sessionId"]);
        let access = pair["accessToken"].as_str().unwrap();
        assert_eq!(app.get_as(access, "/api/v1/users/me").await.status(), 200);
    }
}

async fn refresh(app: &common::TestApp, token: &serde_json::Value) -> reqwest::Response {
    app.post_json("/api/v1/auth/refresh", &json!({ "refreshToken": token }))
        .await
}

/// Two tabs (or a retry after a timeout) refreshing at once: both get the same new pair and
/// the user stays signed in.
#[tokio::test]
async fn two_clients_refreshing_at_once_keep_the_user_signed_in() {
    let app = spawn_seeded_app().await;
    let mut current = app.login(MANAGER_A, PASSWORD).await["refreshToken"].clone();
    for trial in 0..20 {
        let (a, b) = tokio::join!(refresh(&app, &current), refresh(&app, &current));
        assert_eq!(
            (a.status().as_u16(), b.status().as_u16()),
            (200, 200),
            "trial {trial}"
        );
        let a: serde_json::Value = a.json().await.unwrap();
        let b: serde_json::Value = b.json().await.unwrap();
        assert_eq!(a["refreshToken"], b["refreshToken"], "trial {trial}");
        assert_ne!(a["refreshToken"], current);
        for access in [&a["accessToken"], &b["accessToken"]] {
            let me = app
                .get_as(access.as_str().unwrap(), "/api/v1/users/me")
                .await;
            assert_eq!(me.status(), 200, "trial {trial}");
        }
        current = a["refreshToken"].clone();
    }
    // The newest token still works; a token two rotations old is reuse and ends the session.
    let next: serde_json::Value = refresh(&app, &current).await.json().await.unwrap();
    assert!(next["refreshToken"].is_string());
    let after: serde_json::Value = refresh(&app, &next["refreshToken"])
        .await
        .json()
        .await
        .unwrap();
    problem(refresh(&app, &current).await, 401).await;
    problem(refresh(&app, &after["refreshToken"]).await, 401).await;
}

#[tokio::test]
async fn garbage_refresh_tokens_are_401_and_empty_ones_422() {
    let app = spawn_seeded_app().await;
    problem(
        app.post_json("/api/v1/auth/refresh", &json!({ "refreshToken": "nope" }))
            .await,
        401,
    )
    .await;
    problem(
        app.post_json("/api/v1/auth/refresh", &json!({ "refreshToken": "" }))
            .await,
        422,
    )
    .await;
    problem(app.post_json("/api/v1/auth/refresh", &json!({})).await, 422).await;
}

#[tokio::test]
async fn logout_invalidates_the_access_token_before_it_expires() {
    let app = spawn_seeded_app().await;
    let session = app.login(MANAGER_A, PASSWORD).await;
    let access = session["accessToken"].as_str().unwrap();
    assert_eq!(app.get_as(access, "/api/v1/users/me").await.status(), 200);
    let response = app.post_as(access, "/api/v1/auth/logout", &json!({})).await;
    assert_eq!(response.status(), 204);
    problem(app.get_as(access, "/api/v1/users/me").await, 401).await;
    let refresh = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": session["refreshToken"] }),
        )
        .await;
    problem(refresh, 401).await;
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_by_one_or_all_at_once() {
    let app = spawn_seeded_app().await;
    let phone = app.login(STAFF_A, PASSWORD).await;
    let laptop = app.login(STAFF_A, PASSWORD).await;
    let laptop_token = laptop["accessToken"].as_str().unwrap();
    let phone_token = phone["accessToken"].as_str().unwrap();

    let sessions: Vec<serde_json::Value> = app
        .get_as(laptop_token, "/api/v1/auth/sessions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);

    // Someone else's session id is simply not found.
    let admin = app.token(ADMIN).await;
    let phone_session = phone["sessionId"].as_str().unwrap();
    let foreign = app
        .client
        .delete(app.url(&format!("/api/v1/auth/sessions/{phone_session}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    problem(foreign, 404).await;

    let ended = app
        .client
        .delete(app.url(&format!("/api/v1/auth/sessions/{phone_session}")))
        .bearer_auth(laptop_token)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    problem(app.get_as(phone_token, "/api/v1/users/me").await, 401).await;
    assert_eq!(
        app.get_as(laptop_token, "/api/v1/users/me").await.status(),
        200
    );

    assert_eq!(
        app.post_as(laptop_token, "/api/v1/auth/logout-all", &json!({}))
            .await
            .status(),
        204
    );
    problem(app.get_as(laptop_token, "/api/v1/users/me").await, 401).await;
}

#[tokio::test]
async fn a_password_reset_mails_a_one_time_token_and_ends_every_session() {
    // The key auth seals the token with, as the notification module would hold it.
    let key = [42u8; 32];
    let encoded = base64::engine::general_purpose::STANDARD.encode(key);
    let app = common::spawn_seeded_app_with(&[(
        "EVDMS__SECRETS__NOTIFICATION_SEAL_KEY",
        encoded.as_str(),
    )])
    .await;
    let before = app.login(STAFF_A, PASSWORD).await;
    // Unknown and known emails get the same answer.
    assert_eq!(
        app.post_json(
            "/api/v1/auth/password/forgot",
            &json!({ "email": "ghost@evdms.dev" })
        )
        .await
        .status(),
        202
    );
    assert_eq!(
        app.post_json("/api/v1/auth/password/forgot", &json!({ "email": STAFF_A }))
            .await
            .status(),
        202
    );

    let events = common::outbox_events(&app, "auth").await;
    let (_, payload) = events
        .iter()
        .rev()
        .find(|(name, _)| name == "auth.password_reset_requested.v1")
        .expect("reset event");
    assert_eq!(payload["email"], STAFF_A);
    assert!(payload.get("password").is_none() && payload.get("newPassword").is_none());
    // The token travels sealed to its event; only the holder of the key opens it.
    assert!(payload.get("resetToken").is_none(), "{payload}");
    let sealed = payload["sealedResetToken"].as_str().unwrap();
    let context = PasswordResetRequested::sealing_context(reset_event_id(&app).await);
    let token = Sealer::new(&key)
        .open(sealed, &context)
        .expect("opens with the shared key")
        .expose_secret()
        .to_owned();
    assert!(Sealer::new(&[7u8; 32]).open(sealed, &context).is_err());
    assert_eq!(
        events
            .iter()
            .filter(|(name, _)| name == "auth.password_reset_requested.v1")
            .count(),
        1,
        "none for the ghost"
    );

    let weak = app
        .post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "newPassword": "password123" }),
        )
        .await;
    assert_eq!(
        problem(weak, 422).await["errors"][0]["field"],
        "newPassword"
    );
    let reset = app
        .post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "newPassword": "A-brand-new-secret-9" }),
        )
        .await;
    assert_eq!(reset.status(), 204);
    let again = app
        .post_json(
            "/api/v1/auth/password/reset",
            &json!({ "token": token, "newPassword": "Another-new-secret-9" }),
        )
        .await;
    assert_eq!(problem(again, 422).await["errors"][0]["field"], "token");

    problem(
        app.get_as(before["accessToken"].as_str().unwrap(), "/api/v1/users/me")
            .await,
        401,
    )
    .await;
    let wrong_now = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": STAFF_A, "password": PASSWORD }),
        )
        .await;
    problem(wrong_now, 401).await;
    app.login(STAFF_A, "A-brand-new-secret-9").await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_keeps_only_this_session() {
    let app = spawn_seeded_app().await;
    let other = app.login(MANAGER_A, PASSWORD).await;
    let this = app.login(MANAGER_A, PASSWORD).await;
    let token = this["accessToken"].as_str().unwrap();
    let wrong = app
        .post_as(
            token,
            "/api/v1/auth/password/change",
            &json!({ "currentPassword": "nope", "newPassword": "Better-secret-2026" }),
        )
        .await;
    assert_eq!(
        problem(wrong, 422).await["errors"][0]["field"],
        "currentPassword"
    );
    let email_like = app
        .post_as(
            token,
            "/api/v1/auth/password/change",
            &json!({ "currentPassword": PASSWORD, "newPassword": "manager-dealer-2026" }),
        )
        .await;
    problem(email_like, 422).await;
    let ok = app
        .post_as(
            token,
            "/api/v1/auth/password/change",
            &json!({ "currentPassword": PASSWORD, "newPassword": "Better-secret-2026" }),
        )
        .await;
    assert_eq!(ok.status(), 204);
    assert_eq!(app.get_as(token, "/api/v1/users/me").await.status(), 200);
    problem(
        app.get_as(other["accessToken"].as_str().unwrap(), "/api/v1/users/me")
            .await,
        401,
    )
    .await;
    app.login(MANAGER_A, "Better-secret-2026").await;
}
