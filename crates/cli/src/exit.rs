//! Exit statuses of the contract, and errors that carry theirs.
//!
//! Every failure the contract names has its own status; the code that knows
//! which one it is (loading a jar, sending a request) tags the error there,
//! and `main` only prints it and exits.

use std::fmt;
use std::process::ExitCode;

/// The exit statuses of `clientcookie`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A response was received (any HTTP status), or a `jar` command
    /// succeeded.
    Success = 0,
    /// Anything the contract does not name: an output file that cannot be
    /// written, a jar that cannot be saved.
    Failure = 1,
    /// The command line is wrong.
    Usage = 2,
    /// robots.txt refused the URL (`--robots`).
    Robots = 3,
    /// Network error, redirect loop or too many redirects.
    Network = 4,
    /// A jar file is unreadable or malformed; it is left untouched.
    Jar = 5,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// An error and the exit status it means.
#[derive(Debug)]
pub struct Failure {
    /// The status to exit with.
    pub status: Status,
    /// What went wrong (printed with its causes).
    pub error: anyhow::Error,
}

impl Failure {
    /// `error`, exiting with `status`.
    pub fn new(status: Status, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            status,
            error: error.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` prints anyhow's chain of causes on one line.
        write!(f, "{:#}", self.error)
    }
}

/// Tag an error with its exit status, as `anyhow::Context` tags it with a
/// message.
pub trait OrExit<T> {
    /// On error, a [`Failure`] with `status`.
    fn or_exit(self, status: Status) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> OrExit<T> for Result<T, E> {
    fn or_exit(self, status: Status) -> Result<T, Failure> {
        self.map_err(|e| Failure::new(status, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn a_failure_prints_its_whole_chain_of_causes() {
        let err: Result<(), _> = Err(std::io::Error::other("disk full"));
        let failure = err.context("cannot write out.bin").or_exit(Status::Failure);
        let failure = failure.unwrap_err();
        assert_eq!(failure.status, Status::Failure);
        assert_eq!(failure.to_string(), "cannot write out.bin: disk full");
    }

    #[test]
    fn statuses_are_the_numbers_of_the_contract() {
        let codes = [
            Status::Success,
            Status::Failure,
            Status::Usage,
            Status::Robots,
            Status::Network,
            Status::Jar,
        ]
        .map(|s| s as u8);
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
    }
}
