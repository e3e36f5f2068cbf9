//! HTTP API of the dealer module: one file per resource, one route table.

pub mod dealers;
pub mod inventory;
pub mod network;
pub mod orders;
pub mod quotations;
pub mod settlement;

use actix_web::web;
use kernel::{Access, Db, Role, RouteTable};

pub type State = web::Data<Db>;

/// Everyone may read dealer data (dealer roles: their own dealer only); a dealer's people sell
/// (quotations, orders, payments: the OEM has no part in retail sales).
pub use kernel::auth::roles::{
    DEALER_MANAGERS as MANAGERS, DEALER_PEOPLE as SELLERS, OEM, PEOPLE as READERS,
};

pub fn routes(r: &mut RouteTable, db: State) {
    use Access::Roles;
    r.app_data(db);
    r.get("/dealers", Roles(READERS), dealers::list)
        .post("/dealers", Roles(OEM), dealers::create)
        .get("/dealers/{id}", Roles(READERS), dealers::get)
        .patch("/dealers/{id}", Roles(OEM), dealers::update)
        .get(
            "/dealers/{id}/branches",
            Roles(READERS),
            network::list_branches,
        )
        .post(
            "/dealers/{id}/branches",
            Roles(&[Role::Admin, Role::EvmStaff, Role::DealerManager]),
            network::create_branch,
        )
        .get("/dealers/{id}/staff", Roles(READERS), network::list_staff)
        .get(
            "/dealers/{id}/targets",
            Roles(READERS),
            network::list_targets,
        )
        .put("/dealers/{id}/targets", Roles(OEM), network::set_target)
        .get(
            "/dealers/{id}/promotions",
            Roles(READERS),
            network::list_promotions,
        )
        .post(
            "/dealers/{id}/promotions",
            Roles(MANAGERS),
            network::create_promotion,
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
            quotations::convert,
        )
        .get("/sales-orders", Roles(SELLERS), orders::list)
        .post("/sales-orders", Roles(SELLERS), orders::create)
        .idempotent(contracts::modules::DEALER)
        .post(
            "/sales-orders/overdue-check",
            Roles(MANAGERS),
            settlement::overdue_check,
        )
        .get("/sales-orders/{id}", Roles(SELLERS), orders::get)
        .post(
            "/sales-orders/{id}/approve",
            Roles(MANAGERS),
            orders::approve,
        )
        .post("/sales-orders/{id}/cancel", Roles(SELLERS), orders::cancel)
        .post(
            "/sales-orders/{id}/contract",
            Roles(SELLERS),
            settlement::draft_contract,
        )
        .post("/sales-orders/{id}/sign", Roles(SELLERS), settlement::sign)
        .get(
            "/sales-orders/{id}/payments",
            Roles(SELLERS),
            settlement::list_payments,
        )
        .post(
            "/sales-orders/{id}/payments",
            Roles(SELLERS),
            settlement::pay,
        )
        .idempotent(contracts::modules::DEALER)
        .post(
            "/sales-orders/{id}/delivery",
            Roles(SELLERS),
            settlement::schedule_delivery,
        )
        .post(
            "/sales-orders/{id}/deliver",
            Roles(SELLERS),
            settlement::deliver,
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        dealers::list, dealers::create, dealers::get, dealers::update, network::list_branches,
        network::create_branch, network::list_staff, network::list_targets, network::set_target,
        network::list_promotions, network::create_promotion, inventory::list, inventory::summary,
        quotations::list, quotations::create, quotations::get, quotations::send, quotations::accept,
        quotations::reject, quotations::convert, orders::list, orders::create, orders::get,
        orders::approve, orders::cancel, settlement::overdue_check, settlement::draft_contract,
        settlement::sign, settlement::list_payments, settlement::pay, settlement::schedule_delivery,
        settlement::deliver,
    ),
    tags((name = "dealer", description = "Dealers, branches, staff, inventory, quotations, sales orders, contracts, payments and deliveries."))
)]
pub struct ApiDoc;
