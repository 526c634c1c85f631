//! `clientcookie get URL [options]`: load the jar, send one request through
//! the library's [`Opener`] (which follows redirects and Refresh, applies
//! robots.txt, Referer, cookies and `<meta http-equiv>`), stream the body
//! out, save the jar.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal as _, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use clientcookie::jar::{CookieJar, DefaultCookiePolicy, SharedJar};
use clientcookie::layers::referer::{Referrer, ReferrerPolicy};
use clientcookie::{Body, Opener, Response};
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Method, Request};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::GetArgs;
use crate::exit::{Failure, OrExit, Status};
use crate::jarfile;
use crate::verbose;

/// Fetch `args.url` as `args` say.
pub fn run(args: GetArgs) -> Result<(), Failure> {
    if args.verbose {
        verbose::install();
    }
    let jar_file = args
        .jar
        .as_deref()
        .map(|path| jarfile::for_get(path, args.jar_format));

    // The jar is loaded before anything goes out: a bad jar file stops the
    // run (status 5) with the file untouched and nothing sent.
    let mut jar = CookieJar::with_policy(policy(&args));
    if let Some(file) = &jar_file {
        if file.path().exists() {
            jarfile::load(&mut jar, file).or_exit(Status::Jar)?;
        }
    }
    let jar = jar.into_shared();

    let opener = build_opener(&args, jar.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .or_exit(Status::Failure)?;
    let fetched = runtime.block_on(fetch(&opener, &args));

    // Saved after the last request, whatever became of it: the cookies of
    // the hops before a failure are worth keeping, as curl keeps them.
    let saved = match &jar_file {
        Some(file) => {
            // A poisoned lock still holds the cookies, worth saving.
            let jar = jar.lock().unwrap_or_else(|e| e.into_inner());
            jarfile::save(&jar, file, args.keep_session).map(drop)
        }
        None => Ok(()),
    };
    fetched?;
    saved.or_exit(Status::Failure)
}

/// The contract's cookie switches on the jar's default policy.
fn policy(args: &GetArgs) -> DefaultCookiePolicy {
    DefaultCookiePolicy {
        rfc2965: args.rfc2965,
        blocked_domains: args.block_domains.clone(),
        allowed_domains: (!args.allow_domains.is_empty()).then(|| args.allow_domains.clone()),
        ..DefaultCookiePolicy::default()
    }
}

fn build_opener(args: &GetArgs, jar: SharedJar) -> Result<Opener, Failure> {
    let mut builder = Opener::builder()
        .jar(jar)
        .max_redirects(args.max_redirects)
        .redirects(args.max_redirects > 0)
        .refresh(!args.no_refresh)
        .refresh_max_delay(Duration::from_secs(args.refresh_max_delay))
        .robots(args.robots)
        .http_equiv(!args.no_equiv);
    for entry in &args.resolve {
        if args.verbose {
            eprintln!("* resolve {}:{} to {}", entry.host, entry.port, entry.addr);
        }
        builder = builder.resolve(&entry.host, entry.socket_addr());
    }
    builder
        .build()
        .context("cannot set up the HTTP client")
        .or_exit(Status::Failure)
}

/// The request of the command line.
fn request(args: &GetArgs) -> Result<Request<Body>, Failure> {
    let method = match args.data {
        Some(_) => Method::POST,
        None => Method::GET,
    };
    let mut request = Request::builder()
        .method(method)
        .uri(args.url.as_str())
        .body(Body::empty())
        .context("the URL cannot be requested")
        .or_exit(Status::Usage)?;
    let headers = request.headers_mut();
    if let Some(data) = &args.data {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        *request.body_mut() = Body::from(data.clone());
    }
    let headers = request.headers_mut();
    // The user's headers replace the ones set above (a Content-Type of
    // their own for -d); repeated, they are all sent.
    let mut given = Vec::new();
    for (name, value) in &args.headers {
        if given.contains(name) {
            headers.append(name.clone(), value.clone());
        } else {
            headers.insert(name.clone(), value.clone());
            given.push(name.clone());
        }
    }
    if let Some(ua) = &args.user_agent {
        headers.insert(USER_AGENT, ua.clone());
    }
    if let Some(referer) = &args.referer {
        // The page the request is made from. Sent as given (the user typed
        // it), to each hop of the chain, but never from https to http: the
        // referer layer refuses that whatever the policy.
        request.extensions_mut().insert(Referrer(referer.clone()));
        request.extensions_mut().insert(ReferrerPolicy::UnsafeUrl);
    }
    Ok(request)
}

async fn fetch(opener: &Opener, args: &GetArgs) -> Result<(), Failure> {
    let request = request(args)?;
    if args.verbose {
        eprintln!("> {} {}", request.method(), request.uri());
    }
    let mut response = opener.request(request).await.map_err(http_failure)?;
    if args.verbose {
        eprintln!("< {} ({})", status_line(&response), response.url());
    }

    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::with_capacity(64 * 1024, create(path)?)),
        None => Box::new(BufWriter::with_capacity(64 * 1024, io::stdout().lock())),
    };
    // A progress bar only for a file, and only for a person watching.
    let progress = (args.output.is_some() && io::stderr().is_terminal())
        .then(|| progress_bar(response.content_length()));
    let written = copy(&mut response, &mut out, args.include, progress.as_ref()).await;
    if let Some(bar) = progress {
        bar.finish();
    }
    match written {
        Ok(()) => Ok(()),
        Err(Copy::Http(error)) => Err(http_failure(error)),
        // A reader that has seen enough (`clientcookie get URL | head`)
        // is not a failure.
        Err(Copy::Write(e)) if args.output.is_none() && e.kind() == io::ErrorKind::BrokenPipe => {
            Ok(())
        }
        Err(Copy::Write(e)) => {
            let what = match &args.output {
                Some(path) => format!("cannot write {}", path.display()),
                None => "cannot write to standard output".to_owned(),
            };
            Err(Failure::new(
                Status::Failure,
                anyhow::Error::new(e).context(what),
            ))
        }
    }
}

