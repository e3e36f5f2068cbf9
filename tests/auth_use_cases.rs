//! The auth module's use cases called directly (no HTTP) on a seeded test database, SQLite or
//! Postgres: refresh rotation and reuse detection, sign-in of deactivated users, throttling,
//! who may create and change which users, and what they leave in the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use auth::{
    app::{
        sessions::{self, Origin},
        users::{self, NewAccount, UserChanges},
        Services,
    },
    domain::{AuthError, ExpectedVersion},
    store::audit,
};
use common::{connect, demo_caller, settings, PASSWORD, STAFF_A};
use contracts::seed as demo;
use kernel::{cache::MemoryCache, testing::TestDatabase, DomainError, ErrorCode, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;
use uuid::Uuid;

/// A migrated, seeded database of this test and the auth use cases over it.
async fn seeded() -> (TestDatabase, Services) {
    seeded_with(&[]).await
}

async fn seeded_with(extra: &[(&str, &str)]) -> (TestDatabase, Services) {
    let database = TestDatabase::create().await;
    let settings = settings(&database, extra);
    evdms::startup::seed_all(settings.clone())
        .await
        .expect("seeding");
    let db = connect(&database).await;
    let cache = Arc::new(MemoryCache::new("auth-use-cases:"));
    let services = Services::new(db, Arc::new(settings), cache)
        .await
        .expect("auth services");
    (database, services)
}

const ADMIN: usize = 0;
const MANAGER_A: usize = 2;
const STAFF_A_INDEX: usize = 3;

async fn login(services: &Services, email: &str) -> Result<sessions::Tokens, AuthError> {
    sessions::login(services, email, PASSWORD.to_owned(), Origin::default()).await
}

fn code(error: &AuthError) -> Option<ErrorCode> {
    error.code()
}

async fn audit_kinds(services: &Services, user_id: Uuid) -> Vec<String> {
    audit::Entity::find()
        .filter(audit::Column::UserId.eq(user_id))
        .all(services.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn of_two_refreshes_with_one_token_one_rotates_and_both_get_its_pair() {
    let (database, services) = seeded().await;
    let first = login(&services, STAFF_A).await.unwrap();
    let (a, b) = tokio::join!(
        sessions::refresh(&services, &first.refresh_token, Origin::default()),
        sessions::refresh(&services, &first.refresh_token, Origin::default()),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.refresh_token, b.refresh_token,
        "the same new refresh token"
    );
    assert_eq!(
        (a.session_id, b.session_id),
        (first.session_id, first.session_id)
    );
    let rows = auth::store::refresh_tokens::Entity::find()
        .filter(auth::store::refresh_tokens::Column::SessionId.eq(first.session_id))
        .all(services.db.conn())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "exactly one rotation");
    // Only the hash and a sealed successor are stored, never a plaintext token.
    for row in &rows {
        for stored in [Some(&row.token_hash), row.successor_sealed.as_ref()]
            .into_iter()
            .flatten()
        {
            assert!(!stored.contains(&a.refresh_token) && !stored.contains(&first.refresh_token));
        }
    }
    let next = sessions::refresh(&services, &a.refresh_token, Origin::default())
        .await
        .unwrap();
    assert_eq!(next.session_id, first.session_id);
    drop(database);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    // Without a grace window any reuse is theft.
    let (_database, services) =
        seeded_with(&[("EVDMS__AUTH__REFRESH_REUSE_GRACE_SECS", "0")]).await;
    let first = login(&services, STAFF_A).await.unwrap();
    let second = sessions::refresh(&services, &first.refresh_token, Origin::default())
        .await
        .unwrap();
    assert_eq!(second.session_id, first.session_id);
    assert_ne!(second.refresh_token, first.refresh_token);

    // The rotated token comes back: theft is assumed, the session ends.
    let reused = sessions::refresh(&services, &first.refresh_token, Origin::default())
        .await
        .unwrap_err();
    assert_eq!(code(&reused), Some(ErrorCode::InvalidRefreshToken));
    // So the newest token of that session no longer works either.
    let newest = sessions::refresh(&services, &second.refresh_token, Origin::default())
        .await
        .unwrap_err();
    assert_eq!(code(&newest), Some(ErrorCode::InvalidRefreshToken));

    let session = auth::store::sessions::find(services.db.conn(), first.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        session.revoked_reason.as_deref(),
        Some("refresh_token_reuse")
    );
    let staff = demo::DEMO_USER_IDS[STAFF_A_INDEX];
    assert!(audit_kinds(&services, staff)
        .await
        .contains(&"refresh_token_reused".to_owned()));
}

#[tokio::test]
async fn a_deactivated_user_can_neither_sign_in_nor_refresh() {
    let (_database, services) = seeded().await;
    let before = login(&services, STAFF_A).await.unwrap();
    let admin = demo_caller(ADMIN);
    let staff = demo::DEMO_USER_IDS[STAFF_A_INDEX];

    let deactivated = users::deactivate(&services, &admin, staff).await.unwrap();
    assert!(!deactivated.active);

    let refused = login(&services, STAFF_A).await.unwrap_err();
    assert_eq!(code(&refused), Some(ErrorCode::InvalidCredentials));
    let refresh = sessions::refresh(&services, &before.refresh_token, Origin::default())
        .await
        .unwrap_err();
    assert_eq!(code(&refresh), Some(ErrorCode::InvalidRefreshToken));
    assert!(sessions::list(&services, &demo_caller(STAFF_A_INDEX))
        .await
        .unwrap()
        .is_empty());

    // Deactivating yourself is refused; reactivating lets the user back in.
    assert!(matches!(
        users::deactivate(&services, &admin, admin.subject).await,
        Err(AuthError::Rule(DomainError::Conflict { .. }))
    ));
    users::reactivate(&services, &admin, staff).await.unwrap();
    login(&services, STAFF_A).await.unwrap();
}

#[tokio::test]
async fn repeated_failures_delay_the_account_from_that_address_only() {
    let (_database, services) = seeded().await;
    let mut answers = Vec::new();
    for _ in 0..8 {
        let error = sessions::login(
            &services,
            STAFF_A,
            "wrong-password".to_owned(),
            Origin::default(),
        )
        .await
        .unwrap_err();
        answers.push(error);
    }
    assert_eq!(code(&answers[0]), Some(ErrorCode::InvalidCredentials));
    assert!(
        matches!(answers.last(), Some(AuthError::Throttled { retry_after_secs }) if *retry_after_secs >= 1),
        "{answers:?}"
    );
    // While the pair waits, even its right password waits; from another address it works.
    assert!(matches!(
        login(&services, STAFF_A).await,
        Err(AuthError::Throttled { .. })
    ));
    let elsewhere = Origin {
        ip: Some("192.0.2.44".to_owned()),
        user_agent: None,
    };
    sessions::login(&services, STAFF_A, PASSWORD.to_owned(), elsewhere)
        .await
        .unwrap();
}

fn staff_account(email: &str, dealer_id: Option<Uuid>) -> NewAccount {
    NewAccount {
        email: email.to_owned(),
        name: "New Staff".to_owned(),
        role: "dealer_staff".to_owned(),
        dealer_id,
        branch_id: None,
        password: "Another-Good-Pass-42".to_owned(),
    }
}

#[tokio::test]
async fn a_dealer_manager_creates_staff_of_their_own_dealer_only() {
    let (_database, services) = seeded().await;
    let manager = demo_caller(MANAGER_A);

    let refused = users::register(
        &services,
        &manager,
        staff_account("other@dealer-b.evdms.dev", Some(demo::DEALER_B)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, AuthError::Rule(DomainError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(
        auth::store::users::find_by_email(services.db.conn(), "other@dealer-b.evdms.dev")
            .await
            .unwrap()
            .is_none()
    );

    // Without a dealer, the manager's own is taken.
    let created = users::register(
        &services,
        &manager,
        staff_account("new@dealer-a.evdms.dev", None),
    )
    .await
    .unwrap();
    assert_eq!(created.dealer_id, Some(demo::DEALER_A));
    assert_eq!(created.role, Role::DealerStaff.as_str());
    assert!(audit_kinds(&services, created.id)
        .await
        .contains(&"user_created".to_owned()));

    // The same email again is 409 duplicate_email.
    let again = users::register(
        &services,
        &manager,
        staff_account("NEW@dealer-a.evdms.dev", None),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&again), Some(ErrorCode::DuplicateEmail));
}

#[tokio::test]
async fn a_stale_version_is_refused_and_a_role_change_ends_the_sessions() {
    let (_database, services) = seeded().await;
    let admin = demo_caller(ADMIN);
    let staff = demo::DEMO_USER_IDS[STAFF_A_INDEX];
    let tokens = login(&services, STAFF_A).await.unwrap();
    let version = tokens.user.version;

    let renamed = users::update(
        &services,
        &admin,
        staff,
        ExpectedVersion::Body(version),
        UserChanges {
            name: Some("Sam Renamed".to_owned()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.version, version + 1);

    let stale = users::update(
        &services,
        &admin,
        staff,
        ExpectedVersion::Body(version),
        UserChanges::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&stale), Some(ErrorCode::StaleVersion));
    assert!(matches!(
        users::update(
            &services,
            &admin,
            staff,
            ExpectedVersion::IfMatch(version),
            UserChanges::default(),
        )
        .await,
        Err(AuthError::PreconditionFailed(_))
    ));

    // A manager may rename their staff but not promote them.
    let manager = demo_caller(MANAGER_A);
    let promote = UserChanges {
        role: Some("dealer_manager".to_owned()),
        ..Default::default()
    };
    assert!(matches!(
        users::update(
            &services,
            &manager,
            staff,
            ExpectedVersion::Body(version + 1),
            promote,
        )
        .await,
        Err(AuthError::Rule(DomainError::Forbidden(_)))
    ));

    // The admin promotes: the staff member's session ends (tokens carry the role).
    let promoted = users::update(
        &services,
        &admin,
        staff,
        ExpectedVersion::Body(version + 1),
        UserChanges {
            role: Some("dealer_manager".to_owned()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(promoted.role, "dealer_manager");
    let session = auth::store::sessions::find(services.db.conn(), tokens.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.revoked_reason.as_deref(), Some("role_changed"));
    assert!(audit_kinds(&services, staff)
        .await
        .contains(&"role_changed".to_owned()));
}
