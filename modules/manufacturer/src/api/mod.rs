//! HTTP API of the manufacturer module: one file per resource, one route table.

pub mod catalog;
pub mod finance;
pub mod orders;
pub mod payments;
pub mod promotions;
pub mod stock;
pub mod variants;

use actix_web::web;
use kernel::{Access, ApiError, Caller, Db, Role, RouteTable};
use uuid::Uuid;

pub type State = web::Data<Db>;

/// OEM staff manage the catalog, stock, orders and invoices; anyone in the product may read
/// dealer-side manufacturer data (each dealer only its own); OEM and dealer managers place and
/// receive dealer orders and pay invoices.
pub use kernel::auth::roles::{OEM, OEM_AND_MANAGERS, PEOPLE as OEM_AND_DEALERS};

pub fn is_oem(caller: &Caller) -> bool {
    caller.has_role(OEM)
}

/// The dealer a dealer-role caller acts for; OEM roles name one explicitly.
pub fn dealer_scope(caller: &Caller, requested: Option<Uuid>) -> Result<Option<Uuid>, ApiError> {
    if is_oem(caller) {
        return Ok(requested);
    }
    let own = caller
        .dealer_id
        .ok_or_else(|| ApiError::forbidden("your account belongs to no dealer"))?;
    match requested {
        Some(other) if other != own => Err(ApiError::not_found("no such dealer")),
        _ => Ok(Some(own)),
    }
}

