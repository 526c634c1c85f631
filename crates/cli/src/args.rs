//! The command line, exactly as the contract in the CLI's issue states it.
//! Values are checked here, while parsing, so that a malformed one is a
//! usage error (exit status 2) before anything is fetched or loaded.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clientcookie::jar::store::Format;
use http::{HeaderName, HeaderValue};
use url::Url;

/// A curl-like HTTP client whose cookies, redirects, Refresh, `<meta
/// http-equiv>` and robots.txt handling come from the clientcookie library.
#[derive(Debug, Parser)]
#[command(name = "clientcookie", version, about, max_term_width = 100)]
#[command(
    after_help = "Exit status: 0 a response was received (any HTTP status); 2 usage error; \
3 refused by robots.txt; 4 network error, redirect loop or too many redirects; \
5 jar file unreadable or malformed (the file is left untouched); \
1 anything else (an output file that cannot be written, a jar that cannot be saved)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch URL, following redirects and Refresh, with a cookie jar.
    Get(Box<GetArgs>),
    /// Look into and convert cookie jar files.
    #[command(subcommand)]
    Jar(JarCommand),
}

/// `clientcookie get URL [options]`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The URL to fetch (http or https).
    #[arg(value_parser = parse_http_url)]
    pub url: Url,

    /// Cookie jar file: loaded before the first request if it exists, saved
    /// after the last (atomically: a crash never leaves a half-written file).
    #[arg(short = 'j', long, value_name = "FILE")]
    pub jar: Option<PathBuf>,

    /// Format of the jar file; default from its extension (.txt -> mozilla,
    /// .lwp -> lwp, .json -> json, .sqlite/.db -> sqlite), otherwise mozilla.
    #[arg(long, value_name = "FMT", requires = "jar")]
    pub jar_format: Option<JarFormat>,

    /// Also save session (discard) cookies (ignore_discard).
    #[arg(long, requires = "jar")]
    pub keep_session: bool,

    /// Add a request header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "Name: value", value_parser = parse_header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,

    /// POST DATA as application/x-www-form-urlencoded.
    #[arg(short = 'd', long, value_name = "DATA")]
    pub data: Option<String>,

    /// User-Agent header.
    #[arg(short = 'A', long, value_name = "UA", value_parser = parse_header_value)]
    pub user_agent: Option<HeaderValue>,

    /// Referer for the first request.
    #[arg(short = 'e', long, value_name = "URL", value_parser = parse_http_url)]
    pub referer: Option<Url>,

    /// Print the final response's status line and headers, a blank line,
    /// then the body.
    #[arg(short = 'i', long)]
    pub include: bool,

    /// Write the body to FILE (progress bar when stderr is a terminal).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Connect to ADDR for HOST:PORT (repeatable), as curl does. Unlike
    /// curl, the entry is used for HOST on any port (always connecting to
    /// the URL's port).
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<Resolve>,

    /// Most redirects to follow (Refresh counts as one); 0 disables
    /// following redirects.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_redirects: usize,

    /// Do not follow Refresh headers.
    #[arg(long)]
    pub no_refresh: bool,

    /// Follow a Refresh only when its delay is at most SECS; never sleeps.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub refresh_max_delay: u64,

    /// Do not lift <meta http-equiv> tags into response headers.
    #[arg(long)]
    pub no_equiv: bool,

    /// Obey robots.txt.
    #[arg(long)]
    pub robots: bool,

    /// Accept RFC 2965 (Set-Cookie2) cookies and send Cookie2.
    #[arg(long)]
    pub rfc2965: bool,

    /// Blocked domain (repeatable).
    #[arg(long = "block-domain", value_name = "D")]
    pub block_domains: Vec<String>,

    /// Only these domains may set or receive cookies (repeatable).
    #[arg(long = "allow-domain", value_name = "D")]
    pub allow_domains: Vec<String>,

    /// On stderr: every hop, and every cookie accepted or rejected with its
    /// reason.
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

/// `clientcookie jar ...`.
#[derive(Debug, Subcommand)]
pub enum JarCommand {
    /// One cookie a line; with --url only those that would be sent to URL.
    List {
        /// The jar file.
        file: PathBuf,
        /// Show only the cookies a request to URL would carry, in the order
        /// of its Cookie header.
        #[arg(long, value_name = "URL", value_parser = parse_http_url)]
        url: Option<Url>,
        /// Format of the file (default from its extension, else from its
        /// content).
        #[arg(long, value_name = "FMT")]
        format: Option<JarFormat>,
    },
    /// Convert between formats (chosen by extension or --from/--to). Session
    /// cookies are kept; expired ones are dropped.
    Convert {
        /// The jar file to read.
        input: PathBuf,
        /// The jar file to write (replaced atomically).
        output: PathBuf,
        /// Format of IN (default from its extension, else from its content).
        #[arg(long, value_name = "FMT")]
        from: Option<JarFormat>,
        /// Format of OUT (default from its extension, else mozilla).
        #[arg(long, value_name = "FMT")]
        to: Option<JarFormat>,
    },
}

