//! Sign-in and access-token security.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    problem, spawn_seeded_app, spawn_seeded_app_with, TestApp, ADMIN, MANAGER_A, PASSWORD, STAFF_A,
};
use serde_json::json;
use std::time::{Duration, Instant};

async fn login_attempt(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": email, "password": password }),
        )
        .await;
    (response, started.elapsed())
}

/// The fastest run: the least noisy estimate of the intrinsic cost when other tests share the CPU.
fn fastest(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().unwrap_or_default()
}

#[tokio::test]
async fn login_succeeds_and_failures_look_the_same_and_cost_the_same() {
    let app = spawn_seeded_app().await;
    let ok = app.login(MANAGER_A, PASSWORD).await;
    assert_eq!(ok["tokenType"], "Bearer");
    assert_eq!(ok["expiresIn"], 900);
    assert_eq!(ok["user"]["email"], MANAGER_A);
    assert_eq!(ok["user"]["role"], "dealer_manager");
    assert!(ok["refreshToken"].as_str().unwrap().len() >= 43);

    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..8 {
        // Four failures per account stay within the pair's free failures (five).
        let account = if i % 2 == 0 { STAFF_A } else { common::STAFF_B };
        let (response, elapsed) =
            login_attempt(&app, account, &format!("not-the-password-{i}")).await;
        wrong.push(elapsed);
        bodies.push(problem(response, 401).await);
        let (response, elapsed) =
            login_attempt(&app, &format!("nobody-{i}@evdms.dev"), PASSWORD).await;
        unknown.push(elapsed);
        bodies.push(problem(response, 401).await);
    }
    for body in &bodies {
        assert_eq!(body["code"], "invalid_credentials");
        assert_eq!(body["detail"], bodies[0]["detail"]);
    }
    let (wrong, unknown) = (fastest(&wrong), fastest(&unknown));
    let ratio = wrong.as_secs_f64() / unknown.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "wrong password {wrong:?} vs unknown email {unknown:?}"
    );
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = spawn_seeded_app().await;
    // Five failures are free; the sixth makes this account+address pair wait.
    for _ in 0..6 {
        let (response, _) = login_attempt(&app, STAFF_A, "wrong-password-x").await;
        assert_eq!(response.status(), 401);
    }
    let (response, _) = login_attempt(&app, STAFF_A, PASSWORD).await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 300);
    let body = problem(response, 429).await;
    assert_eq!(body["code"], "too_many_requests");
    // Another account from the same address is still allowed (the per-address allowance is
    // higher); other addresses: tests/auth_throttle.rs.
    app.login(ADMIN, PASSWORD).await;
}

