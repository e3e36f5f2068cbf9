//! The timeline in the `customer` schema (the default).

use super::{TimelineEntry, TimelineStore};
use kernel::{pagination::Page, Db, WriteTxn};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub mod timeline_entries {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "timeline_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub customer_id: Uuid,
        pub dealer_id: Uuid,
        pub kind: String,
        pub summary: String,
        pub details: Json,
        pub occurred_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Records an entry in `timeline_entries`; an id already there changes nothing. The SQL store
/// keeps its entries here; the MongoDB store stages them here until they are copied across.
pub async fn insert(conn: &impl ConnectionTrait, entry: &TimelineEntry) -> anyhow::Result<()> {
    let row = timeline_entries::ActiveModel {
        id: Set(entry.id),
        customer_id: Set(entry.customer_id),
        dealer_id: Set(entry.dealer_id),
        kind: Set(entry.kind.clone()),
        summary: Set(entry.summary.chars().take(300).collect()),
        details: Set(entry.details.clone()),
        occurred_at: Set(entry.occurred_at),
    };
    timeline_entries::Entity::insert(row)
        .on_conflict(
            OnConflict::column(timeline_entries::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec(conn)
        .await?;
    Ok(())
}

/// The oldest `limit` entries (ids are UUIDv7: oldest first), whatever their customer.
pub async fn oldest(conn: &impl ConnectionTrait, limit: u64) -> anyhow::Result<Vec<TimelineEntry>> {
    let rows = timeline_entries::Entity::find()
        .order_by_asc(timeline_entries::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(to_entry).collect())
}

/// Removes the entries with these ids.
pub async fn remove(conn: &impl ConnectionTrait, ids: &[Uuid]) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    timeline_entries::Entity::delete_many()
        .filter(timeline_entries::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

fn to_entry(r: timeline_entries::Model) -> TimelineEntry {
    TimelineEntry {
        id: r.id,
        customer_id: r.customer_id,
        dealer_id: r.dealer_id,
        kind: r.kind,
        summary: r.summary,
        details: r.details,
        occurred_at: r.occurred_at,
    }
}

pub struct SqlTimeline {
    db: Db,
}

impl SqlTimeline {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl TimelineStore for SqlTimeline {
    fn backend(&self) -> &'static str {
        "sql"
    }

    #[tracing::instrument(skip_all, fields(entry = %entry.id))]
    async fn append(&self, txn: &WriteTxn, entry: &TimelineEntry) -> anyhow::Result<()> {
        insert(&**txn, entry).await
    }

    #[tracing::instrument(skip(self))]
    async fn list(
        &self,
        customer_id: Uuid,
        page: u64,
        page_size: u64,
    ) -> anyhow::Result<Page<TimelineEntry>> {
        use timeline_entries::Column as C;
        let select = timeline_entries::Entity::find().filter(C::CustomerId.eq(customer_id));
        let total = select.clone().count(self.db.conn()).await?;
        let rows = select
            .order_by_desc(C::OccurredAt)
            .order_by_desc(C::Id)
            .offset(page.saturating_sub(1).saturating_mul(page_size))
            .limit(page_size)
            .all(self.db.conn())
            .await?;
        Ok(Page {
            items: rows.into_iter().map(to_entry).collect(),
            page,
            page_size,
            total,
        })
    }
}
