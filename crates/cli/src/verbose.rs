//! `-v`: the library's own account of what it did, on stderr.
//!
//! The jar logs every cookie it accepts or refuses, with the policy's
//! reason, and the layers log every hop they follow, all with `tracing` at
//! debug level. Rather than re-deciding anything here, `-v` installs a
//! subscriber for exactly those targets and prints each event as one line:
//!
//! ```text
//! * cookie refused [cookie=b=2] [host=a.example] [reason=the Domain attribute is a public suffix (RFC 6265 §5.3 step 5)]
//! ```

use std::fmt::{self, Write as _};
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::{Layer, Registry};

/// The crates whose decisions `-v` shows.
const TARGETS: [&str; 3] = ["clientcookie_jar", "clientcookie_layers", "clientcookie"];

/// Print the library's debug events on stderr for the rest of the process.
pub fn install() {
    let targets = TARGETS.into_iter().fold(Targets::new(), |t, target| {
        t.with_target(target, Level::DEBUG)
    });
    let subscriber = Registry::default().with(StderrLines.with_filter(targets));
    // Only fails when a subscriber is already set, and none is.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Writes each event as `* message [field=value] ...`.
struct StderrLines;

impl<S: Subscriber> Layer<S> for StderrLines {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = format_event(event);
        line.push('\n');
        // A closed stderr is no reason to stop fetching.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn format_event(event: &Event<'_>) -> String {
    let mut line = Line::default();
    event.record(&mut line);
    if line.text.is_empty() {
        // An event without a message: its fields alone.
        line.text = format!("*{}", line.fields);
    }
    line.text
}

/// One event's text: the message first, then the other fields in order.
#[derive(Default)]
struct Line {
    text: String,
    fields: String,
}

impl Line {
    fn push(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if field.name() == "message" {
            let _ = write!(self.text, "* {value}{}", self.fields);
            self.fields.clear();
        } else if self.text.is_empty() {
            // Fields recorded before the message wait for it.
            let _ = write!(self.fields, " [{}={value}]", field.name());
        } else {
            let _ = write!(self.text, " [{}={value}]", field.name());
        }
    }
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.push(field, format_args!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_its_message_then_its_fields_in_brackets() {
        let captured = std::sync::Arc::default();
        let subscriber = Registry::default().with(Capture(std::sync::Arc::clone(&captured)));
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(cookie = %"b=2", reason = %"public suffix", "cookie refused");
        });
        let lines = captured.lock().unwrap();
        assert_eq!(
            lines.as_slice(),
            ["* cookie refused [cookie=b=2] [reason=public suffix]"]
        );
    }

    /// The same formatting as [`StderrLines`], into a vector.
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
            self.0.lock().unwrap().push(format_event(event));
        }
    }
}
