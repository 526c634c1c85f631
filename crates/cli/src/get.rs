//! `clientcookie get URL [options]`.

use crate::args::GetArgs;
use crate::exit::Failure;

/// Fetch the URL as `args` say.
pub fn run(args: GetArgs) -> Result<(), Failure> {
    let _ = args;
    Ok(())
}
