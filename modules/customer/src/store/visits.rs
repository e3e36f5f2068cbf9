//! Test drives: what can be driven, when branches are open, bookings and their booked slots.

pub mod catalog_variants {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "catalog_variants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: Uuid,
        pub model_name: String,
        pub variant_name: String,
        /// available (can be test-driven) | unavailable
        pub status: String,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod branch_hours {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "branch_hours")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub branch_id: Uuid,
        pub dealer_id: Uuid,
        pub utc_offset_minutes: i32,
        /// `domain::schedule::WeeklyHours`
        pub weekly: Json,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod test_drives {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "test_drives")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub branch_id: Uuid,
        pub customer_id: Uuid,
        pub variant_id: Uuid,
        pub vin: Option<String>,
        pub staff_id: Uuid,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        /// scheduled | confirmed | completed | no_show | cancelled
        pub status: String,
        pub notes: Option<String>,
        pub cancel_reason: Option<String>,
        pub rating: Option<i16>,
        pub feedback_comment: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod test_drive_slots {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "customer", table_name = "test_drive_slots")]
    pub struct Model {
        /// `vehicle:<vin>`, `vehicle:<branch>:<variant>` (the branch's demo car) or `customer:<id>`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub resource_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub slot_start: DateTimeUtc,
        pub test_drive_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
