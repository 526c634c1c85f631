//! A robots.txt compiled once, matched per request.
//!
//! The `robotstxt` crate (a port of Google's parser) finds the lines and
//! hands each directive to a [`RobotsParseHandler`]; our handler records
//! the groups, and [`RobotsRules`] keeps them indexed by product token and
//! by literal prefix. Its `DefaultMatcher` instead parses the whole file
//! again for every URL it is asked about.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use robotstxt::{parse_robotstxt, RobotsParseHandler};

/// The robotstxt parser keeps the first 16,663 bytes of a line
/// (`2083 * 8 - 1`). Longer lines are cut here first, at the same place: the
/// crate's own cut counts the skipped characters where it means bytes, which
/// with multi-byte characters makes it slice inside a character and panic.
const MAX_LINE: usize = 2083 * 8 - 1;

/// How many rule copies merging the groups of an agent named in several
/// groups may make beyond the rules themselves. A file that names hundreds of
/// agents in hundreds of groups would otherwise grow quadratically; past the
/// budget its groups are matched one by one (same answers, slower).
const MERGE_BUDGET: usize = 100_000;

/// The rules of one robots.txt, compiled for matching.
///
/// Groups are chosen as RFC 9309 §2.2.1 says (and as Google's parser does):
/// the groups naming the crawler's product token (case-insensitively) if
/// there are any, else the `*` groups; rules of several groups for the same
/// agent are merged. A path is disallowed when its longest matching rule
/// (§2.2.2; `*` matches any run of characters, a final `$` the end of the
/// path) is a `Disallow`; an `Allow` of the same length wins; no match means
/// allowed.
///
/// The answers are those of the robotstxt crate's `DefaultMatcher` (the
/// proptests and the fuzz target compare them), but for two of its bugs
/// that this matcher does not share: after a `*`, its matcher keeps only the
/// leftmost place where the next literal character occurs, so `/*.php$`
/// does not match `/a.php.php` nor `/*b/c` match `/b/xb/c`; and a UTF-8 byte
/// order mark at the start of the file costs it the first line.
///
/// ```
/// use clientcookie_layers::robots::RobotsRules;
///
/// let rules = RobotsRules::parse(
///     "User-agent: *\nDisallow: /private\nAllow: /private/open\n\n\
///      User-agent: FooBot\nDisallow: /*.pdf$\n",
/// );
/// assert!(!rules.is_allowed("OtherBot", "/private/x"));
/// assert!(rules.is_allowed("OtherBot", "/private/open/x"));
/// // FooBot has a group of its own: the `*` group does not apply to it.
/// assert!(rules.is_allowed("foobot", "/private/x"));
/// assert!(!rules.is_allowed("FooBot", "/docs/a.pdf"));
/// assert!(rules.is_allowed("FooBot", "/docs/a.pdf?download=1"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RobotsRules {
    /// Rules of the `*` groups.
    global: Matcher,
    /// Rules per product token (lowercase). An agent named in a group
    /// without rules is here with no rules: it is then allowed everything,
    /// the `*` groups do not apply to it.
    agents: HashMap<Box<str>, Matcher>,
    rule_count: usize,
}

impl RobotsRules {
    /// Compiles a robots.txt. Never fails: lines that are not directives are
    /// skipped, as RFC 9309 §2.2 wants; common typos (`Disalow`,
    /// `User agent`) are understood, as Google's parser does.
    ///
    /// ```
    /// use clientcookie_layers::robots::RobotsRules;
    ///
    /// let rules = RobotsRules::parse("<html>not a robots.txt</html>");
    /// assert_eq!(rules.rule_count(), 0);
    /// assert!(rules.is_allowed("AnyBot", "/"));
    /// ```
    pub fn parse(text: &str) -> RobotsRules {
        let text = prepare(text);
        let mut compiler = Compiler::default();
        parse_robotstxt(&text, &mut compiler);
        compiler.finish()
    }

