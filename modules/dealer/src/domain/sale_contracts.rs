//! Sales contracts: draft → signed, or cancelled with their order.

kernel::text_enum! {
    pub enum ContractStatus {
        Draft = "draft",
        Signed = "signed",
        Cancelled = "cancelled",
    }
}
