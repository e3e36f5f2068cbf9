use crate::common::{connect, problem, spawn_seeded_app, MANAGER_A, STAFF_A};
use crate::open_time;
use chrono::Duration;
use contracts::seed as demo;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

/// Every row of every table in the `customer` schema, as text.
async fn schema_dump(app: &crate::common::TestApp) -> String {
    let db = connect(&app.database).await;
    let backend = db.backend();
    let rows = |sql: String| {
        let conn = db.conn().clone();
        async move {
            conn.query_all(Statement::from_string(backend, sql))
                .await
                .unwrap()
        }
    };
    let tables: Vec<String> = match backend {
        DbBackend::Postgres => rows("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'customer'".into()).await,
        _ => rows("SELECT name FROM \"customer\".sqlite_master WHERE type = 'table'".into()).await,
    }
    .iter()
    .map(|r| r.try_get::<String>("", "name").unwrap())
    .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    let mut dump = String::new();
    for table in tables {
        let sql = match backend {
            DbBackend::Postgres => {
                format!("SELECT row_to_json(t)::text AS line FROM \"customer\".\"{table}\" t")
            }
            _ => {
                let columns: Vec<String> = rows(format!("SELECT name FROM pragma_table_info('{table}', 'customer')"))
                    .await
                    .iter()
                    .map(|r| {
                        let c = r.try_get::<String>("", "name").unwrap();
                        // Uuids are blobs: hex them, so the row reads as text.
                        format!("coalesce(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END, '')")
                    })
                    .collect();
                format!(
                    "SELECT {} AS line FROM \"customer\".\"{table}\"",
                    columns.join(" || '|' || ")
                )
            }
        };
        for row in rows(sql).await {
            dump.push_str(&row.try_get::<String>("", "line").unwrap());
            dump.push('\n');
        }
    }
    dump
}

#[tokio::test]
async fn export_holds_everything_and_erasure_leaves_no_personal_data_in_the_schema() {
    let app = spawn_seeded_app().await;
    let staff_a = app.token(STAFF_A).await;
    let manager_a = app.token(MANAGER_A).await;
    let secrets = [
        "Zebulon Quixote",
        "zebulon.q@secret.example",
        "84919876543",
        "919 876 543",
        "42 Hidden Lane",
        "allergic to leather",
        "ZQ-TAX-77",
        "zebulon quixote",
    ];
    let created = app
        .post_as(&staff_a, "/api/v1/customers", &json!({
            "kind": "corporate", "fullName": "Zebulon Quixote", "companyName": "Zebulon Quixote Trading",
            "taxNumber": "ZQ-TAX-77", "phone": "+84 919 876 543", "email": "Zebulon.Q@secret.example",
            "address": "42 Hidden Lane", "dateOfBirth": "1980-02-29", "notes": "allergic to leather",
            "consentEmail": true,
        }))
        .await;
    assert_eq!(created.status(), 201);
    let customer: Value = created.json().await.unwrap();
    let id = customer["id"].as_str().unwrap();
    let lead: Value = app
        .post_as(&staff_a, "/api/v1/leads", &json!({ "customerId": id, "source": "referral", "notes": "Zebulon Quixote wants blue" }))
        .await
        .json()
        .await
        .unwrap();
    app.post_as(
        &staff_a,
        &format!("/api/v1/leads/{}/stage", lead["id"].as_str().unwrap()),
        &json!({ "stage": "lost", "reason": "moved to 42 Hidden Lane" }),
    )
    .await;
    let start = open_time(3, 5);
    let drive: Value = app
        .post_as(&staff_a, "/api/v1/test-drives", &json!({
            "branchId": demo::DEALER_A_MAIN_BRANCH, "customerId": id, "variantId": demo::VARIANT_PULSE_CITY,
            "startsAt": start, "endsAt": start + Duration::minutes(30), "notes": "call zebulon.q@secret.example first",
        }))
        .await
        .json()
        .await
        .unwrap();
    let drive_path = format!("/api/v1/test-drives/{}", drive["id"].as_str().unwrap());
    app.post_as(&staff_a, &format!("{drive_path}/confirm"), &json!({}))
        .await;
    app.post_as(&staff_a, &format!("{drive_path}/complete"), &json!({}))
        .await;
    app.post_as(
        &staff_a,
        &format!("{drive_path}/feedback"),
        &json!({ "rating": 5, "comment": "Zebulon Quixote loved it" }),
    )
    .await;
    app.post_as(
        &staff_a,
        "/api/v1/feedback",
        &json!({
            "customerId": id, "kind": "complaint", "severity": "low", "channel": "email",
            "subject": "From Zebulon Quixote", "description": "reach me at +84 919 876 543",
        }),
    )
    .await;
    let before = schema_dump(&app).await;
    assert!(
        before.contains("Zebulon Quixote") && before.contains("84919876543"),
        "the dump reads the data"
    );

    // Export: managers only; holds the customer, leads, drives, feedback, timeline.
    problem(
        app.get_as(&staff_a, &format!("/api/v1/customers/{id}/export"))
            .await,
        403,
    )
    .await;
    let export = app
        .get_as(&manager_a, &format!("/api/v1/customers/{id}/export"))
        .await;
    assert_eq!(export.status(), 200);
    let export: Value = export.json().await.unwrap();
    assert_eq!(export["customer"]["fullName"], "Zebulon Quixote");
    assert_eq!(export["leads"][0]["history"].as_array().unwrap().len(), 2);
    assert_eq!(export["testDrives"][0]["rating"], 5);
    assert_eq!(export["feedback"][0]["subject"], "From Zebulon Quixote");

    problem(
        app.post_as(
            &staff_a,
            &format!("/api/v1/customers/{id}/erase"),
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    let erased: Value = app
        .post_as(
            &manager_a,
            &format!("/api/v1/customers/{id}/erase"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(erased["status"], "erased");
    assert_eq!(erased["fullName"], "Erased customer");
    assert!(
        erased["phone"].is_null() && erased["email"].is_null() && erased["dateOfBirth"].is_null()
    );
    problem(
        app.post_as(
            &manager_a,
            &format!("/api/v1/customers/{id}/erase"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;

    let after = schema_dump(&app).await;
    for secret in secrets {
        assert!(
            !after.to_lowercase().contains(&secret.to_lowercase()),
            "`{secret}` survived erasure"
        );
    }
    // The aggregates stay: the lead, the drive and its rating, the complaint.
    let export: Value = app
        .get_as(&manager_a, &format!("/api/v1/customers/{id}/export"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["leads"][0]["stage"], "lost");
    assert_eq!(export["testDrives"][0]["rating"], 5);
    assert_eq!(export["feedback"].as_array().unwrap().len(), 1);
    // An erased customer takes no new business and no edits.
    problem(
        app.post_as(
            &staff_a,
            "/api/v1/leads",
            &json!({ "customerId": id, "source": "web" }),
        )
        .await,
        422,
    )
    .await;
    problem(
        app.patch_as(
            &staff_a,
            &format!("/api/v1/customers/{id}"),
            &json!({ "notes": "x", "version": 2 }),
        )
        .await,
        409,
    )
    .await;
}
