use crate::common::{problem, spawn_seeded_app, EVM, MANAGER_A, STAFF_A};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn dealers_read_published_items_only_and_compare_variants() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let staff = app.token(STAFF_A).await;
    let model: Value = app
        .post_as(&evm, "/api/v1/catalog/models", &json!({ "manufacturerId": demo::MANUFACTURER, "name": "Nova", "segment": "SUV", "modelYear": 2027 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(model["status"], "draft");
    let model_id = model["id"].as_str().unwrap();
    let variant = app
        .post_as(
            &evm,
            "/api/v1/catalog/variants",
            &json!({ "modelId": model_id, "name": "Nova AWD", "batteryKwh": 95.5, "rangeKm": 610, "motorKw": 360, "zeroTo100S": 4.4,
                     "seats": 5, "drive": "awd", "chargingKw": 270, "specs": { "heatPump": true }, "msrp": 6_500_000, "wholesalePrice": 5_900_000 }),
        )
        .await;
    assert_eq!(variant.status(), 201);
    let variant: Value = variant.json().await.unwrap();
    let variant_id = variant["id"].as_str().unwrap();
    problem(
        app.get_as(&staff, &format!("/api/v1/catalog/variants/{variant_id}"))
            .await,
        404,
    )
    .await;
    problem(
        app.get_as(&staff, &format!("/api/v1/catalog/models/{model_id}"))
            .await,
        404,
    )
    .await;
    // No publication event while the model is a draft.
    assert!(super::events_about(&app, variant_id).await.is_empty());

    let published = app
        .post_as(
            &evm,
            &format!("/api/v1/catalog/models/{model_id}/publish"),
            &json!({}),
        )
        .await;
    assert_eq!(published.status(), 200);
    let seen: Value = app
        .get_as(&staff, &format!("/api/v1/catalog/variants/{variant_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["drive"], "AWD");
    assert_eq!(
        seen["wholesalePrice"],
        Value::Null,
        "dealer staff do not see wholesale prices"
    );
    assert_eq!(
        super::events_about(&app, variant_id).await,
        ["manufacturer.variant_published.v1"]
    );
    problem(
        app.post_as(
            &evm,
            &format!("/api/v1/catalog/models/{model_id}/publish"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;

    let compare: Value = app
        .get_as(
            &staff,
            &format!(
                "/api/v1/catalog/compare?variants={variant_id},{}",
                demo::VARIANT_PULSE_CITY
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let range = compare["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["spec"] == "rangeKm")
        .unwrap();
    assert_eq!(range["values"], json!([610, 320]));
    problem(
        app.get_as(
            &staff,
            &format!("/api/v1/catalog/compare?variants={variant_id}"),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn variants_filter_and_sort_and_prices_keep_their_history() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let manager = app.token(MANAGER_A).await;
    let page: Value = app
        .get_as(
            &manager,
            "/api/v1/catalog/variants?minRangeKm=400&maxPrice=6000000&sort=-rangeKm&pageSize=3",
        )
        .await
        .json()
        .await
        .unwrap();
    let ranges: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rangeKm"].as_i64().unwrap())
        .collect();
    assert_eq!(ranges, [590, 540, 520]);
    assert_eq!(page["total"], 5);
    problem(
        app.get_as(&manager, "/api/v1/catalog/variants?sort=secret")
            .await,
        422,
    )
    .await;

    let id = demo::VARIANT_PULSE_CITY;
    let variant: Value = app
        .get_as(&evm, &format!("/api/v1/catalog/variants/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let stale = json!({ "msrp": 2_999_000, "wholesalePrice": 2_700_000, "version": 99 });
    problem(
        app.put_as(
            &evm,
            &format!("/api/v1/catalog/variants/{id}/prices"),
            &stale,
        )
        .await,
        409,
    )
    .await;
    let above = json!({ "msrp": 100, "wholesalePrice": 200, "version": variant["version"] });
    problem(
        app.put_as(
            &evm,
            &format!("/api/v1/catalog/variants/{id}/prices"),
            &above,
        )
        .await,
        422,
    )
    .await;
    let change =
        json!({ "msrp": 2_999_000, "wholesalePrice": 2_700_000, "version": variant["version"] });
    let changed = app
        .put_as(
            &evm,
            &format!("/api/v1/catalog/variants/{id}/prices"),
            &change,
        )
        .await;
    assert_eq!(changed.status(), 200);
    let history: Value = app
        .get_as(
            &evm,
            &format!("/api/v1/catalog/variants/{id}/price-history"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["total"], 2);
    assert_eq!(history["items"][0]["msrp"], 2_999_000);
    let price_events: Vec<(String, Value)> = crate::common::outbox_events(&app, "manufacturer")
        .await
        .into_iter()
        .filter(|(name, _)| name == "manufacturer.price_changed.v1")
        .collect();
    assert_eq!(price_events.len(), 1);
    assert_eq!(price_events[0].1["previousMsrp"], 2_899_000);
}

#[tokio::test]
async fn promotions_price_the_quote_under_the_stacking_rule() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;
    let manager = app.token(MANAGER_A).await;
    let now = chrono::Utc::now();
    let window = |days: i64| json!({ "startsAt": now - chrono::Duration::hours(1), "endsAt": now + chrono::Duration::days(days) });
    let mut big = json!({ "name": "Clearance", "appliesTo": "wholesale", "kind": "percent", "value": 900, "stackable": false,
                           "variantIds": [demo::VARIANT_PULSE_PLUS] });
    big.as_object_mut()
        .unwrap()
        .extend(window(5).as_object().unwrap().clone());
    assert_eq!(
        app.post_as(&evm, "/api/v1/catalog/promotions", &big)
            .await
            .status(),
        201
    );
    let mut bad = big.clone();
    bad["value"] = json!(0);
    problem(
        app.post_as(&evm, "/api/v1/catalog/promotions", &bad).await,
        422,
    )
    .await;

    let quote: Value = app
        .get_as(
            &manager,
            &format!(
                "/api/v1/catalog/price-quote?variantId={}&colourId={}&quantity=2",
                demo::VARIANT_PULSE_PLUS,
                demo::COLOUR_PULSE_YELLOW
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = quote["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    // Dealer A's 3% contract discount, and the 9% clearance beats the 1.5% stackable bonus.
    assert_eq!(
        kinds,
        [
            "wholesale_price",
            "colour_surcharge",
            "contract_discount",
            "promotion"
        ]
    );
    let gross: i64 = 3_060_000 + 80_000;
    let unit = gross - gross * 300 / 10_000 - gross * 900 / 10_000;
    assert_eq!(quote["unitPrice"], unit);
    assert_eq!(quote["total"], unit * 2);
    // Another dealer's quote is not the manager's to see.
    problem(
        app.get_as(
            &manager,
            &format!(
                "/api/v1/catalog/price-quote?dealerId={}&variantId={}&colourId={}",
                demo::DEALER_B,
                demo::VARIANT_PULSE_PLUS,
                demo::COLOUR_PULSE_YELLOW
            ),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn one_manufacturer_is_read_by_every_role_that_lists_them() {
    let app = spawn_seeded_app().await;
    let path = format!("/api/v1/manufacturers/{}", demo::MANUFACTURER);
    let listed: Value = app
        .get_as(&app.token(EVM).await, "/api/v1/manufacturers")
        .await
        .json()
        .await
        .unwrap();
    let first = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == demo::MANUFACTURER.to_string())
        .cloned()
        .expect("the demo manufacturer is listed");
    for email in [EVM, MANAGER_A, STAFF_A] {
        let response = app.get_as(&app.token(email).await, &path).await;
        assert_eq!(response.status(), 200, "{email}");
        let one: Value = response.json().await.unwrap();
        assert_eq!(one, first, "{email} reads what the list shows");
    }
    let evm = app.token(EVM).await;
    let missing = format!("/api/v1/manufacturers/{}", uuid::Uuid::now_v7());
    problem(app.get_as(&evm, &missing).await, 404).await;
    problem(app.get(&path).await, 401).await;
    // A malformed id is a client error, never a 5xx.
    let malformed = app.get_as(&evm, "/api/v1/manufacturers/not-a-uuid").await;
    assert!(
        malformed.status().is_client_error(),
        "{}",
        malformed.status()
    );
}
