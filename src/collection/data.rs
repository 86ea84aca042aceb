//! Data files for iterations (`--data rows.csv|rows.json`): each row becomes a variable
//! layer, and the collection runs once per row.

use super::vars::VarDef;
use crate::collection::Layer;
use crate::diag::{Diagnostic, display_path};
use crate::template::JsonTpl;
use std::path::Path;

/// The rows of a CSV file (a header line of names, then one row per iteration) or a JSON
/// file (an array of objects).
pub(crate) fn load_rows(path: &Path) -> Result<Vec<Layer>, Diagnostic> {
    let shown = display_path(path);
    let text = crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT).map_err(|e| {
        Diagnostic::error(format!(
            "{shown}: cannot read the data file: {}",
            crate::fsutil::io_reason(&e)
        ))
    })?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let rows: Vec<Vec<(String, serde_json::Value)>> = if is_json {
        json_rows(&text, &shown)?
    } else {
        csv_rows(&text, &shown)?
    };
    if rows.is_empty() {
        return Err(Diagnostic::error(format!("{shown}: the data file has no rows")).help("a CSV file needs a header line and at least one row; a JSON file an array of objects"));
    }
    Ok(rows
        .into_iter()
        .map(|row| Layer {
            vars: row
                .into_iter()
                .map(|(name, v)| VarDef {
                    name,
                    value: JsonTpl::Value(v),
                    loc: crate::diag::Loc::default(),
                    secret: false,
                })
                .collect(),
            secrets: Vec::new(),
        })
        .collect())
}

fn csv_rows(text: &str, shown: &str) -> Result<Vec<Vec<(String, serde_json::Value)>>, Diagnostic> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(e, shown))?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(bad) = headers.iter().find(|h| h.is_empty()) {
        return Err(
            Diagnostic::error(format!("{shown}:1: a column has no name ({bad:?})"))
                .help("the first line names the variables, e.g. username,password"),
        );
    }
    // Two columns of one name would be one variable, the second silently winning.
    for (i, name) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|h| h == name) {
            return Err(Diagnostic::error(format!(
                "{shown}:1: the column `{name}` appears twice (columns {} and {})",
                first + 1,
                i + 1
            ))
            .help("each column names one variable: rename or remove one of them"));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(e, shown))?;
        rows.push(
            headers
                .iter()
                .cloned()
                .zip(
                    record
                        .iter()
                        .map(|v| serde_json::Value::String(v.to_string())),
                )
                .collect(),
        );
    }
    Ok(rows)
}

fn csv_error(e: csv::Error, shown: &str) -> Diagnostic {
    let line = e
        .position()
        .map(|p| format!(":{}", p.line()))
        .unwrap_or_default();
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    Diagnostic::error(format!("{shown}{line}: {reason}"))
}

fn json_rows(text: &str, shown: &str) -> Result<Vec<Vec<(String, serde_json::Value)>>, Diagnostic> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::error(format!(
            "{shown}:{}:{}: invalid JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(Diagnostic::error(format!(
            "{shown}: the data file must be a JSON array of objects, one per iteration"
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            serde_json::Value::Object(map) => Ok(map.into_iter().collect()),
            other => Err(Diagnostic::error(format!(
                "{shown}: row {} is {}, not an object",
                i + 1,
                crate::expect::predicate::type_name(&other)
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_and_json_rows() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("rows.csv");
        std::fs::write(&csv, "user, password\nalice,\"a,b\"\nbob,x\n").unwrap();
        let rows = load_rows(&csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].vars[1].name, "password");
        assert!(matches!(&rows[0].vars[1].value, JsonTpl::Value(v) if v == "a,b"));
        let json = dir.path().join("rows.json");
        std::fs::write(&json, r#"[{"n": 1}, {"n": 2}]"#).unwrap();
        assert_eq!(load_rows(&json).unwrap().len(), 2);
        std::fs::write(&csv, "a,b\n1\n").unwrap();
        assert!(
            load_rows(&csv)
                .unwrap_err()
                .message
                .contains("1 fields, the header 2")
        );
        std::fs::write(&json, r#"{"n": 1}"#).unwrap();
        assert!(load_rows(&json).is_err());
        std::fs::write(&csv, "user,password, user\nalice,x,bob\n").unwrap();
        let e = load_rows(&csv).unwrap_err().message;
        assert!(
            e.ends_with("rows.csv:1: the column `user` appears twice (columns 1 and 3)"),
            "{e}"
        );
        std::fs::write(&csv, "user,User\nalice,bob\n").unwrap();
        assert!(
            load_rows(&csv).is_ok(),
            "names differ by case: two variables"
        );
    }
}
