//! Admin overrides of the shipped templates, one per event × channel × locale.

use crate::domain::{defaults::TemplateParts, Channel};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "notification", table_name = "templates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub event: String,
        pub channel: String,
        pub locale: String,
        pub subject: String,
        pub text: String,
        pub html: Option<String>,
        pub updated_by: Option<Uuid>,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::{Column, Entity, Model};

impl Model {
    pub fn parts(&self) -> TemplateParts {
        TemplateParts {
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
        }
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    event: &str,
    channel: Channel,
    locale: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Event.eq(event))
        .filter(Column::Channel.eq(channel.as_str()))
        .filter(Column::Locale.eq(locale))
        .one(db)
        .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().all(db).await
}

/// Creates or replaces the override of (event, channel, locale).
pub async fn upsert(
    db: &impl ConnectionTrait,
    event: &str,
    channel: Channel,
    locale: &str,
    parts: &TemplateParts,
    by: Uuid,
) -> Result<(), DbErr> {
    let version = find(db, event, channel, locale)
        .await?
        .map_or(1, |t| t.version + 1);
    Entity::insert(entity::ActiveModel {
        id: Set(Uuid::now_v7()),
        event: Set(event.to_owned()),
        channel: Set(channel.as_str().to_owned()),
        locale: Set(locale.to_owned()),
        subject: Set(parts.subject.clone()),
        text: Set(parts.text.clone()),
        html: Set(parts.html.clone()),
        updated_by: Set(Some(by)),
        updated_at: Set(chrono::Utc::now()),
        version: Set(version),
    })
    .on_conflict(
        OnConflict::columns([Column::Event, Column::Channel, Column::Locale])
            .update_columns([
                Column::Subject,
                Column::Text,
                Column::Html,
                Column::UpdatedBy,
                Column::UpdatedAt,
                Column::Version,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Deletes the override (the shipped template applies again). Returns whether one existed.
pub async fn delete(
    db: &impl ConnectionTrait,
    event: &str,
    channel: Channel,
    locale: &str,
) -> Result<bool, DbErr> {
    let deleted = Entity::delete_many()
        .filter(Column::Event.eq(event))
        .filter(Column::Channel.eq(channel.as_str()))
        .filter(Column::Locale.eq(locale))
        .exec(db)
        .await?
        .rows_affected;
    Ok(deleted > 0)
}
