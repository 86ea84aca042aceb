//! When a run stops early: `--max-time` (a deadline for the whole run) and `--bail` (the
//! first failure). The requests a stop prevents are reported as skipped with its reason, so
//! that passed, failed and skipped add up to the requests the run was asked to make; waits
//! (`delay_ms`, a retry's interval) end at the deadline instead of outliving it.

use super::Runner;
use super::stop::Stop;
use crate::collection::model::Request;
use crate::diag::{Diagnostic, SourceFile};
use crate::event::{SKIPPED_BY_BAIL, SKIPPED_BY_MAX_TIME};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// After the deadline, how long a request in flight keeps to end on its own: `Http` ends
/// its hops at the deadline with a message naming the URL, which is worth a moment.
const GRACE: Duration = Duration::from_millis(500);

/// How a wait (`delay_ms`, a retry's interval) ended.
pub(super) enum Waited {
    /// The time passed.
    Done,
    /// Ctrl-C came first.
    Interrupted,
    /// The run's deadline came first: the request after the wait cannot be made.
    OutOfTime,
}

impl Runner<'_> {
    /// Why the run makes no more requests, if it does not: its time is up, or an earlier
    /// request failed under --bail (in any file, with --jobs). Ctrl-C is not a reason here:
    /// an interrupted run reports what ran and ends at once.
    pub(super) fn stop_reason(&self) -> Option<&'static str> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(SKIPPED_BY_MAX_TIME)
        } else if self.options.bail && self.failed.load(Ordering::Relaxed) {
            Some(SKIPPED_BY_BAIL)
        } else {
            None
        }
    }

    /// Notes that a request failed, for --bail (other files' threads read it too).
    pub(super) fn note_failure(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    /// Waits `time` unless Ctrl-C or the run's deadline comes first. A delay that would end
    /// past the deadline waits until the deadline (the run then stops as it would there); a
    /// retry's interval that would is not waited at all (`give_up_early`): the request
    /// already has an outcome, and the next attempt could not be made.
    pub(super) async fn wait(&self, time: Duration, give_up_early: bool) -> Waited {
        let until = Instant::now() + time;
        let (until, cut) = match self.deadline {
            Some(d) if d <= until && give_up_early => return Waited::OutOfTime,
            Some(d) if d <= until => (d, true),
            _ => (until, false),
        };
        tokio::select! {
            () = tokio::time::sleep_until(until.into()) => {
                if cut { Waited::OutOfTime } else { Waited::Done }
            }
            () = self.cancel.cancelled() => Waited::Interrupted,
        }
    }

    /// Resolves a moment after the run's deadline (never without --max-time): the backstop
    /// for what `Http` does not bound, such as an oauth2 flow polling for a device approval
    /// or waiting for a browser's redirect.
    pub(super) async fn out_of_time(&self) {
        match self.deadline {
            Some(d) => tokio::time::sleep_until((d + GRACE).into()).await,
            None => std::future::pending().await,
        }
    }

    /// Why a request the deadline ended from outside stopped (see `out_of_time`).
    pub(super) fn cut_by_deadline(&self, file: &Arc<SourceFile>, req: &Request) -> Stop {
        let limit = self.options.max_time.unwrap_or_default();
        let d = Diagnostic::error(format!(
            "the run reached --max-time ({}) before this request ended",
            crate::http::short_duration(&limit)
        ));
        Stop::Network(
            d.at(file, req.loc)
                .label("this request")
                .help("raise --max-time if the run is just long"),
        )
    }
}
