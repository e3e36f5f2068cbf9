//! The timeline in MongoDB (official driver): one document per entry in `customer_timeline`,
//! keyed by the entry id, indexed by customer and time.

use super::{TimelineEntry, TimelineStore};
use anyhow::Context;
use kernel::{pagination::Page, WriteTxn};
use mongodb::{
    bson::{self, doc, Bson, Document},
    Client, Collection, Database, IndexModel,
};
use uuid::Uuid;

const COLLECTION: &str = "customer_timeline";
/// The database when the URL names none.
const DEFAULT_DATABASE: &str = "evdms";

pub struct MongoTimeline {
    database: Database,
    entries: Collection<Document>,
}

impl MongoTimeline {
    /// Connects, checks the server answers, and makes sure the index exists.
    #[tracing::instrument(skip_all)]
    /// `database` overrides the one the URL names (tests give each run its own).
    pub async fn connect(url: &str, database: Option<&str>) -> anyhow::Result<Self> {
        let client = Client::with_uri_str(url)
            .await
            .context("analytics.mongo_url is not a usable MongoDB URL")?;
        let database = match database {
            Some(name) => client.database(name),
            None => client
                .default_database()
                .unwrap_or_else(|| client.database(DEFAULT_DATABASE)),
        };
        database
            .run_command(doc! { "ping": 1 })
            .await
            .context("MongoDB at analytics.mongo_url does not answer")?;
        let entries = database.collection::<Document>(COLLECTION);
        entries
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "customerId": 1, "occurredAt": -1, "_id": -1 })
                    .build(),
            )
            .await
            .context("creating the timeline index")?;
        Ok(Self { database, entries })
    }

    pub fn database(&self) -> &Database {
        &self.database
    }
}

fn to_document(entry: &TimelineEntry) -> anyhow::Result<Document> {
    Ok(doc! {
        "_id": entry.id.to_string(),
        "customerId": entry.customer_id.to_string(),
        "dealerId": entry.dealer_id.to_string(),
        "kind": &entry.kind,
        "summary": &entry.summary,
        "details": bson::to_bson(&entry.details)?,
        "occurredAt": bson::DateTime::from_millis(entry.occurred_at.timestamp_millis()),
    })
}

fn from_document(document: &Document) -> anyhow::Result<TimelineEntry> {
    let uuid = |key: &str| -> anyhow::Result<Uuid> { Ok(document.get_str(key)?.parse()?) };
    let occurred_at = document.get_datetime("occurredAt")?.timestamp_millis();
    Ok(TimelineEntry {
        id: uuid("_id")?,
        customer_id: uuid("customerId")?,
        dealer_id: uuid("dealerId")?,
        kind: document.get_str("kind")?.to_owned(),
        summary: document.get_str("summary")?.to_owned(),
        details: document
            .get("details")
            .cloned()
            .unwrap_or(Bson::Null)
            .into_relaxed_extjson(),
        occurred_at: chrono::DateTime::from_timestamp_millis(occurred_at)
            .context("timeline entry with an impossible time")?,
    })
}

#[async_trait::async_trait]
impl TimelineStore for MongoTimeline {
    fn backend(&self) -> &'static str {
        "mongodb"
    }

    #[tracing::instrument(skip_all, fields(entry = %entry.id))]
    async fn append(&self, _txn: &WriteTxn, entry: &TimelineEntry) -> anyhow::Result<()> {
        // Insert-if-absent: a redelivered event finds its entry and changes nothing.
        self.entries
            .update_one(
                doc! { "_id": entry.id.to_string() },
                doc! { "$setOnInsert": to_document(entry)? },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn list(
        &self,
        customer_id: Uuid,
        page: u64,
        page_size: u64,
    ) -> anyhow::Result<Page<TimelineEntry>> {
        let filter = doc! { "customerId": customer_id.to_string() };
        let total = self.entries.count_documents(filter.clone()).await?;
        let mut cursor = self
            .entries
            .find(filter)
            .sort(doc! { "occurredAt": -1, "_id": -1 })
            .skip(page.saturating_sub(1).saturating_mul(page_size))
            .limit(i64::try_from(page_size)?)
            .await?;
        let mut items = Vec::new();
        while cursor.advance().await? {
            items.push(from_document(&cursor.deserialize_current()?)?);
        }
        Ok(Page {
            items,
            page,
            page_size,
            total,
        })
    }
}
