//! `dealer.quotations`: priced offers to a customer.

use super::Visibility;
use crate::domain::{
    pricing::{Breakdown, OptionLines},
    quotations::QuotationStatus,
};
use kernel::{
    pagination::{ListParams, Page},
    DomainResult,
};
use sea_orm::{entity::prelude::*, Order, QueryTrait};
use serde::Deserialize;
use utoipa::IntoParams;

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
    #[sea_orm(column_type = "Json")]
    pub options: OptionLines,
    #[sea_orm(column_type = "Json")]
    pub breakdown: Breakdown,
    /// Minor units.
    pub total: i64,
    pub manual_discount_bp: i32,
    /// As stored; see `QuotationStatus::effective` for expiry.
    pub status: QuotationStatus,
    pub valid_until: Date,
    pub sales_order_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

kernel::tracked!("quotation", Status);

impl Model {
    /// The status as of today: a sent quotation past its validity is expired.
    pub fn effective_status(&self) -> QuotationStatus {
        self.status
            .effective(self.valid_until, chrono::Utc::now().date_naive())
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct QuotationFilter {
    pub status: Option<QuotationStatus>,
    pub customer_id: Option<Uuid>,
    pub dealer_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: Visibility,
    filter: &QuotationFilter,
    params: &ListParams,
) -> DomainResult<Page<Model>> {
    let select = scope
        .apply(Entity::find(), Column::DealerId, Column::StaffId)
        .apply_if(filter.status, |q, v| q.filter(Column::Status.eq(v)))
        .apply_if(filter.customer_id, |q, v| {
            q.filter(Column::CustomerId.eq(v))
        })
        // `q`: part of the quotation number (the only text a quotation has of its own).
        .apply_if(params.query(), |q, v| {
            q.filter(Column::Number.like(kernel::store::like_contains(&v.to_uppercase())))
        });
    let sortable = [
        ("createdAt", Column::CreatedAt),
        ("total", Column::Total),
        ("validUntil", Column::ValidUntil),
    ];
    params
        .fetch(
            db,
            select,
            &sortable,
            (Column::CreatedAt, Order::Desc),
            Column::Id,
        )
        .await
}
