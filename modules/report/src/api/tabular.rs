//! Table reports as CSV: chosen by `format=csv` or `Accept: text/csv`, streamed row by row
//! with a header, RFC 4180 quoting and formula neutralisation (`domain::csv`).

use crate::domain::csv::{line, Cell};
use actix_web::{http::header, web::Bytes, HttpRequest, HttpResponse};
use futures_util::stream;
use kernel::ApiError;

/// Whether the caller asked for CSV.
pub fn wants_csv(req: &HttpRequest, format: &Option<String>) -> Result<bool, ApiError> {
    match format.as_deref() {
        Some("csv") => return Ok(true),
        Some("json") => return Ok(false),
        None | Some("") => {}
        Some(_) => return Err(ApiError::invalid_field("format", "must be json or csv")),
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(accept.split(',').any(|part| {
        part.trim()
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
    }))
}

/// A CSV download: header row, then one line per row, sent as they are written.
pub fn csv(name: &str, columns: &[&str], rows: Vec<Vec<Cell>>) -> HttpResponse {
    let header_cells: Vec<Cell> = columns.iter().map(|c| Cell::from(*c)).collect();
    let lines = std::iter::once(header_cells)
        .chain(rows)
        .map(|cells| Ok::<_, std::convert::Infallible>(Bytes::from(line(&cells))));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .streaming(stream::iter(lines))
}

/// A money cell in minor units.
pub fn money(v: i64) -> Cell {
    Cell::Int(v)
}
