//! The token cache across runs (`--save`, `baton token`): tokens by issuer, client, grant
//! and scope in `.baton/tokens.json` (mode 0600, written atomically, never tracked by git),
//! so a refresh token survives between runs as Postman's "current value" does.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the state lives: `$BATON_STATE_DIR`, else `.baton/` in the working directory.
pub(crate) fn state_dir() -> PathBuf {
    std::env::var_os("BATON_STATE_DIR").map_or_else(|| PathBuf::from(".baton"), PathBuf::from)
}

pub(crate) fn default_path() -> PathBuf {
    state_dir().join("tokens.json")
}

/// One cached token set.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct Entry {
    pub issuer: String,
    pub client_id: String,
    pub grant: String,
    pub scope: String,
    /// Whom the token is for, when the request names them (see `key`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// The token response, with `expires_at` (unix seconds) added.
    pub tokens: Value,
    pub saved_at: i64,
}

impl Entry {
    pub(crate) fn access_token(&self) -> Option<&str> {
        self.tokens.get("access_token").and_then(Value::as_str)
    }
    pub(crate) fn refresh_token(&self) -> Option<&str> {
        self.tokens.get("refresh_token").and_then(Value::as_str)
    }
    pub(crate) fn expires_at(&self) -> Option<i64> {
        self.tokens.get("expires_at").and_then(Value::as_i64)
    }
    /// Still usable `skew` seconds from `now`.
    pub(crate) fn fresh(&self, now: i64, skew: i64) -> bool {
        self.access_token().is_some() && self.expires_at().is_none_or(|t| t - skew > now)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct TokenCache {
    pub version: u32,
    pub tokens: BTreeMap<String, Entry>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    #[error("cannot read the token cache {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot write the token cache {path}: {reason}")]
    Write { path: String, reason: String },
}

/// The cache key: what makes two tokens interchangeable. `user` is whom the token is for
/// when the request says (a password grant's username, the login of a headless sign-in),
/// `target` its audience and resource: tokens for two people, or two APIs, are not.
pub(crate) fn key(
    issuer: &str,
    client_id: &str,
    grant: &str,
    scope: &str,
    user: &str,
    target: &str,
) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(
        format!("{issuer}\n{client_id}\n{grant}\n{scope}\n{user}\n{target}").as_bytes(),
    );
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

impl TokenCache {
    /// The cache at `path`; an absent file is an empty cache. A corrupt one is an error
    /// (never silently replaced: the user may want what is in it).
    pub(crate) fn load(path: &Path) -> Result<TokenCache, CacheError> {
        match crate::fsutil::read(path, crate::fsutil::MAX_INPUT) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CacheError::Read {
                path: path.display().to_string(),
                reason: format!("{e} (delete it, or run `baton token --clear`)"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TokenCache {
                version: 1,
                tokens: BTreeMap::new(),
            }),
            Err(e) => Err(CacheError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Write the whole cache atomically, readable by its owner only, and make sure git
    /// ignores the state directory.
    pub(crate) fn save(&self, path: &Path) -> Result<(), CacheError> {
        let err = |e: std::io::Error| CacheError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        crate::fsutil::write_state(path, &bytes).map_err(err)?;
        Ok(())
    }

    /// Merge `entries` into the cache on disk (read, update, write), so that two runs saving
    /// different tokens both keep theirs; the same key is last-writer-wins.
    pub(crate) fn update(path: &Path, entries: Vec<(String, Entry)>) -> Result<(), CacheError> {
        // Runs saving at once take turns (an advisory lock beside the file), so each one's
        // read-update-write sees the others' tokens; the write itself is atomic either way.
        let err = |e: std::io::Error| CacheError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("tokens.lock"))
            .map_err(err)?;
        lock.lock().map_err(err)?;
        let mut cache = TokenCache::load(path).unwrap_or_default();
        cache.version = 1;
        for (k, e) in entries {
            cache.tokens.insert(k, e);
        }
        let saved = cache.save(path);
        let _ = lock.unlock();
        saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_merges() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".baton/tokens.json");
        assert!(TokenCache::load(&path).unwrap().tokens.is_empty());
        let e = |t: &str| Entry {
            issuer: "i".into(),
            client_id: "c".into(),
            grant: "password".into(),
            scope: "s".into(),
            user: String::new(),
            tokens: serde_json::json!({"access_token": t, "expires_at": 100}),
            saved_at: 1,
        };
        TokenCache::update(&path, vec![("a".into(), e("one"))]).unwrap();
        TokenCache::update(&path, vec![("b".into(), e("two"))]).unwrap();
        let c = TokenCache::load(&path).unwrap();
        assert_eq!(c.tokens.len(), 2);
        assert_eq!(c.tokens["a"].access_token(), Some("one"));
        assert!(c.tokens["a"].fresh(50, 30));
        assert!(!c.tokens["a"].fresh(80, 30));
        assert!(path.parent().unwrap().join(".gitignore").exists());
        assert_ne!(
            key("i", "c", "password", "s", "alice", ""),
            key("i", "c", "password", "s", "bob", "")
        );
        std::fs::write(&path, "{ not json").unwrap();
        assert!(
            TokenCache::load(&path)
                .unwrap_err()
                .to_string()
                .contains("--clear")
        );
    }
}
