#![no_main]
//! Any bytes as a robots.txt, with a user-agent and a path: compiling and
//! matching must never panic, and on inputs small enough for it, the answer
//! must be the robotstxt crate's own (its parser, group choice and
//! priorities), with only its wildcard routine replaced by a port of
//! Google's C++ `Matches` (the crate's keeps just the leftmost place a
//! literal after `*` occurs; see `RobotsRules`' docs).
//!
//! Input: `[agent length][path length][agent][path][robots.txt]`.
use clientcookie_layers::robots::{product_token, RobotsRules};
use libfuzzer_sys::fuzz_target;
use robotstxt::matcher::{RobotsMatchStrategy, RobotsMatcher};

#[derive(Default)]
struct GoogleStrategy;

impl RobotsMatchStrategy for GoogleStrategy {
    fn match_allow(&self, path: &str, pattern: &str) -> i32 {
        if Self::matches(path, pattern) {
            pattern.len() as i32
        } else {
            -1
        }
    }

    fn match_disallow(&self, path: &str, pattern: &str) -> i32 {
        self.match_allow(path, pattern)
    }

    fn matches(path: &str, pattern: &str) -> bool {
        let (path, pattern) = (path.as_bytes(), pattern.as_bytes());
        let mut pos = vec![0usize; path.len() + 1];
        let mut numpos = 1;
        for (i, &pat) in pattern.iter().enumerate() {
            if pat == b'$' && i + 1 == pattern.len() {
                return pos[numpos - 1] == path.len();
            }
            if pat == b'*' {
                numpos = path.len() - pos[0] + 1;
                for j in 1..numpos {
                    pos[j] = pos[j - 1] + 1;
                }
            } else {
                let mut new_numpos = 0;
                for j in 0..numpos {
                    if pos[j] < path.len() && path[pos[j]] == pat {
                        pos[new_numpos] = pos[j] + 1;
                        new_numpos += 1;
                    }
                }
                numpos = new_numpos;
                if numpos == 0 {
                    return false;
                }
            }
        }
        true
    }
}

/// `%2f` -> `%2F`, as `RobotsRules::is_allowed` compares paths.
fn upper_escapes(path: &str) -> String {
    let mut out = path.as_bytes().to_vec();
    let mut i = 0;
    while i + 2 < out.len() {
        if out[i] == b'%' && out[i + 1].is_ascii_hexdigit() && out[i + 2].is_ascii_hexdigit() {
            out[i + 1].make_ascii_uppercase();
            out[i + 2].make_ascii_uppercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let [agent_len, path_len, rest @ ..] = data else {
        return;
    };
    let agent_len = usize::from(*agent_len % 32).min(rest.len());
    let (agent, rest) = rest.split_at(agent_len);
    let path_len = usize::from(*path_len % 64).min(rest.len());
    let (path, robots) = rest.split_at(path_len);

    let agent = String::from_utf8_lossy(agent);
    let agent = product_token(&agent);
    // A request path: ASCII, as in a request line, without a fragment.
    let path: String = std::iter::once('/')
        .chain(path.iter().map(|&b| (b & 0x7f) as char).filter(|c| *c != '#' && !c.is_ascii_control()))
        .collect();
    let text = String::from_utf8_lossy(robots);

    let rules = RobotsRules::parse(&text);
    let ours = rules.is_allowed(agent, &path);
    assert_eq!(ours, rules.is_allowed(&agent.to_ascii_uppercase(), &path));

    // The reference is quadratic and needs the text as RobotsRules gives
    // it to the parser (no byte order mark; lines here are all short).
    if text.len() <= 1024 && !text.starts_with('\u{FEFF}') && !agent.is_empty() {
        let url = format!("http://example.com{}", upper_escapes(&path));
        let theirs = RobotsMatcher::<GoogleStrategy>::default()
            .one_agent_allowed_by_robots(&text, agent, &url);
        assert_eq!(ours, theirs, "agent {agent:?} path {path:?} text {text:?}");
    }
});
