//! The local copy of dealers, fed by `dealer.dealer_changed` events: only what messages need
//! (the time zone of SMS quiet hours).

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "dealers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// IANA zone; `None` = the configured default.
        pub time_zone: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::{Column, Entity, Model};

use sea_orm::{sea_query::OnConflict, ConnectionTrait, DbErr, EntityTrait, Set};
use uuid::Uuid;

/// Records (or refreshes) a dealer's time zone.
pub async fn upsert(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    time_zone: Option<&str>,
) -> Result<(), DbErr> {
    Entity::insert(entity::ActiveModel {
        id: Set(dealer_id),
        time_zone: Set(time_zone.map(str::to_owned)),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(Column::Id)
            .update_columns([Column::TimeZone, Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, dealer_id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(dealer_id).one(db).await
}
