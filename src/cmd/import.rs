//! The front end of `baton import`: read the inputs, call the importer, write its files
//! atomically (never over existing ones without `--force`), and print the report.

use crate::diag::display_path;
use crate::exit;
use crate::fsutil::write_atomic;
use crate::import::{Warning, curl, postman};
use std::path::{Path, PathBuf};

/// `baton import postman COLLECTION.json [--env ENV.json] -o DIR [--keep-secrets] [--force]`.
#[derive(Debug, Clone)]
pub struct PostmanOptions {
    pub collection: PathBuf,
    pub env: Option<PathBuf>,
    pub out: PathBuf,
    pub keep_secrets: bool,
    pub force: bool,
}

/// `baton import curl 'curl …' [-o FILE] [--keep-secrets] [--force]` (`-` reads the
/// command from stdin).
#[derive(Debug, Clone)]
pub struct CurlOptions {
    pub command: String,
    pub out: Option<PathBuf>,
    pub keep_secrets: bool,
    pub force: bool,
}

fn read(path: &Path, what: &str) -> Result<String, i32> {
    crate::fsutil::read_to_string(path, crate::fsutil::MAX_INPUT).map_err(|e| {
        crate::errln!(
            "error: cannot read the {what} {}: {}",
            display_path(path),
            crate::fsutil::io_reason(&e)
        );
        exit::INVALID_INPUT
    })
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        crate::errln!("warning: {w}");
    }
}

pub(crate) fn postman(o: &PostmanOptions) -> i32 {
    let collection = match read(&o.collection, "collection") {
        Ok(t) => t,
        Err(code) => return code,
    };
    let env = match o.env.as_deref().map(|p| read(p, "environment")).transpose() {
        Ok(e) => e,
        Err(code) => return code,
    };
    let options = postman::Options {
        keep_secrets: o.keep_secrets,
    };
    let imported = match postman::import(&collection, env.as_deref(), &options) {
        Ok(i) => i,
        Err(e) => {
            crate::errln!("error: {}: {e}", display_path(&o.collection));
            return exit::INVALID_INPUT;
        }
    };
    let files: Vec<(PathBuf, String)> = imported
        .files
        .iter()
        .map(|(rel, text)| (o.out.join(rel), with_modeline(&o.out.join(rel), text)))
        .collect();
    if let Err(code) = write_files(&files, o.force) {
        return code;
    }
    let shown = |p: &Path| display_path(&o.out.join(p));
    crate::outln!(
        "imported '{}' (Postman v{}) into {}",
        imported.collection,
        imported.version,
        display_path(&o.out)
    );
    let width = imported
        .files
        .iter()
        .map(|(p, _)| shown(p).len())
        .max()
        .unwrap_or(0);
    for (path, _) in &imported.files {
        let what = match imported.per_file.iter().find(|(p, _)| p == path) {
            Some((_, n)) => format!("{n} request{}", plural(*n)),
            None if path.extension().is_some_and(|e| e == "md") => {
                "what was converted, and what needs a person".to_string()
            }
            None => format!(
                "environment (-e {})",
                imported.environment.as_deref().unwrap_or("")
            ),
        };
        crate::outln!("  {:width$}  {what}", shown(path));
    }
    print_warnings(&imported.warnings);
    let tokens = match imported.token_requests {
        0 => String::new(),
        n => format!(
            " (and {n} oauth2 request{} from OAuth 2.0 helpers and token fetches)",
            plural(n)
        ),
    };
    // MIGRATION.md is a note for people, not a file `baton run` reads.
    let yaml = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "yaml"))
        .count();
    crate::outln!(
        "{} file{}, {} request{}{tokens}, {} capture{}, {} expectation{}, {} warning{}",
        yaml,
        plural(yaml),
        imported.requests,
        plural(imported.requests),
        imported.captures,
        plural(imported.captures),
        imported.expectations,
        plural(imported.expectations),
        imported.warnings.len(),
        plural(imported.warnings.len()),
    );
    crate::outln!("{}", imported.scripts);
    for (from, to) in &imported.renames {
        crate::outln!("renamed variable `{from}` → `{to}` (baton names are identifiers)");
    }
    if !imported.secret_env.is_empty() {
        crate::outln!(
            "secrets are read from the process environment: export {} (or put them in a .env file that git ignores)",
            imported
                .secret_env
                .iter()
                .map(|(n, _)| format!("{n}=..."))
                .collect::<Vec<_>>()
                .join(" ")
        );
        // Which value went where and why: a guess from a name can be wrong, and the user
        // should see it before exporting variables that were never secret.
        let width = imported
            .secret_env
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, why) in &imported.secret_env {
            crate::outln!("  {name:width$}  {why}");
        }
    }
    let env_arg = imported
        .environment
        .as_deref()
        .map(|e| format!(" -e {e}"))
        .unwrap_or_default();
    crate::outln!("next: baton check {}{env_arg}", display_path(&o.out));
    exit::OK
}

