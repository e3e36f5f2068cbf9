//! `text_enum!`: a closed set of values stored as text (statuses, kinds, sources). One
//! declaration gives the typed column (sea-orm active enum), the wire form (serde), the OpenAPI
//! `enum`, `as_str`, `ALL` and a `FromStr` whose error lists the accepted values.
//!
//! Reading a stored value outside the set is a decoding error, never a default.

/// Declares a text enum: `Variant = "wire_name"` per value. (The wire name is matched as a token
/// tree, not a `literal` fragment: utoipa does not see a `literal` fragment's invisible group as
/// a string, and documented the Rust variant names instead of the wire names.)
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        $vis enum $name {
            $( $(#[$vmeta])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as the API and the database spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::string::String;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: ::std::vec::Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("must be one of {}", names.join(", "))
                })
            }
        }

    };
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A test set.
        pub enum Colour {
            Red = "red",
            /// Spelled with an underscore.
            DeepBlue = "deep_blue",
        }
    }

    #[test]
    fn values_round_trip_through_text_and_json() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(*colour));
            let wire = serde_json::to_value(colour).unwrap_or_default();
            assert_eq!(wire, colour.as_str());
        }
        assert_eq!(
            "green".parse::<Colour>(),
            Err("must be one of red, deep_blue".to_owned())
        );
        let parsed: Result<Colour, _> = serde_json::from_str("\"deep_blue\"");
        assert_eq!(parsed.ok(), Some(Colour::DeepBlue));
    }

    #[test]
    fn the_openapi_enum_lists_the_wire_names() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Colour::schema()).unwrap_or_default();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["red", "deep_blue"]),
            "{schema}"
        );
    }
}