    /// Whether the crawler whose product token is `user_agent` may fetch
    /// `path` (path and query, starting with `/`, percent-encoded as in the
    /// request line). `"*"` (or any token that no group names) asks for the
    /// `*` groups' rules. Percent-escapes in the path are compared with
    /// upper-case hex digits, as the patterns are written after parsing.
    ///
    /// ```
    /// use clientcookie_layers::robots::RobotsRules;
    ///
    /// let rules = RobotsRules::parse("User-agent: *\nDisallow: /caf%C3%A9\n");
    /// assert!(!rules.is_allowed("*", "/caf%c3%a9/menu"));
    /// assert!(rules.is_allowed("*", "/cafe"));
    /// ```
    pub fn is_allowed(&self, user_agent: &str, path: &str) -> bool {
        let path = normalize_escapes(path);
        let matcher = if user_agent.bytes().any(|b| b.is_ascii_uppercase()) {
            self.agents.get(user_agent.to_ascii_lowercase().as_str())
        } else {
            self.agents.get(user_agent)
        };
        match matcher {
            Some(matcher) => matcher.is_allowed(path.as_bytes()),
            None => self.global.is_allowed(path.as_bytes()),
        }
    }

    /// How many `Allow` and `Disallow` rules the file holds (in groups that
    /// name an agent; an `index.html` allow counts once).
    ///
    /// ```
    /// let rules = clientcookie_layers::robots::RobotsRules::parse("User-agent: *\nDisallow: /a\nAllow: /b\n");
    /// assert_eq!(rules.rule_count(), 2);
    /// ```
    pub fn rule_count(&self) -> usize {
        self.rule_count
    }
}

/// The text the robotstxt parser is given: without a leading byte order
/// mark, and with lines cut at [`MAX_LINE`] bytes (see there why).
pub(crate) fn prepare(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let too_long = text.split(['\n', '\r']).any(|line| line.len() > MAX_LINE);
    if !too_long {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        if line.len() > MAX_LINE {
            // What the parser keeps: characters are appended while the line
            // is shorter than MAX_LINE bytes.
            let mut cut = MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut += 1;
            }
            out.push_str(&line[..cut]);
        } else {
            out.push_str(line);
        }
        let Some(ending) = rest[end..].chars().next() else {
            break;
        };
        out.push(ending);
        rest = &rest[end + ending.len_utf8()..];
    }
    Cow::Owned(out)
}

/// `%2f` -> `%2F`: patterns are normalized that way by the parser, so the
/// path must be too. Borrowed when there is nothing to change.
pub(crate) fn normalize_escapes(path: &str) -> Cow<'_, str> {
    let bytes = path.as_bytes();
    let needs = bytes.windows(3).any(|w| {
        w[0] == b'%'
            && w[1].is_ascii_hexdigit()
            && w[2].is_ascii_hexdigit()
            && (w[1].is_ascii_lowercase() || w[2].is_ascii_lowercase())
    });
    if !needs {
        return Cow::Borrowed(path);
    }
    let mut out = bytes.to_vec();
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
    // Only ASCII letters changed case: still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| path.to_owned()))
}

/// One `Allow` or `Disallow` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawRule {
    allow: bool,
    pattern: Box<str>,
}

/// Receives the parser's callbacks and keeps the groups.
#[derive(Default)]
struct Compiler {
    groups: Vec<Vec<RawRule>>,
    /// The group the lines now belong to, and who it is for.
    current: Option<usize>,
    current_global: bool,
    current_agents: Vec<Box<str>>,
    /// A directive other than `User-agent` was seen since the last
    /// `User-agent`: the next one starts a new group.
    separator: bool,
    /// Group indexes per agent (lowercase token), and of the `*` groups.
    agents: HashMap<Box<str>, Vec<usize>>,
    global: Vec<usize>,
}

impl Compiler {
    fn add_rule(&mut self, allow: bool, value: &str) {
        // Rules before any `User-agent` line belong to no group.
        let Some(group) = self.current else {
            return;
        };
        self.separator = true;
        self.groups[group].push(RawRule {
            allow,
            pattern: value.into(),
        });
    }