pub(crate) fn curl(o: &CurlOptions) -> i32 {
    let command = if o.command == "-" {
        let read =
            crate::fsutil::read_all(std::io::stdin(), crate::fsutil::MAX_INPUT).and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
                })
            });
        match read {
            Ok(text) => text,
            Err(e) => {
                crate::errln!("error: cannot read the command from stdin: {e}");
                return exit::INVALID_INPUT;
            }
        }
    } else {
        o.command.clone()
    };
    let options = curl::Options {
        keep_secrets: o.keep_secrets,
    };
    let imported = match curl::import_with(&command, &options) {
        Ok(i) => i,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    print_warnings(&imported.warnings);
    if !imported.moved.is_empty() {
        let exports: Vec<String> = imported
            .moved
            .iter()
            .map(|m| format!("{}=...", m.env))
            .collect();
        let what: Vec<&str> = imported.moved.iter().map(|m| m.what.as_str()).collect();
        crate::errln!(
            "secrets are read from the process environment: export {} ({} moved out of the request; --keep-secrets keeps them)",
            exports.join(" "),
            what.join(", ")
        );
    }
    let yaml = curl::to_yaml(&imported);
    match &o.out {
        None => crate::out!("{yaml}"),
        Some(path) => {
            let text = with_modeline(path, &yaml);
            if let Err(code) = write_files(&[(path.clone(), text)], o.force) {
                return code;
            }
            crate::errln!("wrote {}", display_path(path));
        }
    }
    exit::OK
}

/// Refuse to replace files unless forced, then write every file atomically.
fn write_files(files: &[(PathBuf, String)], force: bool) -> Result<(), i32> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| display_path(p))
        .collect();
    if !existing.is_empty() && !force {
        crate::errln!(
            "error: {} already exist{}: {}",
            if existing.len() == 1 {
                "a file"
            } else {
                "files"
            },
            if existing.len() == 1 { "s" } else { "" },
            existing.join(", ")
        );
        crate::errln!("  = help: import into another directory, or give --force to replace them");
        return Err(exit::INVALID_INPUT);
    }
    for (path, text) in files {
        if let Err(e) = write_atomic(path, text.as_bytes(), false) {
            crate::errln!(
                "error: cannot write {}: {}",
                display_path(path),
                crate::fsutil::io_reason(&e)
            );
            return Err(exit::INVALID_INPUT);
        }
    }
    Ok(())
}

/// The `yaml-language-server` modeline, when `schema/` is found above the file: editors
/// then complete and check the keys.
fn with_modeline(path: &Path, text: &str) -> String {
    if path.extension().is_none_or(|e| e != "yaml") {
        return text.to_string();
    }
    let is_env = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "environments");
    let schema = if is_env {
        "environment.schema.json"
    } else {
        "collection.schema.json"
    };
    let Some(dir) = absolute(path).and_then(|p| p.parent().map(Path::to_path_buf)) else {
        return text.to_string();
    };
    let mut up = PathBuf::new();
    for ancestor in dir.ancestors() {
        if ancestor.join("schema").join(schema).is_file() {
            let rel = up.join("schema").join(schema);
            let rel = rel.to_string_lossy().replace('\\', "/");
            return format!("# yaml-language-server: $schema={rel}\n{text}");
        }
        up.push("..");
    }
    text.to_string()
}

fn absolute(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        std::env::current_dir().ok().map(|d| d.join(path))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
