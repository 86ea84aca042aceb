//! Exit codes, in one place. When several apply, the highest in this order wins:
//! invalid input (2), then a request that could not be made (3), then a failed
//! expectation (1).

/// Every request passed (or `check` found nothing wrong).
pub(crate) const OK: i32 = 0;
/// At least one expectation or capture did not hold.
pub(crate) const EXPECTATION_FAILED: i32 = 1;
/// The input is invalid: YAML, the collection model, a template, an environment, or the
/// command line. Nothing was sent, or the request that needed it was not.
pub(crate) const INVALID_INPUT: i32 = 2;
/// A request could not be made: connection refused, DNS, TLS, timeout, body over the cap.
pub(crate) const REQUEST_FAILED: i32 = 3;
/// Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
pub(crate) const INTERRUPTED: i32 = 130;

/// The exit code that wins of two, in the order above; codes other than 0–3 are left out.
pub(crate) fn worst(a: i32, b: i32) -> i32 {
    let rank = |c: i32| match c {
        INVALID_INPUT => 3,
        REQUEST_FAILED => 2,
        EXPECTATION_FAILED => 1,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}
