//! Demo customers of both dealers (the ids other modules' seeds use), their leads in several
//! stages, branch hours, a booked test drive and a complaint. Idempotent. Events go through the
//! outbox like any other change, so the timeline and the dealer's customer directory fill in.

use crate::domain::{contact, schedule};
use crate::events::{know_branch, upsert_variant};
use crate::store::{customers, feedback, lead_stage_history, leads};
use contracts::events::customer::{ComplaintFiled, CustomerCreated, LeadCreated};
use contracts::seed as demo;
use kernel::Db;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

/// Name, phone, email, kind, company of each of `demo::DEMO_CUSTOMERS`, in order.
const PEOPLE: [(&str, &str, &str, &str, Option<&str>); 6] = [
    (
        "Nguyen Van An",
        "+84 90 123 4501",
        "an.nguyen@example.com",
        "individual",
        None,
    ),
    (
        "Tran Thi Binh",
        "+84 90 123 4502",
        "binh.tran@example.com",
        "individual",
        None,
    ),
    (
        "Le Hoang Cuong",
        "+84 90 123 4503",
        "cuong.le@example.com",
        "individual",
        None,
    ),
    (
        "Pham Minh Duc",
        "+84 28 3822 0004",
        "fleet@greenlogistics.example.com",
        "corporate",
        Some("Green Logistics JSC"),
    ),
    (
        "Hoang Thu Ha",
        "+84 24 3933 0005",
        "ha.hoang@example.com",
        "individual",
        None,
    ),
    (
        "Vu Quang Huy",
        "+84 24 3933 0006",
        "huy.vu@example.com",
        "individual",
        None,
    ),
];

/// Stage each demo customer's lead is in.
const STAGES: [&str; 6] = [
    "new",
    "contacted",
    "test_drive",
    "negotiation",
    "qualified",
    "lost",
];

pub async fn run(db: &Db) -> anyhow::Result<()> {
    let first = demo::DEMO_CUSTOMERS[0].id;
    if customers::Entity::find_by_id(first)
        .one(db.conn())
        .await?
        .is_some()
    {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    for snapshot in demo::published_variants() {
        upsert_variant(&txn, &snapshot).await?;
    }
    let hours = schedule::WeeklyHours {
        utc_offset_minutes: 7 * 60,
        ..Default::default()
    };
    for (branch, dealer) in [
        (demo::DEALER_A_MAIN_BRANCH, demo::DEALER_A),
        (demo::DEALER_B_MAIN_BRANCH, demo::DEALER_B),
    ] {
        know_branch(&txn, branch, dealer, &hours).await?;
    }
    for ((who, person), stage) in demo::DEMO_CUSTOMERS.iter().zip(PEOPLE).zip(STAGES) {
        let (name, phone, email, kind, company) = person;
        // The dealer's staff member who looks after the customer.
        let owner = if who.dealer_id == demo::DEALER_A {
            demo::DEMO_USER_IDS[3]
        } else {
            demo::DEMO_USER_IDS[5]
        };
        let customer = customers::ActiveModel {
            id: Set(who.id),
            dealer_id: Set(who.dealer_id),
            kind: Set(kind.into()),
            full_name: Set(name.into()),
            search_name: Set(contact::search_key(name)),
            company_name: Set(company.map(str::to_owned)),
            tax_number: Set(company.map(|_| "0312340004".to_owned())),
            phone: Set(Some(phone.into())),
            phone_normalized: Set(contact::normalize_phone(phone).ok()),
            email: Set(Some(email.into())),
            email_normalized: Set(contact::normalize_email(email).ok()),
            address: Set(Some("District 1".into())),
            date_of_birth: Set(None),
            notes: Set(None),
            consent_email: Set(true),
            consent_sms: Set(false),
            status: Set("active".into()),
            created_by: Set(owner),
            owner_id: Set(owner),
            created_at: Set(now),
            updated_at: Set(now),
            erased_at: Set(None),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
        let created = CustomerCreated {
            customer_id: who.id,
            dealer_id: who.dealer_id,
            kind: kind.into(),
            created_by: owner,
            contact: crate::api::customers::contact_card(&customer),
        };
        kernel::events::publish(&mut txn, &created).await?;
        let lead_id = Uuid::now_v7();
        let lost_reason = (stage == "lost").then(|| "bought a petrol car elsewhere".to_owned());
        leads::ActiveModel {
            id: Set(lead_id),
            dealer_id: Set(who.dealer_id),
            customer_id: Set(who.id),
            source: Set(if kind == "corporate" {
                "referral"
            } else {
                "walk_in"
            }
            .into()),
            owner_id: Set(owner),
            stage: Set(stage.into()),
            variant_id: Set(Some(demo::VARIANT_AURORA_LONG_RANGE)),
            notes: Set(None),
            lost_reason: Set(lost_reason.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&*txn)
        .await?;
        lead_stage_history::ActiveModel {
            id: Set(Uuid::now_v7()),
            lead_id: Set(lead_id),
            from_stage: Set(None),
            to_stage: Set(stage.into()),
            reason: Set(lost_reason),
            changed_by: Set(Some(owner)),
            changed_at: Set(now),
        }
        .insert(&*txn)
        .await?;
        let lead = LeadCreated {
            lead_id,
            dealer_id: who.dealer_id,
            customer_id: who.id,
            source: "walk_in".into(),
            owner_id: owner,
            stage: stage.into(),
            variant_id: Some(demo::VARIANT_AURORA_LONG_RANGE),
        };
        kernel::events::publish(&mut txn, &lead).await?;
    }
    let complainant = demo::DEMO_CUSTOMERS[1];
    let case = feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(complainant.dealer_id),
        customer_id: Set(Some(complainant.id)),
        kind: Set("complaint".into()),
        severity: Set("medium".into()),
        channel: Set("phone".into()),
        subject: Set("Home charger installation delayed".into()),
        description: Set(Some("Installer did not come on the agreed day.".into())),
        status: Set("new".into()),
        assigned_to: Set(Some(demo::DEMO_USER_IDS[2])),
        resolution: Set(None),
        created_by: Set(demo::DEMO_USER_IDS[3]),
        created_at: Set(now),
        updated_at: Set(now),
        resolved_at: Set(None),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    let filed = ComplaintFiled {
        feedback_id: case.id,
        dealer_id: case.dealer_id,
        customer_id: case.customer_id,
        kind: case.kind,
        severity: case.severity,
        channel: case.channel,
        assigned_to: case.assigned_to,
    };
    kernel::events::publish(&mut txn, &filed).await?;
    txn.commit().await?;
    Ok(())
}
