//! Dealers, branches, staff, targets, dealer promotions and inventory units.

pub mod dealers {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "dealers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub code: String,
        pub name: String,
        pub region: String,
        pub city: String,
        pub tax_number: String,
        /// active | suspended | inactive
        pub status: String,
        pub tax_rate_bp: i32,
        /// IANA time zone of the dealer's local time; `None` = the consumers' default.
        pub time_zone: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod branches {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "branches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub name: String,
        pub city: String,
        pub address: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod staff {
    use sea_orm::entity::prelude::*;

    /// Kept in step with auth's user events.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub dealer_id: Uuid,
        pub branch_id: Option<Uuid>,
        pub name: String,
        pub email: String,
        pub role: String,
        pub active: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sales_targets {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "sales_targets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        /// `YYYY-MM`
        pub period: String,
        pub target_units: i32,
        pub target_revenue: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dealer_promotions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "dealer_promotions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub dealer_id: Uuid,
        pub name: String,
        pub kind: String,
        pub value: i64,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub variant_ids: Json,
        pub active: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod inventory_units {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "inventory_units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub vin: String,
        pub dealer_id: Uuid,
        pub branch_id: Option<Uuid>,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        /// in_transit | in_stock | reserved | sold | delivered | demo
        pub status: String,
        /// What the dealer paid the OEM (minor units).
        pub cost: i64,
        pub dealer_order_id: Option<Uuid>,
        pub sales_order_id: Option<Uuid>,
        pub received_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
