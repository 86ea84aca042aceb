//! Reading the files a user names: regular files only, each with a cap the error states. A
//! FIFO would block `open` forever, and `/dev/zero` or `/dev/urandom` never end while their
//! size reads as 0; a file is looked at before it is opened, and again once open, in case
//! it was replaced in between.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The most baton reads of a collection (the YAML parser's budget for scalar text).
pub(crate) const MAX_COLLECTION: u64 = 256 << 20;
/// The most baton reads of a file sent as a request body (`file:`, a multipart file).
pub(crate) const MAX_BODY: u64 = 256 << 20;
/// The most baton reads of any other input: an environment, a `.env`, a data file, a
/// report, a Postman export, a certificate, a key, the token cache, standard input.
pub(crate) const MAX_INPUT: u64 = 64 << 20;

/// `256 MiB`, `64 KiB`, `12 bytes`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The error for a file larger than `max`.
pub(super) fn too_big(max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "it is larger than {}, the most baton reads from it",
            size(max)
        ),
    )
}

/// Why `path` is not a regular file baton can read, if it is not (without opening it: a FIFO
/// would block): what it is, or why it cannot be looked at.
pub(crate) fn kind_problem(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) => Some(not_regular(&m).to_string()),
        Err(e) => Some(super::io_reason(&e)),
    }
}

/// The error for what is not a regular file, naming what it is.
fn not_regular(meta: &Metadata) -> io::Error {
    let ft = meta.file_type();
    if ft.is_dir() {
        return io::Error::new(io::ErrorKind::IsADirectory, "it is a directory, not a file");
    }
    let mut what = "not a regular file";
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            what = "a FIFO (named pipe)";
        } else if ft.is_char_device() {
            what = "a character device";
        } else if ft.is_block_device() {
            what = "a block device";
        } else if ft.is_socket() {
            what = "a socket";
        }
    }
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    )
}

/// A reader that fails once it has given `max` bytes and more follow.
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
    max: u64,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, max: u64) -> Capped<R> {
        Capped {
            inner,
            left: max,
            max,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // At the cap: the end of the file is fine, one byte more is not.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(too_big(self.max)),
            };
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Opens `path` for reading if it is a regular file of at most `max` bytes; reading past
/// `max` fails (a file that grows, or one whose size is not what it holds, as in /proc).
/// Never blocks: the type is known before `open`.
pub(crate) fn open(path: &Path, max: u64) -> io::Result<Capped<File>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > max {
        return Err(too_big(max));
    }
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(Capped::new(file, max))
}

/// The bytes of the regular file at `path`, at most `max` of them (see `open`).
pub fn read(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let mut file = open(path, max)?;
    let len = file.inner.metadata().map_or(0, |m| m.len()).min(max);
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `read` as UTF-8 text.
pub(crate) fn read_to_string(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read(path, max)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// All of a stream (standard input), at most `max` bytes of it.
pub fn read_all(reader: impl Read, max: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    Capped::new(reader, max).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why a file could not be read or written, as a user reads it (the usual two without
/// the OS error number).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read(&p, 5).unwrap(), b"12345");
        let e = read(&p, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            e.to_string(),
            "it is larger than 4 bytes, the most baton reads from it"
        );
        assert_eq!(read_all(&b"12345"[..], 5).unwrap(), b"12345");
        assert!(read_all(&b"123456"[..], 5).is_err());
        assert_eq!(size(MAX_INPUT), "64 MiB");
        let e = read(dir.path(), 5).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory, not a file");
        std::fs::write(&p, b"\xff").unwrap();
        assert!(
            read_to_string(&p, 5)
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_fifos_without_blocking() {
        let e = read(Path::new("/dev/zero"), MAX_INPUT).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a character device, not a regular file"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read(&fifo, MAX_INPUT).unwrap_err();
            assert_eq!(
                e.to_string(),
                "it is a FIFO (named pipe), not a regular file"
            );
        }
        // A file whose size says 0 but which holds more (as in /proc) stops at the cap.
        if let Ok(text) = read(Path::new("/proc/self/status"), MAX_INPUT) {
            assert!(!text.is_empty());
            assert!(read(Path::new("/proc/self/status"), 8).is_err());
        }
    }
}