#[tokio::test]
async fn a_deactivated_user_can_neither_log_in_nor_refresh() {
    let app = spawn_seeded_app().await;
    let staff = app.login(STAFF_A, PASSWORD).await;
    let staff_id = staff["user"]["id"].as_str().unwrap().to_owned();
    let manager = app.token(MANAGER_A).await;
    let response = app
        .post_as(
            &manager,
            &format!("/api/v1/users/{staff_id}/deactivate"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let (response, _) = login_attempt(&app, STAFF_A, PASSWORD).await;
    problem(response, 401).await;
    let refreshed = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({ "refreshToken": staff["refreshToken"] }),
        )
        .await;
    problem(refreshed, 401).await;
    let access = staff["accessToken"].as_str().unwrap();
    problem(app.get_as(access, "/api/v1/users/me").await, 401).await;

    let outbox = common::outbox_events(&app, "auth").await;
    assert!(outbox
        .iter()
        .any(|(name, payload)| name == "auth.user_deactivated.v1"
            && payload["userId"] == staff_id.as_str()));
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_rejected() {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let app = spawn_seeded_app().await;
    let good = app.login(MANAGER_A, PASSWORD).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get_as(&good, "/api/v1/users/me").await.status(), 200);

    let header: serde_json::Value = decode_part(good.split('.').next().unwrap());
    let claims: serde_json::Value = decode_part(good.split('.').nth(1).unwrap());
    let pem = std::fs::read(app.database.data_dir.join("jwt_ed25519.pem")).unwrap();
    let key = EncodingKey::from_ed_pem(&pem).unwrap();
    let mut ed_header = Header::new(Algorithm::EdDSA);
    ed_header.kid = header["kid"].as_str().map(str::to_owned);
    let now = chrono::Utc::now().timestamp();
    let sign = |claims: &serde_json::Value| encode(&ed_header, claims, &key).unwrap();

    // Properly signed with our key, so only the claim is at fault.
    let mut expired = claims.clone();
    expired["iat"] = json!(now - 4000);
    expired["nbf"] = json!(now - 4000);
    expired["exp"] = json!(now - 3000);
    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("someone-else");
    let mut wrong_issuer = claims.clone();
    wrong_issuer["iss"] = json!("evil");
    let mut not_yet = claims.clone();
    not_yet["nbf"] = json!(now + 3600);
    assert_eq!(
        app.get_as(&sign(&claims), "/api/v1/users/me")
            .await
            .status(),
        200,
        "the forging works"
    );

    let parts: Vec<&str> = good.split('.').collect();
    let mut tampered_claims = claims.clone();
    tampered_claims["role"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        encode_part(&tampered_claims),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        encode_part(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    let hs256 = encode(
        &Header {
            kid: header["kid"].as_str().map(str::to_owned),
            ..Header::new(Algorithm::HS256)
        },
        &claims,
        &EncodingKey::from_secret(header["kid"].as_str().unwrap().as_bytes()),
    )
    .unwrap();
    let cases = [
        ("expired", sign(&expired)),
        ("wrong aud", sign(&wrong_audience)),
        ("wrong iss", sign(&wrong_issuer)),
        ("not yet valid", sign(&not_yet)),
        ("tampered", tampered),
        ("alg none", none),
        ("HS256", hs256),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let body = problem(app.get_as(&token, "/api/v1/users/me").await, 401).await;
        assert_eq!(body["code"], "unauthorized", "{what}");
    }
    problem(app.get("/api/v1/users/me").await, 401).await;
}

fn decode_part(part: &str) -> serde_json::Value {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode_part(value: &serde_json::Value) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn tokens_verify_with_an_independent_jose_library_given_only_the_jwks() {
    use jwt_simple::prelude::*;
    let app = spawn_seeded_app().await;
    let token = app.token(STAFF_A).await;
    let jwks: serde_json::Value = app
        .get("/api/v1/auth/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (
            jwk["kty"].as_str(),
            jwk["crv"].as_str(),
            jwk["alg"].as_str()
        ),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    let key = Ed25519PublicKey::from_bytes(&x)
        .unwrap()
        .with_key_id(jwk["kid"].as_str().unwrap());
    let options = VerificationOptions {
        allowed_issuers: Some(HashSet::from_strings(&["evdms"])),
        allowed_audiences: Some(HashSet::from_strings(&["evdms-api"])),
        ..Default::default()
    };
    let claims = key
        .verify_token::<serde_json::Value>(&token, Some(options))
        .expect("verifies from the JWKS");
    assert_eq!(claims.custom["role"], "dealer_staff");
    assert_eq!(
        claims.custom["dealerId"],
        contracts::seed::DEALER_A.to_string()
    );
    assert_eq!(claims.custom["email"], STAFF_A);
}

#[tokio::test]
async fn the_jwks_publishes_retired_keys_during_a_rotation() {
    let old = tempfile::NamedTempFile::new().unwrap();
    let mut seed = [7u8; 32];
    seed[0] = 42;
    let pem = {
        use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey};
        ed25519_dalek::SigningKey::from_bytes(&seed)
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .to_string()
    };
    std::fs::write(old.path(), pem).unwrap();
    let path = old.path().to_string_lossy().into_owned();
    let app =
        spawn_seeded_app_with(&[("EVDMS__AUTH__VERIFICATION_KEY_FILES", path.as_str())]).await;
    let jwks: serde_json::Value = app
        .get("/api/v1/auth/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "{jwks}");
    // Tokens are signed by the first (current) key.
    let token = app.token(STAFF_A).await;
    let kid: serde_json::Value = decode_part(token.split('.').next().unwrap());
    assert_eq!(kid["kid"], jwks["keys"][0]["kid"]);
}
