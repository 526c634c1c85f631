//! Move cookies between a browser and a cookie file.
//!
//! ```text
//! cargo run -p clientcookie-jar --example browser_cookies -- to-firefox cookies.txt ~/.mozilla/firefox/PROFILE/cookies.sqlite
//! cargo run -p clientcookie-jar --example browser_cookies -- from-firefox cookies.sqlite cookies.txt
//! cargo run -p clientcookie-jar --example browser_cookies -- from-chromium ~/.config/chromium/Default/Cookies cookies.txt
//! ```
//!
//! `to-firefox` reads a cookie file of any format `store::load_detected`
//! knows and writes its persistent cookies into Firefox's database (close
//! Firefox first: it locks the file while it runs). `from-firefox` and
//! `from-chromium` write a browser's cookies as a Netscape `cookies.txt`,
//! session cookies included, and say which cookies they could not read
//! (for Chromium: values encrypted with the desktop keyring's password,
//! unless it is given in the environment variable `CHROMIUM_KEYRING_PASSWORD`).
//! make_fixtures.sh uses `to-firefox` to check that Firefox loads what we write.

use clientcookie_jar::store::{self, chromium, firefox, Format, LoadOptions, SaveOptions};
use clientcookie_jar::CookieJar;

const USAGE: &str = "usage: browser_cookies (to-firefox FILE COOKIES_SQLITE | from-firefox COOKIES_SQLITE FILE | from-chromium COOKIES FILE)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [command, from, to] = &args[..] else {
        return Err(USAGE.into());
    };
    let everything = LoadOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let mut jar = CookieJar::new();
    match command.as_str() {
        "to-firefox" => {
            store::load_detected(&mut jar, from, everything)?;
            let written = firefox::save(&jar, to, SaveOptions::default())?;
            println!("{written} cookies written to {to}");
            return Ok(());
        }
        "from-firefox" => {
            let report = firefox::load(&mut jar, from, everything)?;
            for skipped in &report.skipped {
                println!("not loaded: {skipped}");
            }
        }
        "from-chromium" => {
            let mut keys = chromium::ChromiumKeys::new();
            if let Ok(password) = std::env::var("CHROMIUM_KEYRING_PASSWORD") {
                keys = keys.with_keyring_password(password);
            }
            let report = chromium::load(&mut jar, from, everything, &keys)?;
            for skipped in &report.skipped {
                println!("not loaded: {skipped}");
            }
        }
        _ => return Err(USAGE.into()),
    }
    let all = SaveOptions {
        ignore_discard: true,
        ignore_expires: false,
    };
    let written = store::save(&jar, to, Format::Mozilla, all)?;
    println!("{written} cookies written to {to}");
    Ok(())
}