/// The jar file formats the CLI reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JarFormat {
    /// Netscape / Mozilla cookies.txt (curl, wget, Python's MozillaCookieJar).
    Mozilla,
    /// libwww-perl Set-Cookie3 (Python's LWPCookieJar).
    Lwp,
    /// JSON as the cookie_store crate writes it.
    Json,
    /// An SQLite database (clientcookie's own schema).
    Sqlite,
}

impl JarFormat {
    /// The format named by `path`'s extension, mozilla when none matches
    /// (the contract's default).
    pub fn from_extension(path: &std::path::Path) -> JarFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("lwp") => JarFormat::Lwp,
            Some("json") => JarFormat::Json,
            Some("sqlite" | "db") => JarFormat::Sqlite,
            _ => JarFormat::Mozilla,
        }
    }
}

impl From<JarFormat> for Format {
    fn from(format: JarFormat) -> Format {
        match format {
            JarFormat::Mozilla => Format::Mozilla,
            JarFormat::Lwp => Format::Lwp,
            JarFormat::Json => Format::Json,
            JarFormat::Sqlite => Format::Sqlite,
        }
    }
}

/// `--resolve HOST:PORT:ADDR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// The host name as written in URLs (lowercased).
    pub host: String,
    /// The port of the URLs this entry is for.
    pub port: u16,
    /// Where to connect instead.
    pub addr: IpAddr,
}

impl Resolve {
    /// The socket address to connect to: ADDR, and the port of the URL
    /// (port 0 tells the opener to keep the URL's, or its scheme's, port).
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.addr, 0)
    }
}

fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err("the URL has no host".to_owned()),
        other => Err(format!("the scheme {other:?} is not http or https")),
    }
}

fn parse_header(s: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| "expected \"Name: value\"".to_owned())?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("{:?} is not a header name", name.trim()))?;
    Ok((name, parse_header_value(value.trim())?))
}

fn parse_header_value(s: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_str(s).map_err(|_| format!("{s:?} is not a header value"))
}

/// curl's form: `HOST:PORT:ADDR`, where ADDR may be a bracketed IPv6
/// address (`[::1]`). Host names are case-insensitive.
fn parse_resolve(s: &str) -> Result<Resolve, String> {
    const FORM: &str = "expected HOST:PORT:ADDR";
    let (host, rest) = s.split_once(':').ok_or(FORM)?;
    let (port, addr) = rest.split_once(':').ok_or(FORM)?;
    if host.is_empty() {
        return Err(FORM.to_owned());
    }
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{port:?} is not a port number"))?;
    let bare = addr
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr);
    let addr: IpAddr = bare
        .parse()
        .map_err(|_| format!("{addr:?} is not an IP address"))?;
    Ok(Resolve {
        host: host.to_ascii_lowercase(),
        port,
        addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_extension_picks_the_jar_format_and_mozilla_is_the_default() {
        let cases = [
            ("cookies.txt", JarFormat::Mozilla),
            ("cookies.lwp", JarFormat::Lwp),
            ("cookies.JSON", JarFormat::Json),
            ("cookies.sqlite", JarFormat::Sqlite),
            ("cookies.db", JarFormat::Sqlite),
            ("cookies", JarFormat::Mozilla),
            ("cookies.jar", JarFormat::Mozilla),
        ];
        for (name, format) in cases {
            assert_eq!(JarFormat::from_extension(Path::new(name)), format, "{name}");
        }
    }

    #[test]
    fn resolve_entries_are_read_as_curl_writes_them() {
        let r = parse_resolve("Example.COM:8080:127.0.0.1").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("example.com", 8080));
        assert_eq!(r.socket_addr(), "127.0.0.1:0".parse().unwrap());
        let r = parse_resolve("a.example:443:[::1]").unwrap();
        assert_eq!(r.socket_addr(), "[::1]:0".parse().unwrap());
        for bad in [
            "a.example",
            "a.example:80",
            ":80:127.0.0.1",
            "a:x:127.0.0.1",
            "a:80:host",
        ] {
            assert!(parse_resolve(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_need_a_name_a_colon_and_a_valid_value() {
        let (name, value) = parse_header("X-Test:  yes ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-test", "yes"));
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("Bad Name: x").is_err());
        assert!(parse_header("X: a\nb").is_err());
    }

    #[test]
    fn only_http_and_https_urls_are_fetched() {
        assert!(parse_http_url("http://a.example/").is_ok());
        assert!(parse_http_url("ftp://a.example/").is_err());
        assert!(parse_http_url("a.example").is_err());
    }
}
