//! Local copies of the people the module writes to, fed by auth and customer events.

pub mod users {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub email: String,
        pub name: String,
        pub role: String,
        pub dealer_id: Option<Uuid>,
        pub branch_id: Option<Uuid>,
        pub locale: String,
        pub active: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod customers {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "customers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub owner_id: Option<Uuid>,
        pub full_name: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub locale: Option<String>,
        pub consent_email: bool,
        pub consent_sms: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use contracts::events::{auth::UserRegistered, customer::CustomerContact};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

/// Records (or refreshes) a user.
pub async fn upsert_user(
    db: &impl ConnectionTrait,
    user: &UserRegistered,
    locale: &str,
) -> Result<(), DbErr> {
    use users::Column as C;
    users::Entity::insert(users::ActiveModel {
        id: Set(user.user_id),
        email: Set(user.email.clone()),
        name: Set(user.name.clone()),
        role: Set(user.role.clone()),
        dealer_id: Set(user.dealer_id),
        branch_id: Set(user.branch_id),
        locale: Set(locale.to_owned()),
        active: Set(true),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(C::Id)
            .update_columns([
                C::Email,
                C::Name,
                C::Role,
                C::DealerId,
                C::BranchId,
                C::Active,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn deactivate_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    users::Entity::update_many()
        .col_expr(users::Column::Active, false.into())
        .col_expr(users::Column::UpdatedAt, chrono::Utc::now().into())
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn user(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find_by_id(id)
        .filter(users::Column::Active.eq(true))
        .one(db)
        .await
}

/// Active users of `role`, of `dealer_id` when given (tenant isolation: never another dealer's).
pub async fn users_with_role(
    db: &impl ConnectionTrait,
    role: &str,
    dealer_id: Option<Uuid>,
) -> Result<Vec<users::Model>, DbErr> {
    let mut select = users::Entity::find()
        .filter(users::Column::Role.eq(role))
        .filter(users::Column::Active.eq(true));
    if let Some(dealer) = dealer_id {
        select = select.filter(users::Column::DealerId.eq(dealer));
    }
    select.all(db).await
}

/// Records (or replaces) a customer's contact card.
pub async fn upsert_customer(
    db: &impl ConnectionTrait,
    customer_id: Uuid,
    dealer_id: Uuid,
    contact: &CustomerContact,
) -> Result<(), DbErr> {
    use customers::Column as C;
    customers::Entity::insert(customers::ActiveModel {
        id: Set(customer_id),
        dealer_id: Set(dealer_id),
        owner_id: Set(contact.owner_id),
        full_name: Set(contact.full_name.clone()),
        email: Set(contact.email.clone()),
        phone: Set(contact.phone.clone()),
        locale: Set(contact.locale.clone()),
        consent_email: Set(contact.consent_email),
        consent_sms: Set(contact.consent_sms),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(C::Id)
            .update_columns([
                C::DealerId,
                C::OwnerId,
                C::FullName,
                C::Email,
                C::Phone,
                C::Locale,
                C::ConsentEmail,
                C::ConsentSms,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn delete_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> Result<(), DbErr> {
    customers::Entity::delete_by_id(customer_id)
        .exec(db)
        .await?;
    Ok(())
}

pub async fn customer(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<customers::Model>, DbErr> {
    customers::Entity::find_by_id(id).one(db).await
}
