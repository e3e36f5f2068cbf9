//! The timeline in MongoDB (official driver): one document per entry in `customer_timeline`,
//! keyed by the entry id, indexed by customer and time. Entries arrive through the SQL staging
//! table (written in the inbox transaction) and are copied here after the commit.

use super::{sql, TimelineEntry, TimelineStore};
use anyhow::Context;
use kernel::{pagination::Page, Db, WriteTxn};
use mongodb::{
    bson::{self, doc, Bson, Document},
    options::ClientOptions,
    Client, Collection, Database, IndexModel,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, OnceCell};
use uuid::Uuid;

const COLLECTION: &str = "customer_timeline";
/// The database when the URL names none.
const DEFAULT_DATABASE: &str = "evdms";

pub struct MongoTimeline {
    database: Database,
    entries: Collection<Document>,
    /// The module's database: entries are staged there (see the module docs of `timeline`).
    db: Db,
    staged: Arc<Notify>,
    indexed: OnceCell<()>,
}

/// Staged entries copied per round.
const BATCH: u64 = 200;
/// Server selection and connect timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

impl MongoTimeline {
    /// A store on `url` staging in `db`. Does not wait for the server (the index is made before
    /// the first copy); every operation gives up after `timeout` while the server is away.
    /// `database` overrides the one the URL names (tests give each run its own).
    pub async fn open(
        url: &str,
        database: Option<&str>,
        db: Db,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let mut options = ClientOptions::parse(url)
            .await
            .context("analytics.mongo_url is not a usable MongoDB URL")?;
        options.server_selection_timeout = Some(timeout);
        options.connect_timeout = Some(timeout);
        options
            .app_name
            .get_or_insert_with(|| "evdms-customer".to_owned());
        let client = Client::with_options(options)?;
        let database = match database {
            Some(name) => client.database(name),
            None => client
                .default_database()
                .unwrap_or_else(|| client.database(DEFAULT_DATABASE)),
        };
        let entries = database.collection::<Document>(COLLECTION);
        Ok(Self {
            database,
            entries,
            db,
            staged: Arc::new(Notify::new()),
            indexed: OnceCell::new(),
        })
    }

    /// [`open`](Self::open), then checks the server answers and makes the index.
    pub async fn connect(
        url: &str,
        database: Option<&str>,
        db: Db,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let store = Self::open(url, database, db, timeout).await?;
        store.ready().await?;
        Ok(store)
    }

    /// Pings the server and makes sure the index exists (once per process).
    #[tracing::instrument(skip_all)]
    pub async fn ready(&self) -> anyhow::Result<()> {
        self.indexed
            .get_or_try_init(|| async {
                self.database
                    .run_command(doc! { "ping": 1 })
                    .await
                    .context("MongoDB at analytics.mongo_url does not answer")?;
                self.entries
                    .create_index(
                        IndexModel::builder()
                            .keys(doc! { "customerId": 1, "occurredAt": -1, "_id": -1 })
                            .build(),
                    )
                    .await
                    .context("creating the timeline index")?;
                anyhow::Ok(())
            })
            .await?;
        Ok(())
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

    /// Stages the entry in the inbox transaction; [`forward`](TimelineStore::forward) copies it.
    #[tracing::instrument(skip_all, fields(entry = %entry.id))]
    async fn append(&self, txn: &WriteTxn, entry: &TimelineEntry) -> anyhow::Result<()> {
        sql::insert(&**txn, entry).await?;
        // The forwarding job waits a moment for the commit before it reads.
        self.staged.notify_one();
        Ok(())
    }

    /// Reads staged entries (no transaction), writes them to MongoDB (insert-if-absent, so a
    /// copy repeated after a crash changes nothing), then removes them in a short transaction.
    #[tracing::instrument(skip_all)]
    async fn forward(&self) -> anyhow::Result<usize> {
        let batch = sql::oldest(self.db.conn(), BATCH).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        self.ready().await?;
        for entry in &batch {
            self.entries
                .update_one(
                    doc! { "_id": entry.id.to_string() },
                    doc! { "$setOnInsert": to_document(entry)? },
                )
                .upsert(true)
                .await?;
        }
        let ids: Vec<Uuid> = batch.iter().map(|e| e.id).collect();
        let txn = self.db.begin().await?;
        sql::remove(&*txn, &ids).await?;
        txn.commit().await?;
        Ok(ids.len())
    }

    fn staged_signal(&self) -> Option<Arc<Notify>> {
        Some(self.staged.clone())
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
