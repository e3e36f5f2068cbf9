//! CSV cells as spreadsheets read them safely: RFC 4180 quoting, and a leading `=`, `+`, `-`,
//! `@`, tab or carriage return neutralised so a cell can't run as a formula (OWASP CSV
//! injection). Numbers are written as they are: only text cells are neutralised.

/// One cell of a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Cell {
    fn render(&self, out: &mut String) {
        match self {
            Cell::Int(n) => out.push_str(&n.to_string()),
            Cell::Float(x) => out.push_str(&format!("{x:.4}")),
            Cell::Text(s) => {
                let risky = s
                    .chars()
                    .next()
                    .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
                let text = if risky { format!("'{s}") } else { s.clone() };
                if text.contains([',', '"', '\n', '\r']) || risky {
                    out.push('"');
                    out.push_str(&text.replace('"', "\"\""));
                    out.push('"');
                } else {
                    out.push_str(&text);
                }
            }
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Cell::Float(x)
    }
}

/// One CSV line, CRLF-terminated as RFC 4180 says.
pub fn line(cells: &[Cell]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell.render(&mut out);
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        let row = line(&["a,b".into(), "say \"hi\"".into(), "plain".into(), 42.into()]);
        assert_eq!(row, "\"a,b\",\"say \"\"hi\"\"\",plain,42\r\n");
    }

    #[test]
    fn neutralises_formulas_but_not_negative_numbers() {
        assert_eq!(
            line(&["=cmd|' /C calc'!A0".into()]),
            "\"'=cmd|' /C calc'!A0\"\r\n"
        );
        assert_eq!(
            line(&["@SUM(A1)".into(), "+1".into()]),
            "\"'@SUM(A1)\",\"'+1\"\r\n"
        );
        assert_eq!(line(&[Cell::Int(-5)]), "-5\r\n");
    }
}
