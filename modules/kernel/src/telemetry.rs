//! Logging: pretty in development, JSON in production; `RUST_LOG` overrides `log.level`. Logs go
//! to stderr, so a command's own output on stdout (`evdms openapi`, `evdms routes`) stays clean.
//!
//! JSON lines are one object each, `{"timestamp","level","target","fields":{…},"span":{…}}`,
//! and never repeat a key: tracing lets an event carry a field named like the formatted message
//! (lapin's `warn!(?message, "Server returned us a message")` does), which the stock JSON
//! formatter writes as two `message` keys that strict parsers reject. Here a repeated name gets
//! a numbered key instead (`message_2`).

use crate::config::{LogFormat, LogSettings};
use serde_json::{Map, Value};
use std::fmt;
use tracing::{
    field::{Field, Visit},
    Event, Subscriber,
};
use tracing_subscriber::{
    fmt::{
        format::{self, FormatEvent, FormatFields, JsonFields},
        FmtContext, FormattedFields,
    },
    registry::LookupSpan,
    EnvFilter,
};

/// Directives added to every filter unless it names their target itself. lapin warns about each
/// message the broker returns as unroutable; an event nobody subscribes to is not a problem (the
/// transport counts and logs it at debug instead).
const QUIET: &[&str] = &["lapin::returned_messages=error"];

/// The filter: `RUST_LOG` if set and valid, else `log.level`, plus [`QUIET`].
pub fn filter(level: &str) -> EnvFilter {
    let text = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| EnvFilter::try_new(value).is_ok())
        .unwrap_or_else(|| level.to_owned());
    let mut filter = EnvFilter::new(&text);
    for directive in QUIET {
        let target = directive.split('=').next().unwrap_or_default();
        if !text.contains(target) {
            if let Ok(directive) = directive.parse() {
                filter = filter.add_directive(directive);
            }
        }
    }
    filter
}

/// Installs the global subscriber once; later calls (e.g. from tests) are ignored.
pub fn init(settings: &LogSettings) {
    let filter = filter(&settings.level);
    let result = match settings.format {
        LogFormat::Json => {
            let result = tracing_subscriber::fmt()
                .event_format(JsonLines)
                .fmt_fields(JsonFields::new())
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
            if result.is_ok() {
                // A panic is a log line too, not free text among the JSON.
                std::panic::set_hook(Box::new(|info| {
                    let backtrace = std::backtrace::Backtrace::capture();
                    tracing::error!(backtrace = %backtrace, "panic: {info}");
                }));
            }
            result
        }
        LogFormat::Pretty => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .compact()
            .try_init(),
    };
    // An already-installed subscriber (tests) is fine.
    drop(result);
}

/// Inserts `key`, or `key_2`, `key_3`… when the name is taken: nothing is overwritten or repeated.
fn insert_unique(map: &mut Map<String, Value>, key: &str, value: Value) {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), value);
        return;
    }
    let mut n = 2;
    while map.contains_key(&format!("{key}_{n}")) {
        n += 1;
    }
    map.insert(format!("{key}_{n}"), value);
}

/// An event's fields as a JSON object. Events bridged from the `log` crate carry their real
/// target in `log.target` (and file/line/module fields the line does not need).
#[derive(Default)]
struct EventFields {
    fields: Map<String, Value>,
    log_target: Option<String>,
}

impl EventFields {
    fn put(&mut self, field: &Field, value: Value) {
        match field.name() {
            "log.target" => {
                if let Value::String(target) = value {
                    self.log_target = Some(target);
                }
            }
            "log.module_path" | "log.file" | "log.line" => {}
            name => insert_unique(&mut self.fields, name, value),
        }
    }
}

impl Visit for EventFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let value = serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.put(field, value);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

/// The JSON event format (see the module documentation).
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = EventFields::default();
        event.record(&mut fields);
        let metadata = event.metadata();
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        line.insert("level".into(), Value::from(metadata.level().as_str()));
        let target = fields
            .log_target
            .take()
            .unwrap_or_else(|| metadata.target().to_owned());
        line.insert("target".into(), Value::from(target));
        line.insert("fields".into(), Value::Object(fields.fields));
        if let Some(span) = ctx.lookup_current() {
            let mut object = Map::new();
            object.insert("name".into(), Value::from(span.name()));
            let extensions = span.extensions();
            if let Some(formatted) = extensions.get::<FormattedFields<N>>() {
                // JsonFields wrote them as one JSON object.
                if let Ok(Value::Object(recorded)) =
                    serde_json::from_str::<Value>(formatted.fields.as_str())
                {
                    for (key, value) in recorded {
                        insert_unique(&mut object, &key, value);
                    }
                }
            }
            line.insert("span".into(), Value::Object(object));
        }
        let text = serde_json::to_string(&Value::Object(line)).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// Parses one JSON text as strict log shippers do: a key repeated in any object is an error
/// (serde_json's `Value` would silently keep the last one). For tests of the log format.
pub fn parse_strict(text: &str) -> Result<Value, String> {
    serde_json::from_str::<Strict>(text)
        .map(|Strict(value)| value)
        .map_err(|e| e.to_string())
}

struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let Strict(value) = access.next_value()?;
            if map.insert(key.clone(), value).is_some() {
                return Err(serde::de::Error::custom(format!("repeated key `{key}`")));
            }
        }
        Ok(Value::Object(map))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(value)) = access.next_element()? {
            items.push(value);
        }
        Ok(Value::Array(items))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        io,
        sync::{Arc, Mutex},
    };

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn lines_of(emit: impl FnOnce()) -> Vec<String> {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLines)
            .fmt_fields(JsonFields::new())
            .with_env_filter(filter("trace"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_field_named_message_does_not_repeat_the_key() {
        let lines = lines_of(|| {
            let message = "the returned message";
            tracing::warn!(?message, reply = 312, "Server returned us a message");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = parse_strict(&lines[0]).unwrap();
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["fields"]["message"], "Server returned us a message");
        assert_eq!(line["fields"]["message_2"], "\"the returned message\"");
        assert_eq!(line["fields"]["reply"], 312);
        assert!(line["timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn span_fields_and_names_share_one_object_without_repeats() {
        let lines = lines_of(|| {
            let span = tracing::info_span!("request", name = "a field called name", id = 7);
            let _entered = span.enter();
            tracing::info!(target: "evdms::test", level = "a field called level", "inside");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = parse_strict(&lines[0]).unwrap();
        assert_eq!(line["target"], "evdms::test");
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["fields"]["level"], "a field called level");
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["name_2"], "a field called name");
        assert_eq!(line["span"]["id"], 7);
    }

    #[test]
    fn the_strict_parser_refuses_repeated_keys_at_any_depth() {
        assert!(parse_strict(r#"{"a":1,"b":{"c":[{"d":2}]}}"#).is_ok());
        let error = parse_strict(r#"{"fields":{"message":"x","message":"y"}}"#).unwrap_err();
        assert!(error.contains("repeated key `message`"), "{error}");
        assert!(parse_strict(r#"[{"a":1,"a":1}]"#).is_err());
        assert!(parse_strict("not json").is_err());
    }

    #[test]
    fn returned_messages_are_quiet_unless_asked_for() {
        let quiet = filter("info").to_string();
        assert!(quiet.contains("lapin::returned_messages=error"), "{quiet}");
        let asked = filter("info,lapin::returned_messages=trace").to_string();
        assert!(!asked.contains("returned_messages=error"), "{asked}");
    }
}
