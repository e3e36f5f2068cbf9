//! Customers, leads with their stage history, and feedback.

pub mod customers {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "customers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        /// individual | corporate
        pub kind: String,
        pub full_name: String,
        pub search_name: String,
        pub company_name: Option<String>,
        pub tax_number: Option<String>,
        pub phone: Option<String>,
        pub phone_normalized: Option<String>,
        pub email: Option<String>,
        pub email_normalized: Option<String>,
        pub address: Option<String>,
        pub date_of_birth: Option<Date>,
        pub notes: Option<String>,
        pub consent_email: bool,
        pub consent_sms: bool,
        /// active | erased
        pub status: String,
        pub created_by: Uuid,
        /// The salesperson who looks after the customer.
        pub owner_id: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub erased_at: Option<DateTimeUtc>,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod leads {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "leads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub customer_id: Uuid,
        /// walk_in | web | phone | referral | event
        pub source: String,
        pub owner_id: Uuid,
        /// new | contacted | qualified | test_drive | negotiation | won | lost
        pub stage: String,
        pub variant_id: Option<Uuid>,
        pub notes: Option<String>,
        pub lost_reason: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lead_stage_history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "lead_stage_history")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub lead_id: Uuid,
        pub from_stage: Option<String>,
        pub to_stage: String,
        pub reason: Option<String>,
        /// None when an event moved the lead (a delivery wins it).
        pub changed_by: Option<Uuid>,
        pub changed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "feedback")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub customer_id: Option<Uuid>,
        /// complaint | suggestion | praise
        pub kind: String,
        /// low | medium | high | critical
        pub severity: String,
        /// phone | email | in_person | web | social
        pub channel: String,
        pub subject: String,
        pub description: Option<String>,
        /// new | in_progress | resolved | closed
        pub status: String,
        pub assigned_to: Option<Uuid>,
        pub resolution: Option<String>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub resolved_at: Option<DateTimeUtc>,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