/// What stopped a copy of the body.
enum Copy {
    Http(clientcookie::Error),
    Write(io::Error),
}

/// The head (with `include`), then the body, chunk by chunk as it arrives:
/// memory stays at one chunk and the writer's buffer, whatever the size.
async fn copy(
    response: &mut Response,
    out: &mut dyn Write,
    include: bool,
    progress: Option<&ProgressBar>,
) -> Result<(), Copy> {
    if include {
        write_head(out, response).map_err(Copy::Write)?;
    }
    while let Some(chunk) = response.chunk().await.map_err(Copy::Http)? {
        out.write_all(&chunk).map_err(Copy::Write)?;
        if let Some(bar) = progress {
            bar.inc(chunk.len() as u64);
        }
    }
    out.flush().map_err(Copy::Write)
}

fn create(path: &Path) -> Result<File, Failure> {
    File::create(path)
        .with_context(|| format!("cannot create {}", path.display()))
        .or_exit(Status::Failure)
}

/// The contract's statuses for what the library reports.
fn http_failure(error: clientcookie::Error) -> Failure {
    let status = if error.is_robots_denied() {
        Status::Robots
    } else if error.is_builder() || error.is_io() {
        Status::Failure
    } else {
        // Network errors, redirect loops, too many redirects, and redirects
        // that cannot be followed: the exchange with the server failed.
        Status::Network
    };
    Failure::new(status, error)
}

/// `HTTP/1.1 200 OK`.
fn status_line(response: &Response) -> String {
    let status = response.status();
    format!(
        "{:?} {} {}",
        response.version(),
        status.as_str(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// The status line and headers as they came (values as raw bytes), then a
/// blank line.
fn write_head(out: &mut dyn Write, response: &Response) -> io::Result<()> {
    write!(out, "{}\r\n", status_line(response))?;
    for (name, value) in response.headers() {
        out.write_all(name.as_str().as_bytes())?;
        out.write_all(b": ")?;
        out.write_all(value.as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    out.write_all(b"\r\n")
}

fn progress_bar(length: Option<u64>) -> ProgressBar {
    match length {
        Some(length) => {
            let bar = ProgressBar::new(length);
            bar.set_style(
                ProgressStyle::with_template(
                    "{wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }
        None => {
            let spinner = ProgressBar::new_spinner();
            spinner.set_style(
                ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            spinner
        }
    }
}
