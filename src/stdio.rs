//! Standard output and error as a command-line tool uses them: a reader that went away (a
//! closed pipe: `baton run … | head -1`) ends what is printed, not the process, which exits
//! with the run's own code; any other failure to write (a full disk) is kept, and `finish`
//! says so and makes the exit code an error. `println!` panics on either (exit 101).
//!
//! Print with `outln!`, `out!` and `errln!`; give reporters `Quiet::stdout()` or
//! `Quiet::stderr()`.

use std::io::{self, Write};
use std::sync::Mutex;

/// The first failure to write that was not a closed pipe: which stream, and why.
static FAILED: Mutex<Option<(&'static str, io::ErrorKind, String)>> = Mutex::new(None);

fn note(stream: &'static str, e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return;
    }
    if let Ok(mut failed) = FAILED.lock() {
        failed.get_or_insert_with(|| (stream, e.kind(), e.to_string()));
    }
}

/// A writer to stdout or stderr that never fails: what cannot be written is dropped (and
/// noted, unless the reader closed the pipe).
pub(crate) struct Quiet {
    stream: &'static str,
}

impl Quiet {
    pub(crate) fn stdout() -> Quiet {
        Quiet { stream: "stdout" }
    }

    pub(crate) fn stderr() -> Quiet {
        Quiet { stream: "stderr" }
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn Write) -> io::Result<T>) -> io::Result<T> {
        if self.stream == "stdout" {
            f(&mut io::stdout().lock())
        } else {
            f(&mut io::stderr().lock())
        }
    }
}

impl Write for Quiet {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // All or nothing: a reporter's `writeln!` must not loop on a dead pipe.
        match self.with(|w| w.write_all(buf)) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                note(self.stream, &e);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Err(e) = self.with(|w| w.flush()) {
            note(self.stream, &e);
        }
        Ok(())
    }
}

/// Prints to stdout (`print!` that survives a closed pipe).
#[doc(hidden)]
pub(crate) fn out(args: std::fmt::Arguments) {
    let _ = Quiet::stdout().write_fmt(args);
}

/// Prints to stderr (`eprint!` that survives a closed pipe).
#[doc(hidden)]
pub(crate) fn err(args: std::fmt::Arguments) {
    let _ = Quiet::stderr().write_fmt(args);
}

/// `println!`, without the panic on a closed or failing stdout.
#[macro_export]
macro_rules! outln {
    () => { $crate::stdio::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdio::out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!`, without the panic on a closed or failing stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdio::out(format_args!($($arg)*)) };
}

/// `eprintln!`, without the panic on a closed or failing stderr.
#[macro_export]
macro_rules! errln {
    () => { $crate::stdio::err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdio::err(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The exit code once everything is printed: `code`, or an error code when stdout or
/// stderr could not be written for another reason than a closed pipe (what was not
/// written is lost: the run did not do what was asked). A closed pipe changes nothing.
pub(crate) fn finish(code: i32) -> i32 {
    let _ = Quiet::stdout().flush();
    let failed = FAILED.lock().ok().and_then(|mut f| f.take());
    match failed {
        None => code,
        Some((stream, _, why)) => {
            errln!("error: cannot write to {stream}: {why}");
            output_failed(code)
        }
    }
}

/// The exit code of a run an output of which (stdout, a report file) could not be
/// written: that output was asked for on the command line, so it is invalid input (2),
/// which wins over a request not made (3) and a failed expectation (1). An interrupted
/// run keeps its 130.
pub(crate) fn output_failed(code: i32) -> i32 {
    use crate::exit::{INTERRUPTED, INVALID_INPUT};
    if code == INTERRUPTED {
        code
    } else {
        crate::exit::worst(code, INVALID_INPUT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_not_a_failure_and_other_errors_are_kept_once() {
        note("stdout", &io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(FAILED.lock().unwrap().is_none());
        note("stdout", &io::Error::from(io::ErrorKind::StorageFull));
        note("stderr", &io::Error::from(io::ErrorKind::Other));
        assert_eq!(
            FAILED.lock().unwrap().as_ref().map(|f| (f.0, f.1)),
            Some(("stdout", io::ErrorKind::StorageFull))
        );
        assert_eq!(finish(crate::exit::OK), crate::exit::INVALID_INPUT);
        assert_eq!(finish(crate::exit::OK), crate::exit::OK, "reported once");
        use crate::exit::*;
        let after: Vec<i32> = [
            OK,
            EXPECTATION_FAILED,
            INVALID_INPUT,
            REQUEST_FAILED,
            INTERRUPTED,
        ]
        .into_iter()
        .map(output_failed)
        .collect();
        assert_eq!(after, [2, 2, 2, 2, 130]);
    }
}
