//! Users' preferences, stored as differences from the defaults: a row per category × channel a
//! user turned off, and a row per category whose emails they take as a daily digest.

use crate::domain::{
    preferences::{Change, Choices},
    Channel,
};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use std::collections::BTreeSet;
use uuid::Uuid;

pub mod channels {
    use sea_orm::entity::prelude::*;

    /// One category × channel whose setting differs from the default (on).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "preferences")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub channel: String,
        pub enabled: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod digest_categories {
    use sea_orm::entity::prelude::*;

    /// A category whose emails the user takes in the daily digest.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "digest_categories")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub category: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What `user_id` chose (the defaults where they chose nothing).
pub async fn choices(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Choices, DbErr> {
    let disabled = channels::Entity::find()
        .filter(channels::Column::UserId.eq(user_id))
        .filter(channels::Column::Enabled.eq(false))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.category, row.channel.parse::<Channel>().ok()?)))
        .collect();
    let digest = digest_categories::Entity::find()
        .filter(digest_categories::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.category)
        .collect();
    Ok(Choices { disabled, digest })
}

/// Applies a checked change: a setting back at the default leaves no row.
pub async fn apply(db: &impl ConnectionTrait, user_id: Uuid, change: &Change) -> Result<(), DbErr> {
    use channels::Column as C;
    let now = chrono::Utc::now();
    for (category, channel, enabled) in &change.channels {
        if *enabled {
            channels::Entity::delete_many()
                .filter(C::UserId.eq(user_id))
                .filter(C::Category.eq(*category))
                .filter(C::Channel.eq(channel.as_str()))
                .exec(db)
                .await?;
            continue;
        }
        channels::Entity::insert(channels::ActiveModel {
            user_id: Set(user_id),
            category: Set((*category).to_owned()),
            channel: Set(channel.as_str().to_owned()),
            enabled: Set(false),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([C::UserId, C::Category, C::Channel])
                .update_columns([C::Enabled, C::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    if let Some(digest) = &change.digest {
        replace_digest(db, user_id, digest).await?;
    }
    Ok(())
}

async fn replace_digest(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    categories: &BTreeSet<&'static str>,
) -> Result<(), DbErr> {
    use digest_categories::Column as C;
    digest_categories::Entity::delete_many()
        .filter(C::UserId.eq(user_id))
        .exec(db)
        .await?;
    if categories.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    digest_categories::Entity::insert_many(categories.iter().map(|category| {
        digest_categories::ActiveModel {
            user_id: Set(user_id),
            category: Set((*category).to_owned()),
            created_at: Set(now),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}