    fn finish(self) -> RobotsRules {
        let groups: Vec<Arc<Matcher>> = self
            .groups
            .iter()
            .map(|rules| Arc::new(Matcher::from_rules(rules)))
            .collect();
        let rule_count = self.groups.iter().map(Vec::len).sum();
        let mut budget = MERGE_BUDGET.saturating_add(rule_count);
        let mut merge = |ids: &[usize]| -> Matcher {
            match ids {
                [] => Matcher::default(),
                [one] => Matcher::clone(&groups[*one]),
                many => {
                    let size: usize = many.iter().map(|&g| self.groups[g].len()).sum();
                    if size <= budget {
                        budget -= size;
                        let rules: Vec<RawRule> = many
                            .iter()
                            .flat_map(|&g| self.groups[g].iter().cloned())
                            .collect();
                        Matcher::from_rules(&rules)
                    } else {
                        Matcher::Groups(many.iter().map(|&g| Arc::clone(&groups[g])).collect())
                    }
                }
            }
        };
        let global = merge(&self.global);
        let agents = self
            .agents
            .iter()
            .map(|(agent, ids)| (agent.clone(), merge(ids)))
            .collect();
        RobotsRules {
            global,
            agents,
            rule_count,
        }
    }
}

impl RobotsParseHandler for Compiler {
    fn handle_robots_start(&mut self) {}

    fn handle_robots_end(&mut self) {}

    fn handle_user_agent(&mut self, _line: u32, user_agent: &str) {
        if self.separator || self.current.is_none() {
            self.separator = false;
            self.current_global = false;
            self.current_agents.clear();
            self.groups.push(Vec::new());
            self.current = Some(self.groups.len() - 1);
        }
        let Some(group) = self.current else {
            return;
        };
        // Google's parser: `*`, alone or followed by a space and anything.
        let mut chars = user_agent.chars();
        if chars.next() == Some('*') && chars.next().is_none_or(char::is_whitespace) {
            if !self.current_global {
                self.current_global = true;
                self.global.push(group);
            }
            return;
        }
        let agent: Box<str> = product_token(user_agent).to_ascii_lowercase().into();
        if !self.current_agents.contains(&agent) {
            self.agents.entry(agent.clone()).or_default().push(group);
            self.current_agents.push(agent);
        }
    }

    fn handle_allow(&mut self, _line: u32, value: &str) {
        self.add_rule(true, value);
        // Google's parser: `Allow: /dir/index.htm(l)` also allows `/dir/`.
        // (It tries that only when the pattern itself does not match; it is
        // shorter, so adding it as a rule of its own gives the same answer.)
        if let Some(slash) = value.rfind('/') {
            if value[slash..].starts_with("/index.htm") {
                let directory = format!("{}$", &value[..=slash]);
                self.add_rule(true, &directory);
            }
        }
    }

    fn handle_disallow(&mut self, _line: u32, value: &str) {
        self.add_rule(false, value);
    }

    fn handle_sitemap(&mut self, _line: u32, _value: &str) {
        self.separator = true;
    }

    fn handle_unknown_action(&mut self, _line: u32, _action: &str, _value: &str) {
        self.separator = true;
    }
}

/// The leading `[A-Za-z_-]` characters of a user-agent: `FooBot/1.2` ->
/// `FooBot` (RFC 9309 §2.2.1's product token; Google's parser stops at the
/// first other character the same way).
///
/// ```
/// use clientcookie_layers::robots::product_token;
///
/// assert_eq!(product_token("FooBot/1.2 (+https://example.com/bot)"), "FooBot");
/// assert_eq!(product_token("my_crawler-2"), "my_crawler-");
/// assert_eq!(product_token("1bot"), "");
/// ```
pub fn product_token(user_agent: &str) -> &str {
    // Bytes, not chars: a non-ASCII character ends the token at its first
    // byte, which is a character boundary.
    let end = user_agent
        .bytes()
        .position(|b| !(b.is_ascii_alphabetic() || b == b'-' || b == b'_'))
        .unwrap_or(user_agent.len());
    &user_agent[..end]
}

/// The rules for one agent: one sorted index, or (for files that name the
/// same agents in very many groups) one per group.
#[derive(Debug, Clone)]
enum Matcher {
    Index(Index),
    Groups(Vec<Arc<Matcher>>),
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::Index(Index::default())
    }
}

