//! HTTP API of the customer module: one file per resource, one route table. Handlers only
//! extract, call a use case in `app/` and map the result to a DTO.

pub mod availability;
pub mod customers;
pub mod feedback;
pub mod leads;
pub mod privacy;
pub mod test_drives;
pub mod timeline;

use crate::app::Services;
use crate::domain::customers::{CustomerKind, CustomerStatus};
use crate::store::customers as customer_rows;
use actix_web::web;
use kernel::{Access, RouteTable};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub type State = web::Data<Services>;

/// Who reads and works with customer data: the dealer's people (their own dealer only; staff
/// what is assigned to them) and admins. The OEM sees customers only in aggregate, through
/// reports.
pub use kernel::auth::roles::{DEALER_MANAGERS as MANAGERS, DEALER_PEOPLE};

pub fn routes(r: &mut RouteTable, services: State) {
    use Access::Roles;
    r.app_data(services);
    r.get("/customers", Roles(DEALER_PEOPLE), customers::list)
        .post("/customers", Roles(DEALER_PEOPLE), customers::create)
        .get("/customers/{id}", Roles(DEALER_PEOPLE), customers::get)
        .patch("/customers/{id}", Roles(DEALER_PEOPLE), customers::update)
        .get(
            "/customers/{id}/timeline",
            Roles(DEALER_PEOPLE),
            timeline::list,
        )
        .get("/customers/{id}/export", Roles(MANAGERS), privacy::export)
        .post("/customers/{id}/erase", Roles(MANAGERS), privacy::erase)
        .get("/leads", Roles(DEALER_PEOPLE), leads::list)
        .post("/leads", Roles(DEALER_PEOPLE), leads::create)
        .get("/leads/{id}", Roles(DEALER_PEOPLE), leads::get)
        .post(
            "/leads/{id}/stage",
            Roles(DEALER_PEOPLE),
            leads::change_stage,
        )
        .get("/test-drives", Roles(DEALER_PEOPLE), test_drives::list)
        .post("/test-drives", Roles(DEALER_PEOPLE), test_drives::create)
        .get(
            "/test-drives/slots",
            Roles(DEALER_PEOPLE),
            availability::slots,
        )
        .get(
            "/test-drives/branches/{branch_id}/hours",
            Roles(DEALER_PEOPLE),
            availability::get_hours,
        )
        .put(
            "/test-drives/branches/{branch_id}/hours",
            Roles(MANAGERS),
            availability::set_hours,
        )
        .get("/test-drives/{id}", Roles(DEALER_PEOPLE), test_drives::get)
        .post(
            "/test-drives/{id}/confirm",
            Roles(DEALER_PEOPLE),
            test_drives::confirm,
        )
        .post(
            "/test-drives/{id}/complete",
            Roles(DEALER_PEOPLE),
            test_drives::complete,
        )
        .post(
            "/test-drives/{id}/no-show",
            Roles(DEALER_PEOPLE),
            test_drives::no_show,
        )
        .post(
            "/test-drives/{id}/cancel",
            Roles(DEALER_PEOPLE),
            test_drives::cancel,
        )
        .post(
            "/test-drives/{id}/feedback",
            Roles(DEALER_PEOPLE),
            test_drives::feedback,
        )
        .get("/feedback", Roles(DEALER_PEOPLE), feedback::list)
        .post("/feedback", Roles(DEALER_PEOPLE), feedback::create)
        .get("/feedback/{id}", Roles(DEALER_PEOPLE), feedback::get)
        .post("/feedback/{id}/assign", Roles(MANAGERS), feedback::assign)
        .post(
            "/feedback/{id}/start",
            Roles(DEALER_PEOPLE),
            feedback::start,
        )
        .post(
            "/feedback/{id}/resolve",
            Roles(DEALER_PEOPLE),
            feedback::resolve,
        )
        .post(
            "/feedback/{id}/close",
            Roles(DEALER_PEOPLE),
            feedback::close,
        )
        .post(
            "/feedback/{id}/reopen",
            Roles(DEALER_PEOPLE),
            feedback::reopen,
        );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        customers::list, customers::create, customers::get, customers::update, timeline::list,
        privacy::export, privacy::erase, leads::list, leads::create, leads::get, leads::change_stage,
        test_drives::list, test_drives::create, availability::slots, availability::get_hours,
        availability::set_hours, test_drives::get, test_drives::confirm, test_drives::complete,
        test_drives::no_show, test_drives::cancel, test_drives::feedback, feedback::list,
        feedback::create, feedback::get, feedback::assign, feedback::start, feedback::resolve,
        feedback::close, feedback::reopen,
    ),
    tags((name = "customer", description = "Customers, leads, test drives, feedback and the interaction timeline."))
)]
pub struct ApiDoc;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub kind: CustomerKind,
    pub full_name: String,
    pub company_name: Option<String>,
    pub tax_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub status: CustomerStatus,
    pub created_by: Uuid,
    /// The salesperson who looks after the customer.
    pub owner_id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

impl From<customer_rows::Model> for CustomerDto {
    fn from(c: customer_rows::Model) -> Self {
        Self {
            id: c.id,
            dealer_id: c.dealer_id,
            kind: c.kind,
            full_name: c.full_name,
            company_name: c.company_name,
            tax_number: c.tax_number,
            phone: c.phone,
            email: c.email,
            address: c.address,
            date_of_birth: c.date_of_birth,
            notes: c.notes,
            consent_email: c.consent_email,
            consent_sms: c.consent_sms,
            status: c.status,
            created_by: c.created_by,
            owner_id: c.owner_id,
            created_at: c.created_at,
            updated_at: c.updated_at,
            erased_at: c.erased_at,
            version: c.version,
        }
    }
}
