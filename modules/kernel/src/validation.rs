//! Request validation: `validator` errors as field errors, and a JSON extractor that validates.

use crate::error::{ApiError, FieldError};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

/// Flattens nested `validator` errors into `field.path: message` pairs (camelCase field names).
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let name = camel_case(field);
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}.{name}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = error
                        .message
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| describe(&error.code));
                    out.push(FieldError::new(path.clone(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn describe(code: &str) -> String {
    match code {
        "email" => "must be a valid email address".to_owned(),
        "length" => "has an invalid length".to_owned(),
        "range" => "is out of range".to_owned(),
        "required" => "is required".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        other => format!("is invalid ({other})"),
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `web::Json<T>` followed by `T::validate()`; failures become 422 with field errors.
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ValidJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            value.validate().map_err(ApiError::from)?;
            Ok(ValidJson(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Validate)]
    struct Sample {
        #[validate(email)]
        contact_email: String,
        #[validate(length(min = 3, message = "needs three characters"))]
        name: String,
    }

    #[test]
    fn errors_are_flat_and_camel_cased() {
        let errors = Sample {
            contact_email: "nope".into(),
            name: "x".into(),
        }
        .validate()
        .unwrap_err();
        let fields = field_errors(&errors);
        assert_eq!(
            fields,
            vec![
                FieldError::new("contactEmail", "must be a valid email address"),
                FieldError::new("name", "needs three characters"),
            ]
        );
    }
}