impl Matcher {
    fn from_rules(rules: &[RawRule]) -> Matcher {
        Matcher::Index(Index::new(rules))
    }

    fn is_allowed(&self, path: &[u8]) -> bool {
        let mut best = Best::default();
        self.longest(path, &mut best);
        // RFC 9309 §2.2.2: the longest match wins, Allow on a tie; an empty
        // pattern (length 0) counts as no rule, as in Google's parser.
        !(best.disallow > 0 && best.disallow > best.allow)
    }

    fn longest(&self, path: &[u8], best: &mut Best) {
        match self {
            Matcher::Index(index) => index.longest(path, best),
            Matcher::Groups(groups) => {
                for group in groups {
                    group.longest(path, best);
                }
            }
        }
    }
}

/// The longest matching Allow and Disallow so far (pattern lengths; -1 for
/// none).
#[derive(Debug, Clone, Copy)]
struct Best {
    allow: i64,
    disallow: i64,
}

impl Default for Best {
    fn default() -> Self {
        Best {
            allow: -1,
            disallow: -1,
        }
    }
}

/// Rules sorted by their literal prefix (the pattern up to its first `*`
/// or final `$`). A rule can only match a path that starts with its prefix,
/// and the prefixes of a path that are in the index are found without
/// looking at the others: every such prefix is a prefix of the greatest
/// entry not above the path, so they are that entry's chain of `parent`s
/// (each entry's longest proper prefix in the index).
#[derive(Debug, Clone, Default)]
struct Index {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    prefix: Box<[u8]>,
    parent: Option<u32>,
    /// Longest first, so the scan stops at the first that cannot improve.
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    /// The pattern's length in bytes: its priority.
    len: i64,
    allow: bool,
    tail: Tail,
}

/// What the pattern asks of the path after its literal prefix.
#[derive(Debug, Clone)]
enum Tail {
    /// Nothing: a prefix match.
    Any,
    /// A final `$`: the path ends there.
    End,
    /// `*` then literals separated by `*`: each found in order; with
    /// `anchored` (a final `$`) the last at the very end.
    Glob {
        segments: Box<[Box<[u8]>]>,
        anchored: bool,
    },
}

impl Index {
    fn new(raw: &[RawRule]) -> Index {
        let mut by_prefix: Vec<(Box<[u8]>, Rule)> = raw.iter().map(compile).collect();
        by_prefix.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.len.cmp(&a.1.len)));
        let mut entries: Vec<Entry> = Vec::new();
        // Entries that are prefixes of the last one, shortest first.
        let mut ancestors: Vec<u32> = Vec::new();
        for (prefix, rule) in by_prefix {
            if let Some(last) = entries.last_mut() {
                if last.prefix == prefix {
                    last.rules.push(rule);
                    continue;
                }
            }
            while let Some(&top) = ancestors.last() {
                if prefix.starts_with(&entries[top as usize].prefix) {
                    break;
                }
                ancestors.pop();
            }
            let Ok(id) = u32::try_from(entries.len()) else {
                break;
            };
            entries.push(Entry {
                prefix,
                parent: ancestors.last().copied(),
                rules: vec![rule],
            });
            ancestors.push(id);
        }
        Index { entries }
    }

    fn longest(&self, path: &[u8], best: &mut Best) {
        let after = self.entries.partition_point(|e| *e.prefix <= *path);
        let mut next = after.checked_sub(1);
        while let Some(i) = next {
            let entry = &self.entries[i];
            if path.starts_with(&entry.prefix) {
                let rest = &path[entry.prefix.len()..];
                for rule in &entry.rules {
                    if rule.len <= best.allow.min(best.disallow) {
                        break;
                    }
                    let slot = if rule.allow {
                        &mut best.allow
                    } else {
                        &mut best.disallow
                    };
                    if rule.len > *slot && rule.tail.matches(rest) {
                        *slot = rule.len;
                    }
                }
            }
            next = entry.parent.map(|p| p as usize);
        }
    }
}