pub fn routes(r: &mut RouteTable, db: State) {
    use Access::Roles;
    r.app_data(db);
    r.get(
        "/manufacturers",
        Roles(OEM_AND_DEALERS),
        catalog::list_manufacturers,
    )
    .post(
        "/manufacturers",
        Roles(&[Role::Admin]),
        catalog::create_manufacturer,
    )
    .get(
        "/manufacturers/{id}",
        Roles(OEM_AND_DEALERS),
        catalog::get_manufacturer,
    )
    .get(
        "/catalog/models",
        Roles(OEM_AND_DEALERS),
        catalog::list_models,
    )
    .post("/catalog/models", Roles(OEM), catalog::create_model)
    .get(
        "/catalog/models/{id}",
        Roles(OEM_AND_DEALERS),
        catalog::get_model,
    )
    .patch("/catalog/models/{id}", Roles(OEM), catalog::update_model)
    .post(
        "/catalog/models/{id}/publish",
        Roles(OEM),
        catalog::publish_model,
    )
    .post(
        "/catalog/models/{id}/discontinue",
        Roles(OEM),
        catalog::discontinue_model,
    )
    .get(
        "/catalog/colours",
        Roles(OEM_AND_DEALERS),
        catalog::list_colours,
    )
    .post("/catalog/colours", Roles(OEM), catalog::create_colour)
    .patch("/catalog/colours/{id}", Roles(OEM), catalog::update_colour)
    .get("/catalog/variants", Roles(OEM_AND_DEALERS), variants::list)
    .post("/catalog/variants", Roles(OEM), variants::create)
    .get(
        "/catalog/variants/{id}",
        Roles(OEM_AND_DEALERS),
        variants::get,
    )
    .patch("/catalog/variants/{id}", Roles(OEM), variants::update)
    .put(
        "/catalog/variants/{id}/prices",
        Roles(OEM),
        variants::change_prices,
    )
    .get(
        "/catalog/variants/{id}/price-history",
        Roles(OEM),
        variants::price_history,
    )
    .get(
        "/catalog/compare",
        Roles(OEM_AND_DEALERS),
        variants::compare,
    )
    .get(
        "/catalog/promotions",
        Roles(OEM_AND_DEALERS),
        promotions::list,
    )
    .post("/catalog/promotions", Roles(OEM), promotions::create)
    .patch("/catalog/promotions/{id}", Roles(OEM), promotions::update)
    .get(
        "/catalog/price-quote",
        Roles(OEM_AND_MANAGERS),
        promotions::price_quote,
    )
    .get("/oem-stock", Roles(OEM), stock::list)
    .post("/oem-stock", Roles(OEM), stock::add_units)
    .get("/oem-stock/levels", Roles(OEM), stock::levels)
    .put("/oem-stock/thresholds", Roles(OEM), stock::set_threshold)
    .get("/oem-stock/{vin}", Roles(OEM), stock::get)
    .post("/oem-stock/{vin}/receive", Roles(OEM), stock::receive)
    .get("/dealer-orders", Roles(OEM_AND_MANAGERS), orders::list)
    .post(
        "/dealer-orders",
        Roles(&[Role::DealerManager]),
        orders::place,
    )
    .idempotent(contracts::modules::MANUFACTURER)
    .get("/dealer-orders/{id}", Roles(OEM_AND_MANAGERS), orders::get)
    .post("/dealer-orders/{id}/approve", Roles(OEM), orders::approve)
    .post("/dealer-orders/{id}/reject", Roles(OEM), orders::reject)
    .post("/dealer-orders/{id}/allocate", Roles(OEM), orders::allocate)
    .post("/dealer-orders/{id}/ship", Roles(OEM), orders::ship)
    .post(
        "/dealer-orders/{id}/deliver",
        Roles(&[Role::DealerManager]),
        orders::deliver,
    )
    .post(
        "/dealer-orders/{id}/dispute",
        Roles(&[Role::DealerManager]),
        orders::dispute,
    )
    .post("/dealer-orders/{id}/resolve", Roles(OEM), orders::resolve)
    .post(
        "/dealer-orders/{id}/cancel",
        Roles(&[Role::DealerManager]),
        orders::cancel,
    )
    .get(
        "/dealer-contracts",
        Roles(OEM_AND_DEALERS),
        finance::list_contracts,
    )
    .post("/dealer-contracts", Roles(OEM), finance::create_contract)
    .get(
        "/dealer-contracts/{id}",
        Roles(OEM_AND_DEALERS),
        finance::get_contract,
    )
    .post(
        "/dealer-contracts/{id}/terminate",
        Roles(OEM),
        finance::terminate_contract,
    )
    .get(
        "/dealer-invoices",
        Roles(OEM_AND_MANAGERS),
        finance::list_invoices,
    )
    .get(
        "/dealer-invoices/aging",
        Roles(OEM_AND_MANAGERS),
        finance::aging,
    )
    .post(
        "/dealer-invoices/overdue-check",
        Roles(OEM),
        finance::overdue_check,
    )
    .get(
        "/dealer-invoices/{id}",
        Roles(OEM_AND_MANAGERS),
        finance::get_invoice,
    )
    .get("/dealer-payments", Roles(OEM_AND_MANAGERS), payments::list)
    .post(
        "/dealer-payments",
        Roles(OEM_AND_MANAGERS),
        payments::record,
    )
    .idempotent(contracts::modules::MANUFACTURER)
    .post(
        "/dealer-payments/{id}/confirm",
        Roles(OEM),
        payments::confirm,
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        catalog::list_manufacturers, catalog::get_manufacturer, catalog::create_manufacturer, catalog::list_models,
        catalog::create_model, catalog::get_model, catalog::update_model, catalog::publish_model,
        catalog::discontinue_model, catalog::list_colours, catalog::create_colour,
        catalog::update_colour, variants::list, variants::create, variants::get, variants::update,
        variants::change_prices, variants::price_history, variants::compare, promotions::list,
        promotions::create, promotions::update, promotions::price_quote, stock::list,
        stock::add_units, stock::levels, stock::set_threshold, stock::get, stock::receive,
        orders::list, orders::place, orders::get, orders::approve, orders::reject,
        orders::allocate, orders::ship, orders::deliver, orders::dispute, orders::resolve,
        orders::cancel, finance::list_contracts, finance::create_contract, finance::get_contract,
        finance::terminate_contract, finance::list_invoices, finance::aging,
        finance::overdue_check, finance::get_invoice, payments::list, payments::record,
        payments::confirm,
    ),
    tags((name = "manufacturer", description = "Catalog, pricing, OEM stock, dealer orders, contracts and invoices."))
)]
pub struct ApiDoc;
