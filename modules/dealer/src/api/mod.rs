//! HTTP API of the dealer module: one file per resource, one route table. Handlers only
//! extract, call a use case in `app/` and map the result to a DTO.

pub mod branches;
pub mod dealers;
pub mod inventory;
pub mod promotions;
pub mod quotations;
pub mod sales_orders;
pub mod staff;
pub mod targets;

use crate::app::Services;
use actix_web::web;
use kernel::{Access, RouteTable};

pub type State = web::Data<Services>;

/// Everyone may read dealer data (dealer roles: their own dealer only); a dealer's people sell
/// (quotations, orders, payments: the OEM has no part in retail sales).
pub use kernel::auth::roles::{
    DEALER_MANAGERS as MANAGERS, DEALER_PEOPLE as SELLERS, OEM, OEM_AND_MANAGERS, PEOPLE as READERS,
};

pub fn routes(r: &mut RouteTable, services: State) {
    use Access::Roles;
    r.app_data(services);
    r.get("/dealers", Roles(READERS), dealers::list)
        .post("/dealers", Roles(OEM), dealers::create)
        .get("/dealers/{id}", Roles(READERS), dealers::get)
        .patch("/dealers/{id}", Roles(OEM), dealers::update)
        .get("/dealers/{id}/branches", Roles(READERS), branches::list)
        .post(
            "/dealers/{id}/branches",
            Roles(OEM_AND_MANAGERS),
            branches::create,
        )
        .get("/dealers/{id}/staff", Roles(READERS), staff::list)
        .get("/dealers/{id}/targets", Roles(READERS), targets::list)
        .put("/dealers/{id}/targets", Roles(OEM), targets::set)
        .get("/dealers/{id}/promotions", Roles(READERS), promotions::list)
        .post(
            "/dealers/{id}/promotions",
            Roles(MANAGERS),
            promotions::create,
        )
        .get("/dealers/{id}/inventory", Roles(READERS), inventory::list)
        .get("/dealers/{id}/summary", Roles(READERS), inventory::summary)
        .get("/quotations", Roles(SELLERS), quotations::list)
        .post("/quotations", Roles(SELLERS), quotations::create)
        .get("/quotations/{id}", Roles(SELLERS), quotations::get)
        .post("/quotations/{id}/send", Roles(SELLERS), quotations::send)
        .post(
            "/quotations/{id}/accept",
            Roles(SELLERS),
            quotations::accept,
        )
        .post(
            "/quotations/{id}/reject",
            Roles(SELLERS),
            quotations::reject,
        )
        .post(
            "/quotations/{id}/convert",
            Roles(SELLERS),
            sales_orders::convert,
        )
        .get("/sales-orders", Roles(SELLERS), sales_orders::list)
        .post("/sales-orders", Roles(SELLERS), sales_orders::create)
        .idempotent(contracts::modules::DEALER)
        .post(
            "/sales-orders/overdue-check",
            Roles(MANAGERS),
            sales_orders::overdue_check,
        )
        .get("/sales-orders/{id}", Roles(SELLERS), sales_orders::get)
        .post(
            "/sales-orders/{id}/approve",
            Roles(MANAGERS),
            sales_orders::approve,
        )
        .post(
            "/sales-orders/{id}/cancel",
            Roles(SELLERS),
            sales_orders::cancel,
        )
        .post(
            "/sales-orders/{id}/contract",
            Roles(SELLERS),
            sales_orders::draft_contract,
        )
        .post(
            "/sales-orders/{id}/sign",
            Roles(SELLERS),
            sales_orders::sign,
        )
        .get(
            "/sales-orders/{id}/payments",
            Roles(SELLERS),
            sales_orders::list_payments,
        )
        .post(
            "/sales-orders/{id}/payments",
            Roles(SELLERS),
            sales_orders::pay,
        )
        .idempotent(contracts::modules::DEALER)
        .post(
            "/sales-orders/{id}/delivery",
            Roles(SELLERS),
            sales_orders::schedule_delivery,
        )
        .post(
            "/sales-orders/{id}/deliver",
            Roles(SELLERS),
            sales_orders::deliver,
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        dealers::list, dealers::create, dealers::get, dealers::update, branches::list,
        branches::create, staff::list, targets::list, targets::set, promotions::list,
        promotions::create, inventory::list, inventory::summary, quotations::list,
        quotations::create, quotations::get, quotations::send, quotations::accept,
        quotations::reject, sales_orders::convert, sales_orders::list, sales_orders::create,
        sales_orders::get, sales_orders::approve, sales_orders::cancel,
        sales_orders::overdue_check, sales_orders::draft_contract, sales_orders::sign,
        sales_orders::list_payments, sales_orders::pay, sales_orders::schedule_delivery,
        sales_orders::deliver,
    ),
    tags((name = "dealer", description = "Dealers, branches, staff, inventory, quotations, sales orders, contracts, payments and deliveries."))
)]
pub struct ApiDoc;
