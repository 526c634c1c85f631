//! `cargo run -p clientcookie-testsite -- [--port N]`: serves the test site on 127.0.0.1 until
//! killed, after printing its base URL.

use std::process::ExitCode;

use clientcookie_testsite::TestSite;

const USAGE: &str = "usage: clientcookie-testsite [--port N]";

fn parse_port(mut args: impl Iterator<Item = String>) -> Result<u16, String> {
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--port" => args.next().ok_or("--port needs a value")?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("not a port number: {value:?}"))?;
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port(std::env::args().skip(1)) {
        Ok(port) => port,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let site = match TestSite::start_on_port(port).await {
        Ok(site) => site,
        Err(error) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", site.url("/"));
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
