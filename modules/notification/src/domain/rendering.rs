//! Rendering templates with minijinja, and the check run when an admin saves one: it must
//! compile and use only the variables its event provides (a typo would otherwise render as an
//! empty string in every message).

use super::{defaults::TemplateParts, samples::sample_payload};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Variables every template may use besides its event's payload fields.
pub const COMMON_VARIABLES: &[&str] = &["recipientName", "appUrl"];

/// A template part that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {message}")]
pub struct TemplateError {
    /// `subject`, `text` or `html`.
    pub part: &'static str,
    pub message: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A variable the context lacks is an error, never a silent blank in a customer's email.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name == "html" {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.add_filter("money", money);
    env.add_filter("datetime", datetime);
    env
}

/// Minor units as `1,234,567.89`.
fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let units = (minor / 100).unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", (minor % 100).abs())
}

/// An RFC 3339 instant as `2026-01-01 10:00 UTC` (unparseable input is shown as it is).
fn datetime(value: String) -> String {
    chrono::DateTime::parse_from_rfc3339(&value)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or(value)
}

fn parts(template: &TemplateParts) -> Vec<(&'static str, &str)> {
    let mut out = vec![
        ("subject", template.subject.as_str()),
        ("text", template.text.as_str()),
    ];
    if let Some(html) = &template.html {
        out.push(("html", html.as_str()));
    }
    out
}

/// The variables `event`'s templates may use.
pub fn allowed_variables(event: &str) -> BTreeSet<String> {
    let mut allowed: BTreeSet<String> = COMMON_VARIABLES.iter().map(|v| (*v).to_owned()).collect();
    if let Some(Value::Object(fields)) = sample_payload(event) {
        allowed.extend(
            fields
                .keys()
                .map(|field| super::sealed::template_variable(event, field)),
        );
    }
    allowed
}

/// Checks that every part compiles and uses only `event`'s variables.
pub fn check(event: &str, template: &TemplateParts) -> Result<(), Vec<TemplateError>> {
    let env = environment();
    let allowed = allowed_variables(event);
    let mut errors = Vec::new();
    for (part, source) in parts(template) {
        match env.template_from_named_str(part, source) {
            Err(error) => errors.push(TemplateError {
                part,
                message: format!("does not compile: {error}"),
            }),
            Ok(compiled) => {
                let unknown: Vec<String> = compiled
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !allowed.contains(v))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !unknown.is_empty() {
                    errors.push(TemplateError {
                        part,
                        message: format!(
                            "unknown variable(s) {}; this event provides {}",
                            unknown.join(", "),
                            allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The render context: the event's payload plus the common variables.
pub fn context(payload: &Value, recipient_name: &str, app_url: &str) -> Value {
    let mut map = match payload {
        Value::Object(fields) => fields.clone(),
        _ => Map::new(),
    };
    map.insert("recipientName".into(), Value::from(recipient_name));
    map.insert("appUrl".into(), Value::from(app_url.trim_end_matches('/')));
    Value::Object(map)
}

/// Renders every part of `template` with `context`.
pub fn render(template: &TemplateParts, context: &Value) -> Result<Rendered, TemplateError> {
    let env = environment();
    let render = |part: &'static str, source: &str| {
        env.template_from_named_str(part, source)
            .and_then(|t| t.render(context))
            .map_err(|error| TemplateError {
                part,
                message: error.to_string(),
            })
    };
    Ok(Rendered {
        subject: render("subject", &template.subject)?.trim().to_owned(),
        text: render("text", &template.text)?,
        html: template
            .html
            .as_deref()
            .map(|html| render("html", html))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(subject: &str, text: &str, html: Option<&str>) -> TemplateParts {
        TemplateParts {
            subject: subject.into(),
            text: text.into(),
            html: html.map(str::to_owned),
        }
    }

    #[test]
    fn unknown_variables_are_refused_naming_the_part() {
        let event = "manufacturer.dealer_order_approved.v1";
        assert!(check(
            event,
            &parts("{{ orderNumber }}", "{{ total | money }}", None)
        )
        .is_ok());
        let errors =
            check(event, &parts("{{ ordernumber }}", "ok", Some("{{ nope }}"))).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].part, "subject");
        assert!(errors[0].message.contains("ordernumber"));
        assert_eq!(errors[1].part, "html");
        let broken = check(event, &parts("{{ orderNumber", "x", None)).unwrap_err();
        assert!(broken[0].message.contains("compile"));
    }

    #[test]
    fn html_escapes_variables_and_text_does_not() {
        let context = context(
            &serde_json::json!({ "x": "<b>&" }),
            "Ann",
            "https://a.example/",
        );
        let rendered = render(
            &parts("{{ x }}", "{{ x }} {{ appUrl }}", Some("<p>{{ x }}</p>")),
            &context,
        )
        .unwrap();
        assert_eq!(rendered.subject, "<b>&");
        assert_eq!(rendered.text, "<b>& https://a.example");
        assert_eq!(rendered.html.unwrap(), "<p>&lt;b&gt;&amp;</p>");
    }

    #[test]
    fn money_and_dates_are_formatted() {
        assert_eq!(money(123_456_789), "1,234,567.89");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(100), "1.00");
        assert_eq!(
            datetime("2026-01-01T10:00:00Z".into()),
            "2026-01-01 10:00 UTC"
        );
    }
}