fn compile(raw: &RawRule) -> (Box<[u8]>, Rule) {
    let pattern = raw.pattern.as_bytes();
    let len = i64::try_from(pattern.len()).unwrap_or(i64::MAX);
    // RFC 9309 §2.2.3: `$` is special only at the end.
    let (body, anchored) = match pattern.split_last() {
        Some((b'$', body)) => (body, true),
        _ => (pattern, false),
    };
    let mut parts = body.split(|&b| b == b'*');
    let prefix: Box<[u8]> = parts.next().unwrap_or_default().into();
    let segments: Vec<Box<[u8]>> = parts.map(Into::into).collect();
    let tail = match (segments.is_empty(), anchored) {
        (true, false) => Tail::Any,
        (true, true) => Tail::End,
        (false, anchored) => Tail::Glob {
            segments: segments.into(),
            anchored,
        },
    };
    (
        prefix,
        Rule {
            len,
            allow: raw.allow,
            tail,
        },
    )
}

impl Tail {
    /// `rest` is the path after the rule's literal prefix.
    fn matches(&self, rest: &[u8]) -> bool {
        match self {
            Tail::Any => true,
            Tail::End => rest.is_empty(),
            Tail::Glob { segments, anchored } => {
                // Each `*` takes as little as it can: finding every segment
                // at its leftmost place leaves the most room for the rest.
                let Some((last, middle)) = segments.split_last() else {
                    return true;
                };
                let mut at = 0;
                for segment in middle {
                    match find(&rest[at..], segment) {
                        Some(found) => at += found + segment.len(),
                        None => return false,
                    }
                }
                if *anchored {
                    rest.len() - at >= last.len() && rest.ends_with(last)
                } else {
                    find(&rest[at..], last).is_some()
                }
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    let first = needle[0];
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start).find(|&i| haystack[i] == first && haystack[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use robotstxt::DefaultMatcher;

    fn theirs(text: &str, agent: &str, path: &str) -> bool {
        let text = prepare(text);
        let url = format!("http://example.com{}", normalize_escapes(path));
        DefaultMatcher::default().one_agent_allowed_by_robots(&text, agent, &url)
    }

    fn ours(text: &str, agent: &str, path: &str) -> bool {
        RobotsRules::parse(text).is_allowed(agent, path)
    }

    #[test]
    fn the_longest_match_wins_and_allow_wins_a_tie() {
        let text =
            "User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\nAllow: /x\nDisallow: /x\n";
        assert!(!ours(text, "bot", "/a"));
        assert!(ours(text, "bot", "/a/b"));
        assert!(!ours(text, "bot", "/a/b/c/d"));
        assert!(ours(text, "bot", "/x/y"));
        assert!(ours(text, "bot", "/b"));
    }

    #[test]
    fn wildcards_and_the_end_anchor() {
        let text = "User-agent: *\nDisallow: /*.php$\nDisallow: /*/private/*/x\nDisallow: /end$\nDisallow: /mid$dle\n";
        assert!(!ours(text, "bot", "/index.php"));
        assert!(ours(text, "bot", "/index.php?a=1"));
        assert!(!ours(text, "bot", "/a/private/b/x/y"));
        assert!(ours(text, "bot", "/a/private/x"));
        assert!(!ours(text, "bot", "/end"));
        assert!(ours(text, "bot", "/ending"));
        assert!(!ours(text, "bot", "/mid$dle/x"));
    }

    #[test]
    fn a_later_literal_after_a_wildcard_is_found_anywhere_not_only_first() {
        // The robotstxt crate's matcher says "allowed" to both (see the
        // type's docs); RFC 9309 and Google's C++ matcher say disallowed.
        let text = "User-agent: *\nDisallow: /*.php$\nDisallow: /*b/c\n";
        assert!(!ours(text, "bot", "/a.php.php"));
        assert!(!ours(text, "bot", "/b/xb/c"));
        assert!(theirs(text, "bot", "/a.php.php"));
        assert!(theirs(text, "bot", "/b/xb/c"));
    }

    #[test]
    fn a_group_for_the_agent_replaces_the_star_group() {
        let text = "User-agent: *\nDisallow: /\n\nUser-agent: FooBot\nUser-agent: BarBot\nDisallow: /bar\n\nUser-agent: quiet\n";
        assert!(!ours(text, "other", "/x"));
        assert!(ours(text, "FOOBOT", "/x"));
        assert!(!ours(text, "barbot", "/bar/1"));
        // Named without rules: allowed everything.
        assert!(ours(text, "quiet", "/x"));
    }

    #[test]
    fn groups_naming_the_same_agent_are_merged() {
        let text = "User-agent: a\nDisallow: /one\n\nUser-agent: b\nDisallow: /two\n\nUser-agent: a\nDisallow: /three\n";
        assert!(!ours(text, "a", "/one"));
        assert!(!ours(text, "a", "/three"));
        assert!(ours(text, "a", "/two"));
    }

    #[test]
    fn a_byte_order_mark_does_not_cost_the_first_line() {
        let text = "\u{FEFF}User-agent: *\nDisallow: /\n";
        assert!(!ours(text, "bot", "/x"));
    }

    #[test]
    fn very_long_lines_of_multibyte_characters_do_not_panic() {
        let text = format!(
            "User-agent: *\nDisallow: /{}\nDisallow: /b\n",
            "é".repeat(20_000)
        );
        assert!(!ours(&text, "bot", "/b"));
        assert!(ours(&text, "bot", "/c"));
        // And the crate, given the prepared text, agrees.
        assert!(!theirs(&text, "bot", "/b"));
    }

    #[test]
    fn prepare_leaves_ordinary_files_alone() {
        let text = "User-agent: *\r\nDisallow: /x\rAllow: /y\n";
        assert!(matches!(prepare(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn index_html_allows_its_directory() {
        let text = "User-agent: *\nDisallow: /\nAllow: /docs/index.html\n";
        assert!(ours(text, "bot", "/docs/"));
        assert!(ours(text, "bot", "/docs/index.html"));
        assert!(!ours(text, "bot", "/docs/other"));
    }

    #[test]
    fn percent_escapes_are_compared_in_upper_case() {
        let text = "User-agent: *\nDisallow: /a%2fb\nDisallow: /é\n";
        assert!(!ours(text, "bot", "/a%2Fb"));
        assert!(!ours(text, "bot", "/a%2fb"));
        assert!(!ours(text, "bot", "/%C3%A9"));
    }

    #[test]
    fn rules_outside_any_group_are_ignored() {
        assert!(ours("Disallow: /\nUser-agent: *\nAllow: /x\n", "bot", "/y"));
        assert_eq!(RobotsRules::parse("Disallow: /\n").rule_count(), 0);
    }

    #[test]
    fn many_agents_in_many_groups_stay_within_the_merge_budget() {
        // 26 agents in each of 100 groups of 50 rules: merging every
        // agent's groups would copy 130,000 rules.
        let mut text = String::new();
        for g in 0..100 {
            for a in b'a'..=b'z' {
                text.push_str(&format!("User-agent: bot{}\n", a as char));
            }
            for r in 0..50 {
                text.push_str(&format!("Disallow: /g{g}/r{r}\n"));
            }
        }
        let rules = RobotsRules::parse(&text);
        assert!(rules
            .agents
            .values()
            .any(|m| matches!(m, Matcher::Groups(g) if g.len() == 100)));
        for agent in ["bota", "BOTZ"] {
            assert!(!rules.is_allowed(agent, "/g99/r49"));
            assert!(!rules.is_allowed(agent, "/g0/r0/x"));
            assert!(rules.is_allowed(agent, "/g100"));
        }
    }

    fn agent() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => Just("*".to_owned()),
            4 => Just("FooBot".to_owned()),
            2 => Just("foobot".to_owned()),
            1 => Just("BarBot".to_owned()),
            1 => Just("*bad".to_owned()),
            1 => Just("FooBot/1.0".to_owned()),
            1 => Just("Foo Bot".to_owned()),
        ]
    }

    fn pattern() -> impl Strategy<Value = String> {
        // Small alphabets, so that patterns and paths overlap often.
        prop_oneof![
            4 => "/[ab*]{0,3}\\$?",
            1 => "/[ab/*]{0,5}\\$?",
            1 => "(/|[ab/.*$%]|%2[fF]|%[a-f]|index\\.html?|\u{e9}){0,8}",
        ]
    }

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "/[ab]{0,4}",
            1 => "/[ab/]{0,6}",
            1 => "/([ab/.$?=]|%2[fF]|%C3%A9|index\\.html?){0,10}",
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => agent().prop_map(|a| format!("User-agent: {a}")),
            4 => pattern().prop_map(|p| format!("Disallow: {p}")),
            2 => pattern().prop_map(|p| format!("Allow: {p}")),
            1 => pattern().prop_map(|p| format!("disalow {p}")),
            1 => Just("Sitemap: http://example.com/s.xml".to_owned()),
            1 => Just("Crawl-delay: 5".to_owned()),
            1 => Just(String::new()),
            1 => Just("# comment".to_owned()),
            1 => Just("garbage line here".to_owned()),
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (line(), prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]),
            0..16,
        )
        .prop_map(|lines| lines.into_iter().map(|(l, e)| l + e).collect())
    }

    /// Whether `text` has a pattern on which the crate's wildcard bug can
    /// show: a character other than `*` or a final `$` after a `*`.
    fn has_literal_after_star(text: &str) -> bool {
        text.split(['\n', '\r']).any(|line| {
            let lower = line.to_ascii_lowercase();
            (lower.starts_with("allow") || lower.starts_with("disal"))
                && line.split_once('*').is_some_and(|(_, after)| {
                    after.trim().trim_end_matches('$').chars().any(|c| c != '*')
                })
        })
    }

    /// The crate's matcher (its group choice, priorities, typo and
    /// `index.html` handling) with only the wildcard routine replaced by a
    /// line-for-line port of Google's C++ `Matches`.
    #[derive(Default)]
    struct GoogleStrategy;

    impl robotstxt::matcher::RobotsMatchStrategy for GoogleStrategy {
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

    fn google(text: &str, agent: &str, path: &str) -> bool {
        let text = prepare(text);
        let url = format!("http://example.com{}", normalize_escapes(path));
        robotstxt::matcher::RobotsMatcher::<GoogleStrategy>::default()
            .one_agent_allowed_by_robots(&text, agent, &url)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_same_answers_as_the_default_matcher(text in file(), agent in agent(), path in path()) {
            let answer = ours(&text, &agent, &path);
            prop_assert_eq!(answer, google(&text, &agent, &path), "{:?} {} {}", text, agent, path);
            if !has_literal_after_star(&text) {
                prop_assert_eq!(answer, theirs(&text, &agent, &path), "{:?} {} {}", text, agent, path);
            }
        }

        #[test]
        fn wildcards_as_rfc_9309_says(pattern in "[ab*]{0,6}\\$?", path in "[ab]{0,8}") {
            // A reference: the pattern as a regular expression.
            let (body, anchored) = match pattern.strip_suffix('$') {
                Some(body) => (body, true),
                None => (pattern.as_str(), false),
            };
            let regex_match = regex_like(body.as_bytes(), path.as_bytes(), anchored);
            let text = format!("User-agent: *\nDisallow: /{pattern}\n");
            prop_assert_eq!(ours(&text, "bot", &format!("/{path}")), !regex_match);
        }

        #[test]
        fn any_text_compiles_and_answers(text in ".{0,300}", agent in ".{0,10}", path in "/.{0,30}") {
            let rules = RobotsRules::parse(&text);
            let _ = rules.is_allowed(&agent, &path);
        }
    }

    /// Backtracking glob match: `*` any run, anchored or prefix match.
    fn regex_like(pattern: &[u8], path: &[u8], anchored: bool) -> bool {
        match pattern.split_first() {
            None => !anchored || path.is_empty(),
            Some((b'*', rest)) => (0..=path.len()).any(|i| regex_like(rest, &path[i..], anchored)),
            Some((c, rest)) => path.first() == Some(c) && regex_like(rest, &path[1..], anchored),
        }
    }
}
