//! Demo customers of both dealers (the ids other modules' seeds use), their leads in several
//! stages, branch hours, a booked test drive and a complaint. Idempotent. Events go through the
//! outbox like any other change, so the timeline and the dealer's customer directory fill in.

use crate::app::directory;
use crate::domain::{
    contact,
    customers::{CustomerKind, CustomerStatus},
    feedback::{FeedbackChannel, FeedbackKind, FeedbackStatus, Severity},
    leads::{LeadSource, LeadStage},
    references::VehicleStatus,
    schedule,
};
use crate::store::{
    customers, dealer_users, dealer_vehicles, feedback, known_dealers, lead_stage_history, leads,
};
use contracts::events::customer::{ComplaintFiled, CustomerCreated, LeadCreated};
use contracts::seed as demo;
use kernel::Db;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use uuid::Uuid;

/// Name, phone, email, kind, company of each of `demo::DEMO_CUSTOMERS`, in order.
const PEOPLE: [(&str, &str, &str, CustomerKind, Option<&str>); 6] = [
    (
        "Nguyen Van An",
        "+84 90 123 4501",
        "an.nguyen@example.com",
        CustomerKind::Individual,
        None,
    ),
    (
        "Tran Thi Binh",
        "+84 90 123 4502",
        "binh.tran@example.com",
        CustomerKind::Individual,
        None,
    ),
    (
        "Le Hoang Cuong",
        "+84 90 123 4503",
        "cuong.le@example.com",
        CustomerKind::Individual,
        None,
    ),
    (
        "Pham Minh Duc",
        "+84 28 3822 0004",
        "fleet@greenlogistics.example.com",
        CustomerKind::Corporate,
        Some("Green Logistics JSC"),
    ),
    (
        "Hoang Thu Ha",
        "+84 24 3933 0005",
        "ha.hoang@example.com",
        CustomerKind::Individual,
        None,
    ),
    (
        "Vu Quang Huy",
        "+84 24 3933 0006",
        "huy.vu@example.com",
        CustomerKind::Individual,
        None,
    ),
];

/// Stage each demo customer's lead is in.
const STAGES: [LeadStage; 6] = [
    LeadStage::New,
    LeadStage::Contacted,
    LeadStage::TestDrive,
    LeadStage::Negotiation,
    LeadStage::Qualified,
    LeadStage::Lost,
];

pub async fn run(db: &Db) -> anyhow::Result<()> {
    directories(db).await?;
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
        directory::variant_published(&*txn, &snapshot).await?;
    }
    let hours = schedule::WeeklyHours {
        utc_offset_minutes: 7 * 60,
        ..Default::default()
    };
    for (branch, dealer) in [
        (demo::DEALER_A_MAIN_BRANCH, demo::DEALER_A),
        (demo::DEALER_B_MAIN_BRANCH, demo::DEALER_B),
    ] {
        directory::branch_opened(&*txn, branch, dealer, &hours).await?;
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
            kind: Set(kind),
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
            status: Set(CustomerStatus::Active),
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
            kind: kind.as_str().to_owned(),
            created_by: owner,
            contact: crate::app::customers::contact_card(&customer),
        };
        kernel::events::publish(&mut txn, &created).await?;
        let lead_id = Uuid::now_v7();
        let lost_reason =
            (stage == LeadStage::Lost).then(|| "bought a petrol car elsewhere".to_owned());
        leads::ActiveModel {
            id: Set(lead_id),
            dealer_id: Set(who.dealer_id),
            customer_id: Set(who.id),
            source: Set(if kind == CustomerKind::Corporate {
                LeadSource::Referral
            } else {
                LeadSource::WalkIn
            }),
            owner_id: Set(owner),
            stage: Set(stage),
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
            to_stage: Set(stage),
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
            stage: stage.as_str().to_owned(),
            variant_id: Some(demo::VARIANT_AURORA_LONG_RANGE),
        };
        kernel::events::publish(&mut txn, &lead).await?;
    }
    let complainant = demo::DEMO_CUSTOMERS[1];
    let case = feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(complainant.dealer_id),
        customer_id: Set(Some(complainant.id)),
        kind: Set(FeedbackKind::Complaint),
        severity: Set(Severity::Medium),
        channel: Set(FeedbackChannel::Phone),
        subject: Set("Home charger installation delayed".into()),
        description: Set(Some("Installer did not come on the agreed day.".into())),
        status: Set(FeedbackStatus::New),
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
        kind: case.kind.as_str().to_owned(),
        severity: case.severity.as_str().to_owned(),
        channel: case.channel.as_str().to_owned(),
        assigned_to: case.assigned_to,
    };
    kernel::events::publish(&mut txn, &filed).await?;
    txn.commit().await?;
    Ok(())
}

/// The dealers, people and vehicles the dealer and auth seeds create (their events bring the
/// same), so references to them are accepted at once. Also on a database seeded before these
/// directories existed.
async fn directories(db: &Db) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    for dealer in [demo::DEALER_A, demo::DEALER_B] {
        known_dealers::changed(&*txn, dealer, "active").await?;
    }
    for ((_, _, role, dealer, _), user) in demo::DEMO_USERS.into_iter().zip(demo::DEMO_USER_IDS) {
        dealer_users::registered(&*txn, user, dealer, role).await?;
    }
    for unit in demo::demo_stock() {
        let status = if unit.status == "in_transit" {
            VehicleStatus::Allocated
        } else {
            VehicleStatus::OnSite
        };
        dealer_vehicles::place(
            &*txn,
            &unit.vin,
            unit.dealer_id,
            Some(unit.branch_id),
            unit.variant_id,
            status,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
