//! The capped reader every file and stream of baton goes through (`fsutil::read_all`, the
//! special-file guard's last line): for any cap and any way the source hands out its bytes
//! (short reads, interruptions), it gives the bytes whole when they fit and refuses them
//! when one byte more than the cap follows; the same bytes as a regular file read through
//! `fsutil::read` agree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::{self, Read};

/// A source that hands out at most `step` bytes a read, and is interrupted every so often.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
    calls: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 7 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    let (head, data) = input.split_at(input.len().min(2));
    let cap = head.first().copied().unwrap_or(0) as u64 * 4;
    let step = head.get(1).copied().unwrap_or(1).max(1) as usize;
    let got = baton::read_all(Trickle { data, step, calls: 0 }, cap);
    match got {
        Ok(bytes) => {
            assert!(data.len() as u64 <= cap, "read {} bytes past a cap of {cap}", data.len());
            assert_eq!(bytes, data);
        }
        Err(e) => {
            assert!(data.len() as u64 > cap, "refused {} bytes under a cap of {cap}: {e}", data.len());
            assert!(e.to_string().contains("the most baton reads"), "{e}");
        }
    }
    // The same bytes as a file on disk.
    let dir = std::env::temp_dir().join(format!("baton-fuzz-read-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("f");
    if std::fs::write(&path, data).is_ok() {
        let from_disk = baton::read_capped(&path, cap);
        assert_eq!(from_disk.is_ok(), data.len() as u64 <= cap);
        if let Ok(bytes) = from_disk {
            assert_eq!(bytes, data);
        }
    }
});
