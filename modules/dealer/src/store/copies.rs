//! Local, event-fed copies of what the dealer needs from other modules, so selling works while
//! they are down.

pub mod catalog_variants {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "catalog_variants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub variant_id: Uuid,
        pub model_id: Uuid,
        pub model_name: String,
        pub variant_name: String,
        pub segment: String,
        pub status: String,
        pub model_status: String,
        pub msrp: i64,
        /// `[{colourId, name, hex, surcharge}]`
        pub colours: Json,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn colour_list(&self) -> Vec<contracts::events::manufacturer::ColourOption> {
            serde_json::from_value(self.colours.clone()).unwrap_or_default()
        }

        /// On sale: the model is published and the variant not discontinued.
        pub fn sellable(&self) -> bool {
            self.model_status == "published" && self.status != "discontinued"
        }
    }
}

pub mod oem_promotions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "oem_promotions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub promotion_id: Uuid,
        pub name: String,
        pub applies_to: String,
        pub kind: String,
        pub value: i64,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub variant_ids: Json,
        pub dealer_ids: Json,
        pub stackable: bool,
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod known_customers {
    use sea_orm::entity::prelude::*;

    /// Customer ids per dealer, from `customer.customer_created.v1` (no personal data).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(schema_name = "dealer", table_name = "known_customers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub customer_id: Uuid,
        pub dealer_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
