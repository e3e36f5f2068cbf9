//! The module's copy of the catalog: which variants can be test-driven.

kernel::text_enum! {
    /// Whether a variant can be booked for a test drive.
    pub enum VariantAvailability {
        /// Published and in production.
        Available = "available",
        Unavailable = "unavailable",
    }
}

impl VariantAvailability {
    /// A variant is on sale while its model is published and the variant in production.
    pub fn of(model_status: &str, variant_status: &str) -> Self {
        if model_status == "published" && variant_status == "in_production" {
            Self::Available
        } else {
            Self::Unavailable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_published_variants_in_production_are_available() {
        assert_eq!(
            VariantAvailability::of("published", "in_production"),
            VariantAvailability::Available
        );
        assert_eq!(
            VariantAvailability::of("draft", "in_production"),
            VariantAvailability::Unavailable
        );
        assert_eq!(
            VariantAvailability::of("published", "discontinued"),
            VariantAvailability::Unavailable
        );
    }
}
