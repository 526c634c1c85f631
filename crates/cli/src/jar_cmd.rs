//! `clientcookie jar list` and `clientcookie jar convert`.

use std::io::Write;

use anyhow::Context as _;
use clientcookie::jar::store::lwp::lwp_cookie_str;
use clientcookie::jar::store::CookieFile;
use clientcookie::jar::{Cookie, CookieJar, Limits};
use url::Url;

use crate::args::JarCommand;
use crate::exit::{Failure, OrExit, Status};
use crate::jarfile;

/// Run a `jar` subcommand.
pub fn run(command: JarCommand) -> Result<(), Failure> {
    match command {
        JarCommand::List { file, url, format } => {
            list(&jarfile::to_read(&file, format), url.as_ref())
        }
        JarCommand::Convert {
            input,
            output,
            from,
            to,
        } => convert(
            &jarfile::to_read(&input, from),
            &jarfile::to_write(&output, to),
        ),
    }
}

/// One cookie a line, as the seed shows a cookie (`LWPCookieJar`'s
/// `Set-Cookie3` form: every attribute, values quoted where needed). With
/// `url`, only the cookies a request to it would carry, in the order of its
/// `Cookie` header, as the jar's default policy decides.
fn list(file: &CookieFile, url: Option<&Url>) -> Result<(), Failure> {
    let cookies = jarfile::read(file).or_exit(Status::Jar)?;
    let shown: Vec<Cookie> = match url {
        None => cookies,
        Some(url) => {
            let mut jar = CookieJar::new();
            for cookie in cookies {
                // An expired cookie is refused here, as it would be sent to no one.
                let _ = jar.set_cookie(cookie);
            }
            jar.explain(url.as_str())
                .context("the URL is not one a cookie can be sent to")
                .or_exit(Status::Usage)?
                .into_iter()
                .filter(|e| e.verdict.is_ok())
                .map(|e| e.cookie)
                .collect()
        }
    };
    let mut out = std::io::stdout().lock();
    for cookie in &shown {
        // A cookie the LWP form cannot hold (a line break in a value, from
        // a JSON file) is shown escaped rather than over two lines.
        let line = lwp_cookie_str(cookie).unwrap_or_else(|| {
            format!(
                "{:?}; domain={:?}; path={:?}",
                cookie.to_string(),
                cookie.dotted_domain(),
                cookie.path
            )
        });
        writeln!(out, "{line}")
            .context("cannot write to standard output")
            .or_exit(Status::Failure)?;
    }
    Ok(())
}

/// Read every cookie of `input` and write them to `output`: session
/// cookies too, not expired ones. The jar in between has no limits: a
/// conversion loses nothing the output format can hold.
fn convert(input: &CookieFile, output: &CookieFile) -> Result<(), Failure> {
    let cookies = jarfile::read(input).or_exit(Status::Jar)?;
    let unlimited = Limits {
        max_cookie_size: usize::MAX,
        max_cookies_per_site: usize::MAX,
        max_cookies: usize::MAX,
    };
    let mut jar = CookieJar::builder().limits(unlimited).build();
    for cookie in cookies {
        // Only an expired cookie is refused here.
        let _ = jar.set_cookie(cookie);
    }
    jarfile::save(&jar, output, true).or_exit(Status::Failure)?;
    Ok(())
}
