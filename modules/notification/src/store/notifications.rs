use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(schema_name = "notification", table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub recipient_user_id: Option<Uuid>,
    pub recipient_address: String,
    /// email | sms | in_app
    pub channel: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    /// queued | sent | failed | dead
    pub status: String,
    pub attempts: i32,
    pub provider: Option<String>,
    pub provider_id: Option<String>,
    pub source_event_id: String,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
