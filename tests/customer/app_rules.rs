//! The customer module's rules through its use cases (`customer::app`), without HTTP, on the
//! test's database: what jobs and event handlers rely on as much as the API does.

use crate::common::{connect, demo_caller, spawn_seeded_app, TestApp};
use crate::open_time;
use contracts::seed as demo;
use customer::app::{customers, feedback, leads, privacy, test_drives, Services};
use customer::domain::{
    customers::CustomerKind,
    feedback::{FeedbackAction, FeedbackChannel, FeedbackKind, Severity},
    leads::{LeadSource, LeadStage},
};
use customer::store::timeline::sql::SqlTimeline;
use kernel::{Caller, DomainError, ErrorCode};
use std::sync::Arc;
use uuid::Uuid;

async fn services(app: &TestApp) -> Services {
    let db = connect(&app.database).await;
    Services {
        timeline: Arc::new(SqlTimeline::new(db.clone())),
        db,
    }
}

fn manager_a() -> Caller {
    demo_caller(2)
}

fn staff_a() -> Caller {
    demo_caller(3)
}

fn new_customer(name: &str, phone: &str) -> customers::NewCustomer {
    customers::NewCustomer {
        dealer_id: None,
        owner_id: None,
        kind: CustomerKind::Individual,
        full_name: name.into(),
        company_name: None,
        tax_number: None,
        phone: Some(phone.into()),
        email: None,
        address: None,
        date_of_birth: None,
        notes: None,
        consent_email: false,
        consent_sms: false,
    }
}

fn new_lead(customer_id: Uuid) -> leads::NewLead {
    leads::NewLead {
        dealer_id: None,
        customer_id,
        source: LeadSource::WalkIn,
        owner_id: None,
        variant_id: None,
        notes: None,
    }
}

fn stage(to: LeadStage, reason: Option<&str>) -> leads::StageChange {
    leads::StageChange {
        stage: to,
        reason: reason.map(str::to_owned),
    }
}

#[tokio::test]
async fn leads_move_forward_once_and_lost_needs_a_reason() {
    let app = spawn_seeded_app().await;
    let services = services(&app).await;
    let staff = staff_a();
    let customer = customers::create(
        &services,
        &staff,
        new_customer("Rule Tester", "+84 90 700 0001"),
    )
    .await
    .unwrap();
    let lead = leads::create(&services, &staff, new_lead(customer.id))
        .await
        .unwrap();

    let no_reason =
        leads::change_stage(&services, &staff, lead.id, stage(LeadStage::Lost, None)).await;
    assert!(matches!(no_reason, Err(DomainError::Invalid(ref e)) if e[0].field == "reason"));

    let moved = leads::change_stage(
        &services,
        &staff,
        lead.id,
        stage(LeadStage::Qualified, None),
    )
    .await
    .unwrap();
    assert_eq!(moved.lead.stage, LeadStage::Qualified);
    assert_eq!(moved.history.len(), 2);

    let back = leads::change_stage(
        &services,
        &staff,
        lead.id,
        stage(LeadStage::Contacted, None),
    )
    .await;
    match back {
        Err(DomainError::IllegalTransition { from, allowed, .. }) => {
            assert_eq!(from, "qualified");
            assert!(allowed.contains(&"negotiation".to_owned()), "{allowed:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Two moves from the same read: exactly one wins, the other is told it lost the race.
    let read = moved.lead;
    let db = &services.db;
    let mut first = db.begin().await.unwrap();
    leads::move_lead(
        &mut first,
        &read,
        LeadStage::Negotiation,
        None,
        Some(staff.subject),
    )
    .await
    .unwrap();
    first.commit().await.unwrap();
    let mut second = db.begin().await.unwrap();
    let lost = leads::move_lead(
        &mut second,
        &read,
        LeadStage::Won,
        None,
        Some(staff.subject),
    )
    .await;
    assert!(
        matches!(
            lost,
            Err(DomainError::Conflict {
                code: ErrorCode::ConcurrentChange,
                ..
            })
        ),
        "{lost:?}"
    );
}

#[tokio::test]
async fn staff_keep_their_own_and_only_managers_assign_to_others() {
    let app = spawn_seeded_app().await;
    let services = services(&app).await;
    let mut input = new_customer("Owner Rule", "+84 90 700 0002");
    input.owner_id = Some(demo::DEMO_USER_IDS[2]);
    let refused = customers::create(&services, &staff_a(), input).await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden(_))),
        "{refused:?}"
    );

    // Another dealer's manager does not see the customer at all (not 403: not found).
    let customer = customers::create(
        &services,
        &staff_a(),
        new_customer("Owner Rule", "+84 90 700 0002"),
    )
    .await
    .unwrap();
    let manager_b = demo_caller(4);
    let hidden = customers::visible(services.db.conn(), &manager_b, customer.id).await;
    assert!(matches!(hidden, Err(DomainError::NotFound("customer"))));

    // The same phone again in the dealer names the customer who has it.
    let twice = customers::create(
        &services,
        &manager_a(),
        new_customer("Someone Else", "0084 90 700 0002"),
    )
    .await;
    assert!(
        matches!(twice, Err(DomainError::Duplicate { existing_id, .. }) if existing_id == customer.id),
        "{twice:?}"
    );
}

