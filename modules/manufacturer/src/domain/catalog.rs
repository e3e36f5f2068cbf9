//! The catalog's typed states and rules: a model's lifecycle (draft → published ⇄
//! discontinued), a variant's production status, who sees what, and price sanity.

use kernel::{DomainError, DomainResult, Lifecycle};

kernel::text_enum! {
    /// A vehicle model's catalog status.
    pub enum ModelStatus {
        /// Being prepared; only OEM staff see it and no event leaves the module.
        Draft = "draft",
        /// On sale: dealers see it and its variants.
        Published = "published",
        /// Off sale: dealers no longer see it (it may be published again).
        Discontinued = "discontinued",
    }
}

kernel::text_enum! {
    /// A variant's production status.
    pub enum VariantStatus {
        InProduction = "in_production",
        /// Orderable ahead of production.
        ComingSoon = "coming_soon",
        Discontinued = "discontinued",
    }
}

/// What can be done to a model's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelAction {
    Publish,
    Discontinue,
}

impl Lifecycle for ModelStatus {
    type Action = ModelAction;
    const ACTIONS: &'static [ModelAction] = &[ModelAction::Publish, ModelAction::Discontinue];

    fn name(self) -> &'static str {
        self.as_str()
    }

    fn action_name(action: ModelAction) -> &'static str {
        match action {
            ModelAction::Publish => "publish",
            ModelAction::Discontinue => "discontinue",
        }
    }

    /// draft → published → discontinued, and a discontinued model may be published again.
    fn next(self, action: ModelAction) -> Option<Self> {
        use ModelAction as A;
        use ModelStatus as S;
        match (self, action) {
            (S::Draft | S::Discontinued, A::Publish) => Some(S::Published),
            (S::Published, A::Discontinue) => Some(S::Discontinued),
            _ => None,
        }
    }
}

impl ModelStatus {
    /// Whether other modules have ever been told of this model's variants (a draft is private
    /// to the OEM; a discontinued model's copies must learn that it left the market).
    pub fn announced(self) -> bool {
        self != ModelStatus::Draft
    }
}

/// Whether a caller sees a model (or its variants and colours) in this status: OEM staff see
/// every model, dealer roles published ones only.
pub fn visible(oem: bool, status: ModelStatus) -> bool {
    oem || status == ModelStatus::Published
}

/// A variant dealers can order now: its model is published and it is not discontinued (a
/// coming-soon variant can be ordered ahead).
pub fn sellable(model: ModelStatus, variant: VariantStatus) -> bool {
    model == ModelStatus::Published && variant != VariantStatus::Discontinued
}

/// What dealers pay never exceeds the MSRP.
pub fn check_prices(msrp: i64, wholesale_price: i64) -> DomainResult<()> {
    if wholesale_price > msrp {
        return Err(DomainError::invalid(
            "wholesalePrice",
            "cannot exceed the MSRP",
        ));
    }
    Ok(())
}

/// Refuses a change based on a version other than the stored one (409).
pub fn check_version(what: &str, read: i32, stored: i32) -> DomainResult<()> {
    if read != stored {
        return Err(DomainError::conflict(
            kernel::ErrorCode::Conflict,
            format!("stale version {read}; the {what} is at version {stored}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ModelAction as A, ModelStatus as S, *};

    #[test]
    fn models_publish_discontinue_and_come_back() {
        assert_eq!(S::Draft.apply(A::Publish).ok(), Some(S::Published));
        assert_eq!(
            S::Published.apply(A::Discontinue).ok(),
            Some(S::Discontinued)
        );
        assert_eq!(S::Discontinued.apply(A::Publish).ok(), Some(S::Published));
        assert_eq!(S::Draft.allowed_names(), ["publish"]);
        assert_eq!(S::Published.allowed_names(), ["discontinue"]);
    }

    #[test]
    fn an_illegal_move_names_what_is_allowed() {
        match S::Draft.apply(A::Discontinue) {
            Err(DomainError::IllegalTransition {
                from,
                action,
                allowed,
            }) => {
                assert_eq!((from.as_str(), action.as_str()), ("draft", "discontinue"));
                assert_eq!(allowed, ["publish"]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(S::Published.apply(A::Publish).is_err());
    }

    #[test]
    fn stored_values_keep_their_spelling() {
        let models: Vec<&str> = S::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(models, ["draft", "published", "discontinued"]);
        let variants: Vec<&str> = VariantStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(variants, ["in_production", "coming_soon", "discontinued"]);
    }

    #[test]
    fn dealers_see_and_buy_published_models_only() {
        assert!(visible(true, S::Draft));
        assert!(!visible(false, S::Draft));
        assert!(!visible(false, S::Discontinued));
        assert!(visible(false, S::Published));
        assert!(sellable(S::Published, VariantStatus::ComingSoon));
        assert!(!sellable(S::Published, VariantStatus::Discontinued));
        assert!(!sellable(S::Discontinued, VariantStatus::InProduction));
        assert!(!S::Draft.announced());
        assert!(S::Discontinued.announced());
    }

    #[test]
    fn wholesale_never_exceeds_msrp() {
        assert!(check_prices(100, 100).is_ok());
        assert!(check_prices(100, 101).is_err());
        assert!(check_version("model", 1, 1).is_ok());
        assert!(matches!(
            check_version("model", 1, 2),
            Err(DomainError::Conflict { .. })
        ));
    }
}
