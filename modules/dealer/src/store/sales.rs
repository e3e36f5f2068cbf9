//! Quotations, sales orders, contracts, instalments and customer payments.

pub mod quotations {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "quotations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        pub branch_id: Option<Uuid>,
        pub customer_id: Uuid,
        pub staff_id: Uuid,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        pub options: Json,
        /// `domain::pricing::Breakdown`
        pub breakdown: Json,
        pub total: i64,
        pub manual_discount_bp: i32,
        /// draft | sent | accepted | rejected | expired | converted
        pub status: String,
        pub valid_until: Date,
        pub sales_order_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sales_orders {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "sales_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub dealer_id: Uuid,
        pub branch_id: Option<Uuid>,
        pub customer_id: Uuid,
        pub staff_id: Uuid,
        pub quotation_id: Option<Uuid>,
        pub variant_id: Uuid,
        pub colour_id: Uuid,
        pub vin: Option<String>,
        pub breakdown: Json,
        /// The vehicle's price (minor units).
        pub total: i64,
        /// Interest of an instalment plan.
        pub interest: i64,
        /// total + interest: what the customer pays in all.
        pub payable: i64,
        pub paid_total: i64,
        pub manual_discount_bp: i32,
        pub needs_approval: bool,
        pub approved_by: Option<Uuid>,
        /// full | instalments
        pub payment_plan: String,
        /// pending | approved | contracted | paid | delivery_scheduled | delivered | cancelled
        pub status: String,
        pub status_reason: Option<String>,
        pub delivery_scheduled_at: Option<DateTimeUtc>,
        pub delivered_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod contracts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "contracts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub order_id: Uuid,
        /// draft | signed | cancelled
        pub status: String,
        pub terms: Option<String>,
        pub signed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod instalments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "instalments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub number: i32,
        pub due_date: Date,
        pub amount: i64,
        pub paid: i64,
        pub overdue_notified_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod customer_payments {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "customer_payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub dealer_id: Uuid,
        pub amount: i64,
        /// cash | card | transfer | financing
        pub method: String,
        pub reference: String,
        pub recorded_by: Uuid,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