#[tokio::test]
async fn a_slot_is_booked_once_and_a_closed_case_is_not_reassigned() {
    let app = spawn_seeded_app().await;
    let services = services(&app).await;
    let staff = staff_a();
    let customer = customers::create(
        &services,
        &staff,
        new_customer("Slot Rule", "+84 90 700 0003"),
    )
    .await
    .unwrap();
    let other = customers::create(
        &services,
        &staff,
        new_customer("Slot Rival", "+84 90 700 0004"),
    )
    .await
    .unwrap();
    let booking = |customer_id| test_drives::Booking {
        dealer_id: None,
        branch_id: demo::DEALER_A_MAIN_BRANCH,
        customer_id,
        variant_id: demo::VARIANT_AURORA_STANDARD,
        vin: None,
        starts_at: open_time(3, 2),
        ends_at: open_time(3, 3),
        notes: None,
    };
    test_drives::book(&services, &staff, booking(customer.id))
        .await
        .unwrap();
    let taken = test_drives::book(&services, &staff, booking(other.id)).await;
    assert!(
        matches!(
            taken,
            Err(DomainError::Conflict {
                code: ErrorCode::SlotTaken,
                ..
            })
        ),
        "{taken:?}"
    );

    let case = feedback::file(
        &services,
        &staff,
        feedback::NewFeedback {
            dealer_id: None,
            customer_id: Some(customer.id),
            kind: FeedbackKind::Complaint,
            severity: Severity::High,
            channel: FeedbackChannel::Phone,
            subject: "Charging cable".into(),
            description: None,
            assigned_to: None,
        },
    )
    .await
    .unwrap();
    let unresolved = feedback::act(
        &services,
        &staff,
        case.id,
        FeedbackAction::Resolve,
        Some(" ".into()),
    )
    .await;
    assert!(matches!(unresolved, Err(DomainError::Invalid(ref e)) if e[0].field == "resolution"));
    feedback::act(
        &services,
        &staff,
        case.id,
        FeedbackAction::Resolve,
        Some("replaced".into()),
    )
    .await
    .unwrap();
    feedback::act(&services, &staff, case.id, FeedbackAction::Close, None)
        .await
        .unwrap();
    let closed = feedback::assign(&services, &manager_a(), case.id, staff.subject).await;
    assert!(
        matches!(closed, Err(DomainError::IllegalTransition { .. })),
        "{closed:?}"
    );

    privacy::erase(&services, &manager_a(), customer.id)
        .await
        .unwrap();
    let again = privacy::erase(&services, &manager_a(), customer.id).await;
    assert!(
        matches!(
            again,
            Err(DomainError::Conflict {
                code: ErrorCode::CustomerErased,
                ..
            })
        ),
        "{again:?}"
    );
}
