//! The module's copy of the OEM catalog: which variants are on sale, in which colours.

use contracts::events::manufacturer::ColourOption;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

kernel::text_enum! {
    /// A vehicle model's lifecycle at the OEM.
    pub enum ModelStatus {
        Draft = "draft",
        Published = "published",
        Discontinued = "discontinued",
    }
}

kernel::text_enum! {
    /// A variant's production status at the OEM.
    pub enum VariantStatus {
        InProduction = "in_production",
        ComingSoon = "coming_soon",
        Discontinued = "discontinued",
    }
}

/// A variant is on sale while its model is published and the variant is not discontinued
/// (a coming-soon variant can be ordered ahead).
pub fn sellable(model: ModelStatus, variant: VariantStatus) -> bool {
    model == ModelStatus::Published && variant != VariantStatus::Discontinued
}

/// The colours a variant comes in, with their surcharges (a JSON column; an unreadable value is
/// an error, never "no colours").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, FromJsonQueryResult)]
#[serde(transparent)]
pub struct Colours(pub Vec<ColourOption>);

impl Eq for Colours {}

impl Colours {
    pub fn find(&self, colour_id: Uuid) -> Option<&ColourOption> {
        self.0.iter().find(|c| c.colour_id == colour_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_variants_are_sold_until_discontinued() {
        assert!(sellable(
            ModelStatus::Published,
            VariantStatus::InProduction
        ));
        assert!(sellable(ModelStatus::Published, VariantStatus::ComingSoon));
        assert!(!sellable(
            ModelStatus::Published,
            VariantStatus::Discontinued
        ));
        assert!(!sellable(ModelStatus::Draft, VariantStatus::InProduction));
        assert!(!sellable(
            ModelStatus::Discontinued,
            VariantStatus::InProduction
        ));
    }

    #[test]
    fn colours_decode_strictly() {
        assert!(serde_json::from_value::<Colours>(serde_json::json!({ "red": 1 })).is_err());
        let none: Colours = serde_json::from_value(serde_json::json!([])).unwrap();
        assert!(none.find(Uuid::nil()).is_none());
    }
}
