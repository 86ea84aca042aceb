//! Files, in one place. Writing so that nothing the user had is lost: a temporary file in
//! the same directory, fsync, then rename over the target (readers see the old file or the
//! new one, never half of one), with the mode set before any byte is written. Reading only
//! regular files, each with a cap (`read`). Walking directories, each once (`walk`).

mod read;
mod walk;

pub(crate) use read::{
    Capped, MAX_BODY, MAX_COLLECTION, MAX_INPUT, io_reason, kind_problem, open, read_to_string,
};
pub use read::{read, read_all};
pub(crate) use walk::{Filter, Walker};

use std::io::Write;
use std::path::Path;

/// Write baton's own state (`.baton/tokens.json`, `.baton/state.json`): atomically, readable
/// by its owner only, with a `.gitignore` beside it the first time so that tokens and kept
/// values never reach a commit.
pub(crate) fn write_state(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic(path, bytes, true)?;
    if let Some(dir) = path.parent() {
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            write_atomic(
                &ignore,
                b"# baton's state: tokens and kept values, never to be committed\n*\n",
                false,
            )?;
        }
    }
    Ok(())
}

/// Write `bytes` to `path` atomically. `private` makes the file readable by its owner only
/// (state holding tokens).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| {
        // `create_dir_all` over a file says "File exists", which names nothing.
        let why = match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => "it is a file, not a directory".to_string(),
            _ => e.to_string(),
        };
        std::io::Error::new(
            e.kind(),
            format!("cannot make its directory {}: {why}", dir.display()),
        )
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/state.json");
        write_atomic(&p, b"one", true).unwrap();
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
