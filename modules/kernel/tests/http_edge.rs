//! Bad input becomes problem+json through the kernel's extractor configuration and route guard.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{
    http::{header::ContentType, StatusCode},
    middleware::from_fn,
    test, web, App, HttpResponse,
};
use kernel::{validation::ValidJson, Access, RouteTable};
use serde::Deserialize;
use validator::Validate;

#[derive(Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
struct NewThing {
    #[validate(length(min = 3, message = "needs at least three characters"))]
    name: String,
    #[validate(range(min = 1, max = 10))]
    quantity: u32,
}

async fn create(body: ValidJson<NewThing>) -> HttpResponse {
    HttpResponse::Created()
        .json(serde_json::json!({ "name": body.name, "quantity": body.quantity }))
}

async fn secret() -> HttpResponse {
    HttpResponse::Ok().finish()
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .wrap(from_fn(kernel::http::observe_request))
                .app_data(kernel::http::json_config(64))
                .app_data(kernel::http::path_config())
                .service(web::scope("/api/v1").configure(|cfg| {
                    let mut table = RouteTable::new();
                    table.post("/things", Access::Public, create);
                    table.get("/things/secret", Access::Authenticated, secret);
                    table.configure(cfg);
                }))
                .default_service(web::to(kernel::http::not_found)),
        )
        .await
    };
}

async fn problem<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    (status, test::read_body_json(response).await)
}

#[actix_web::test]
async fn valid_json_is_accepted() {
    let app = app!();
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::json())
        .set_payload(r#"{"name":"abc","quantity":2}"#)
        .to_request();
    assert_eq!(
        test::call_service(&app, req).await.status(),
        StatusCode::CREATED
    );
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = app!();
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::json())
        .set_payload(r#"{"name": "#)
        .to_request();
    let (status, body) = problem(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["status"], 400);
    assert_eq!(body["instance"], "/api/v1/things");
    assert!(body["requestId"].is_string());
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = app!();
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::plaintext())
        .set_payload(r#"{"name":"abc","quantity":2}"#)
        .to_request();
    let (status, body) = problem(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn oversized_body_is_413() {
    let app = app!();
    let big = format!(r#"{{"name":"{}","quantity":2}}"#, "x".repeat(500));
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::json())
        .set_payload(big)
        .to_request();
    let (status, _) = problem(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[actix_web::test]
async fn invalid_fields_are_422_with_field_errors() {
    let app = app!();
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::json())
        .set_payload(r#"{"name":"a","quantity":99}"#)
        .to_request();
    let (status, body) = problem(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "quantity"]);
    assert_eq!(
        body["errors"][0]["message"],
        "needs at least three characters"
    );
}

#[actix_web::test]
async fn wrong_shape_is_422() {
    let app = app!();
    let req = test::TestRequest::post()
        .uri("/api/v1/things")
        .insert_header(ContentType::json())
        .set_payload(r#"{"name":"abc","quantity":"two"}"#)
        .to_request();
    let (status, _) = problem(test::call_service(&app, req).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn unknown_route_is_404_and_wrong_method_is_405() {
    let app = app!();
    let (status, _) = problem(
        test::call_service(
            &app,
            test::TestRequest::get().uri("/api/v1/nothing").to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = problem(
        test::call_service(
            &app,
            test::TestRequest::delete()
                .uri("/api/v1/things")
                .to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[actix_web::test]
async fn a_protected_route_without_a_token_is_401() {
    let app = app!();
    let (status, body) = problem(
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/api/v1/things/secret")
                .to_request(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
}

#[actix_web::test]
async fn request_id_is_echoed_or_generated() {
    let app = app!();
    let req = test::TestRequest::get()
        .uri("/api/v1/nothing")
        .insert_header(("x-request-id", "abc-123"))
        .to_request();
    let response = test::call_service(&app, req).await;
    assert_eq!(response.headers().get("x-request-id").unwrap(), "abc-123");
    let response = test::call_service(
        &app,
        test::TestRequest::get().uri("/api/v1/nothing").to_request(),
    )
    .await;
    let generated = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok());
    // A hostile id (control characters, huge) is replaced, not echoed.
    let req = test::TestRequest::get()
        .uri("/api/v1/nothing")
        .insert_header(("x-request-id", "x".repeat(500)))
        .to_request();
    let response = test::call_service(&app, req).await;
    assert_ne!(response.headers().get("x-request-id").unwrap().len(), 500);
}
