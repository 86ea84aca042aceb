//! Importers: Postman collections (v2.0, v2.1) and environments, and cURL command lines,
//! turned into baton collections. They return the files to write and what happened; the
//! command front end (`cmd/import.rs`) writes them and prints the report. Like xh's `to_curl`,
//! conversion returns warnings for what it cannot carry over instead of failing: a script
//! line, an auth type, a setting; none is dropped silently.

pub(crate) mod curl;
mod curl_body;
mod curl_flags;
pub(crate) mod curl_secrets;
pub(crate) mod names;
pub(crate) mod out;
pub(crate) mod postman;
pub(crate) mod yaml;

use std::fmt;

/// Something the importer could not carry over exactly, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// `users.yaml: request 'Get user' (test script, line 7)`.
    pub place: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.place, self.message)
        }
    }
}

/// Why an import could not be made at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{what} is not valid JSON: {reason} (line {line}, column {column})")]
    Json {
        what: String,
        reason: String,
        line: usize,
        column: usize,
    },
    #[error("{0}")]
    Shape(String),
    #[error("{0}")]
    Curl(String),
}

/// Parse JSON text, or say where it is broken.
pub(crate) fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| ImportError::Json {
        what: what.to_string(),
        reason: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
        line: e.line(),
        column: e.column(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_the_line_and_column() {
        match parse_json("{\n  \"a\": [1,\n}", "the collection") {
            Err(ImportError::Json {
                what,
                line,
                column,
                reason,
            }) => {
                assert_eq!((what.as_str(), line, column), ("the collection", 3, 1));
                assert!(!reason.contains("at line"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A byte-order mark, as some Windows tools write, is not an error.
        assert!(parse_json("\u{feff}{}", "x").is_ok());
    }

    #[test]
    fn warnings_show_their_place_first() {
        let w = Warning {
            place: "a.yaml: request 'x'".into(),
            message: "m".into(),
        };
        assert_eq!(w.to_string(), "a.yaml: request 'x': m");
        let w = Warning {
            place: String::new(),
            message: "m".into(),
        };
        assert_eq!(w.to_string(), "m");
    }
}
