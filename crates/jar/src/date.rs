//! Dates as cookies and cookie files write them.
//!
//! All times are whole seconds since the Unix epoch (UTC), as `i64`.
//!
//! * [`http2time`], [`iso2time`] and [`str2time`] are the liberal parsers of
//!   Python's `http.cookiejar` (and of ClientCookie before it), used for
//!   `Set-Cookie2`, Netscape `expires` in the seed's policy and cookie files.
//! * [`parse_cookie_date`] is the RFC 6265 §5.1.1 algorithm browsers use for
//!   the `Expires` attribute.
//! * [`time2isoz`] and [`time2netscape`] format times for LWP and Netscape
//!   cookie files.
//!
//! No regular expressions: Python's patterns are matched by hand-written
//! scanners that try the same alternatives in the same order as Python's
//! backtracking engine, so every capture (and hence every result) is the same.
//!
//! Every parser returns only times from `1000-01-01 00:00:00Z` to
//! `9999-12-31 23:59:59Z`: that is what [`time2isoz`] writes with four digits
//! and [`iso2time`] reads back (a year below 1000 would be taken as a
//! two-digit year), so `iso2time(&time2isoz(t)) == Some(t)` for every result.

use std::time::{SystemTime, UNIX_EPOCH};

const SECS_PER_DAY: i64 = 86_400;

/// Earliest time any parser returns: `1000-01-01 00:00:00Z`.
const MIN_TIME: i64 = days_from_civil(1000, 1, 1) * SECS_PER_DAY;
/// Latest time any parser returns: `9999-12-31 23:59:59Z`.
const MAX_TIME: i64 = days_from_civil(9999, 12, 31) * SECS_PER_DAY + SECS_PER_DAY - 1;

/// Python's `int()` refuses strings of more than 4300 digits (CPython 3.11's
/// `sys.int_info.default_max_str_digits`); such fields make Python fail too.
const MAX_INT_DIGITS: usize = 4300;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// ---------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant, "chrono-Compatible Low-Level Date
// Algorithms"): proleptic Gregorian, valid for every year an i64 day count
// can reach.
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of the civil date `y-m-d` (`m` in 1..=12).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March-based month [0, 11]
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month, day)` of a day count since 1970-01-01.
/// Total for every `|z| <= i64::MAX / 86_400 + 1`, which is all callers pass.
const fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m, d)
}

/// Gregorian leap year. Without branches (a cookie's year is as good as
/// random): when `y` is a multiple of 100, it is one of 400 exactly when it
/// is one of 16.
#[inline]
fn is_leap(y: i64) -> bool {
    (y & 3 == 0) & ((y % 100 != 0) | (y & 15 == 0))
}

/// Days in month `m` (1 to 12) of year `y`, without branches: 30 or 31 by
/// the parity of `m + m / 8` (31 for January, March, ..., July, then for
/// August, October, December), February 28 or 29.
#[inline]
fn days_in_month(y: i64, m: i64) -> i64 {
    debug_assert!((1..=12).contains(&m));
    30 + ((m + (m >> 3)) & 1) - i64::from(m == 2) * (2 - i64::from(is_leap(y)))
}

/// Broken-down UTC time of `t`: `(year, month, day, hour, minute, second,
/// weekday)` with Monday = 0 as Python's `datetime.weekday()`.
fn civil_from_time(t: i64) -> (i64, i64, i64, i64, i64, i64, usize) {
    let days = t.div_euclid(SECS_PER_DAY);
    let secs = t.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday (index 3).
    let weekday = (days + 3).rem_euclid(7) as usize;
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60, weekday)
}

/// Python's `cookiejar._timegm`, with its range checks, on fields that are
/// already numbers. Day, hour and second may overflow into the next month,
/// day or minute, exactly as `calendar.timegm` lets them.
///
/// Python also requires `year >= 1970`; we accept any four-digit year
/// instead (see the module doc): a time zone can move a 1970 date back into
/// 1969, and that result must parse back.
pub(crate) fn timegm(year: i64, mon: i64, mday: i64, hour: i64, min: i64, sec: i64) -> Option<i64> {
    let valid = (1000..=9999).contains(&year)
        && (1..=12).contains(&mon)
        && (1..=31).contains(&mday)
        && (0..=24).contains(&hour)
        && (0..=59).contains(&min)
        && (0..=61).contains(&sec);
    if !valid {
        return None;
    }
    let days = days_from_civil(year, mon, 1) + mday - 1;
    Some(days * SECS_PER_DAY + hour * 3600 + min * 60 + sec)
}

/// The current UTC year, for the two-digit-year rule.
///
/// Python uses the *local* year; the two differ only for the hours around
/// New Year, and this crate has no time-zone database.
fn current_year() -> i64 {
    let now = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    civil_from_time(now).0
}

// ---------------------------------------------------------------------------
// Character classes, as Python's `re` module with `re.ASCII` sees them.
// ---------------------------------------------------------------------------

/// `\s` under `re.ASCII`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `\w` under `re.ASCII`.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Python's `str.isspace()`, which `str.lstrip()` uses: Unicode, and wider
/// than Rust's `char::is_whitespace` (it includes U+001C..U+001F).
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

/// Length of the run of bytes matching `pred` starting at `i`.
fn run(b: &[u8], i: usize, pred: impl Fn(u8) -> bool) -> usize {
    b.get(i..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| pred(c)).count())
}

/// Length of the digit run at `i`.
fn digit_run(b: &[u8], i: usize) -> usize {
    run(b, i, |c| c.is_ascii_digit())
}

/// Length of the digit run at `i`, counted up to 8: all the fixed-width
/// fields need. Capping it keeps the backtracking loops linear on long runs.
fn digits(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |rest| {
        rest.iter()
            .take(8)
            .take_while(|c| c.is_ascii_digit())
            .count()
    })
}

/// Index after `\s*` (greedy) at `i`. Nothing in these patterns that follows
/// a `\s*` or `\s+` can start with white space, so backtracking into the run
/// can never succeed and only the longest run needs trying.
fn skip_space(b: &[u8], i: usize) -> usize {
    i + run(b, i, is_space)
}

/// Python's `$` without `re.MULTILINE`: the end, or just before a final `\n`.
fn is_end(b: &[u8], i: usize) -> bool {
    i == b.len() || (i + 1 == b.len() && b[i] == b'\n')
}

/// Python's `int()` on a `\w+` or `\d+` match: ASCII digits, single
/// underscores allowed between digits (PEP 515). Saturates: every caller
/// rejects values this large anyway.
fn py_int(s: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    let mut ndigits = 0usize;
    let mut prev_digit = false;
    for &c in s {
        match c {
            b'0'..=b'9' => {
                value = value.saturating_mul(10).saturating_add(u64::from(c - b'0'));
                ndigits += 1;
                prev_digit = true;
            }
            b'_' if prev_digit => prev_digit = false,
            _ => return None,
        }
    }
    (prev_digit && ndigits <= MAX_INT_DIGITS).then_some(value)
}

fn as_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Number of a month name, case-insensitively (`MONTHS_LOWER.index`).
///
/// The three bytes as one integer with 0x20 OR-ed into each: that
/// lower-cases ASCII letters and maps nothing else onto a lower-case
/// letter. A multiply sends each month's integer to its own slot of a
/// sixteen-entry table, and one compare with the slot tells whether it is
/// that month: the month of a cookie's `Expires` is as good as random, and a
/// `match` (a tree of compares) mispredicted about twice per date.
#[inline(always)]
fn month_from_name(s: &[u8]) -> Option<i64> {
    let key = lower_word(s)?;
    let slot = MONTH_SLOTS[perfect_slot(key, MONTH_MULTIPLIER, 4)];
    (slot.0 == key).then_some(i64::from(slot.1))
}

/// Multiplier that gives each month name's [`lower_word`] its own top four
/// bits (found by a search; the tests check every slot).
const MONTH_MULTIPLIER: u32 = 0x2c4a_3699;
/// Each month's [`lower_word`] and number in the slot [`perfect_slot`]
/// gives it; the other slots hold 0, which no [`lower_word`] is.
const MONTH_SLOTS: [(u32, u8); 16] = {
    let names = [JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC];
    let mut slots = [(0u32, 0u8); 16];
    let mut i = 0;
    while i < names.len() {
        let at = perfect_slot(names[i], MONTH_MULTIPLIER, 4);
        assert!(slots[at].0 == 0, "two months share a slot");
        slots[at] = (names[i], i as u8 + 1);
        i += 1;
    }
    slots
};

/// The top `bits` bits of `key * multiplier`: a slot of a table of
/// `1 << bits` entries.
#[inline(always)]
const fn perfect_slot(key: u32, multiplier: u32, bits: u32) -> usize {
    (key.wrapping_mul(multiplier) >> (32 - bits)) as usize
}

/// Three bytes as one integer with 0x20 OR-ed into each (see
/// [`month_from_name`]); `None` unless there are exactly three.
#[inline(always)]
fn lower_word(s: &[u8]) -> Option<u32> {
    let &[a, b, c] = s else {
        return None;
    };
    Some(word3(&[a | 0x20, b | 0x20, c | 0x20]))
}

const fn word3(s: &[u8; 3]) -> u32 {
    (s[0] as u32) << 16 | (s[1] as u32) << 8 | s[2] as u32
}

const JAN: u32 = word3(b"jan");
const FEB: u32 = word3(b"feb");
const MAR: u32 = word3(b"mar");
const APR: u32 = word3(b"apr");
const MAY: u32 = word3(b"may");
const JUN: u32 = word3(b"jun");
const JUL: u32 = word3(b"jul");
const AUG: u32 = word3(b"aug");
const SEP: u32 = word3(b"sep");
const OCT: u32 = word3(b"oct");
const NOV: u32 = word3(b"nov");
const DEC: u32 = word3(b"dec");

// ---------------------------------------------------------------------------
// Python's `_str2time` and `offset_from_tz_string`.
// ---------------------------------------------------------------------------

/// The fields a date pattern captured, as byte slices of the input.
#[derive(Debug, Default, Clone, Copy)]
struct Fields<'a> {
    day: &'a [u8],
    mon: &'a [u8],
    yr: &'a [u8],
    hr: Option<&'a [u8]>,
    min: Option<&'a [u8]>,
    sec: Option<&'a [u8]>,
    tz: Option<&'a [u8]>,
}

/// Python's two-digit-year rule: a year below 1000 is put in the century
/// that brings it closest to `cur_yr` (within 50 years).
fn obvious_year(yr: i64, cur_yr: i64) -> i64 {
    let m = cur_yr.rem_euclid(100);
    let mut year = yr + cur_yr - m;
    let diff = m - yr;
    if diff.abs() > 50 {
        year += if diff > 0 { 100 } else { -100 };
    }
    year
}

/// Python's `_str2time`: fields to a time, or `None`.
fn str2time_fields(f: &Fields<'_>, cur_yr: i64) -> Option<i64> {
    let mut yr = as_i64(py_int(f.yr)?);
    if yr > 9999 {
        return None;
    }
    let mon = match month_from_name(f.mon) {
        Some(m) => m,
        None => match py_int(f.mon)? {
            m @ 1..=12 => m as i64,
            _ => return None,
        },
    };
    let num = |s: Option<&[u8]>| s.map_or(Some(0), |s| py_int(s).map(as_i64));
    let day = as_i64(py_int(f.day)?);
    let hr = num(f.hr)?;
    let min = num(f.min)?;
    // Python's `int()` raises on ISO fractional seconds ("29.5"); we accept
    // them and drop the fraction.
    let sec = num(f.sec.map(|s| s.split(|&c| c == b'.').next().unwrap_or(s)))?;
    if yr < 1000 {
        yr = obvious_year(yr, cur_yr);
    }
    let t = timegm(yr, mon, day, hr, min, sec)?;
    let tz = f.tz.unwrap_or(b"UTC").to_ascii_uppercase();
    let t = t.checked_sub(offset_from_tz_string(&tz)?)?;
    (MIN_TIME..=MAX_TIME).contains(&t).then_some(t)
}

/// Python's `offset_from_tz_string` on an upper-cased zone: seconds east of
/// UTC. Only the zero-offset names are known; other names are `None`.
fn offset_from_tz_string(tz: &[u8]) -> Option<i64> {
    if matches!(tz, b"GMT" | b"UTC" | b"UT" | b"Z") {
        return Some(0);
    }
    // TIMEZONE_RE = ^([-+])?(\d\d?):?(\d\d)?$
    let (sign, rest) = match tz.first() {
        Some(b'-') => (-1, &tz[1..]),
        Some(b'+') => (1, &tz[1..]),
        _ => (1, tz),
    };
    let n = digits(rest, 0);
    for hlen in [2, 1] {
        if n < hlen {
            continue;
        }
        let hours = as_i64(py_int(&rest[..hlen])?);
        let mut colon_choices = [None, Some(hlen)];
        if at(rest, hlen) == Some(b':') {
            colon_choices[0] = Some(hlen + 1);
        }
        for p in colon_choices.into_iter().flatten() {
            let minutes = if digits(rest, p) >= 2 && is_end(rest, p + 2) {
                Some(as_i64(py_int(&rest[p..p + 2])?))
            } else if is_end(rest, p) {
                Some(0)
            } else {
                None
            };
            if let Some(minutes) = minutes {
                return Some(sign * (hours * 3600 + minutes * 60));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// http2time: STRICT_DATE_RE, WEEKDAY_RE, LOOSE_HTTP_DATE_RE.
// ---------------------------------------------------------------------------

/// STRICT_DATE_RE, `^[SMTWF][a-z][a-z], (\d\d) ([JFMASOND][a-z][a-z])
/// (\d\d\d\d) (\d\d):(\d\d):(\d\d) GMT$`: `Some(result)` when it matches
/// (Python then returns without trying the loose parse).
fn strict_http(b: &[u8]) -> Option<Option<i64>> {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    if b.len() != 29 {
        return None;
    }
    let lower = |i: usize| b[i].is_ascii_lowercase();
    let digit = |i: usize| b[i].is_ascii_digit();
    let ok = b"SMTWF".contains(&b[0])
        && lower(1)
        && lower(2)
        && &b[3..5] == b", "
        && digit(5)
        && digit(6)
        && b[7] == b' '
        && b"JFMASOND".contains(&b[8])
        && lower(9)
        && lower(10)
        && b[11] == b' '
        && (12..16).all(digit)
        && b[16] == b' '
        && digit(17)
        && digit(18)
        && b[19] == b':'
        && digit(20)
        && digit(21)
        && b[22] == b':'
        && digit(23)
        && digit(24)
        && &b[25..] == b" GMT";
    if !ok {
        return None;
    }
    let n = |r: std::ops::Range<usize>| py_int(&b[r]).map_or(0, as_i64);
    // An unknown month name makes Python raise; we just fail.
    let t = month_from_name(&b[8..11])
        .and_then(|mon| timegm(n(12..16), mon, n(5..7), n(17..19), n(20..22), n(23..25)))
        .filter(|t| (MIN_TIME..=MAX_TIME).contains(t));
    Some(t)
}

/// WEEKDAY_RE, `^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)[a-z]*,?\s*` (ignoring
/// case), removed once. Nothing follows it in the pattern, so the greedy
/// match is the one Python removes.
fn strip_weekday(b: &[u8]) -> &[u8] {
    let named = b.len() >= 3
        && DAYS
            .iter()
            .any(|d| d.as_bytes().eq_ignore_ascii_case(&b[..3]));
    if !named {
        return b;
    }
    let mut i = 3 + run(b, 3, |c| c.is_ascii_alphabetic());
    if at(b, i) == Some(b',') {
        i += 1;
    }
    &b[skip_space(b, i)..]
}

/// `(?:\s+|[-\/])`: where the separator can end (one choice at most).
fn loose_sep(b: &[u8], i: usize) -> Option<usize> {
    match at(b, i)? {
        c if is_space(c) => Some(skip_space(b, i)),
        b'-' | b'/' => Some(i + 1),
        _ => None,
    }
}

/// The tail of LOOSE_HTTP_DATE_RE after the optional clock:
/// `\s*(?:([-+]?\d{2,4}|(?![APap][Mm]\b)[A-Za-z]+)\s*)?(?:\(\w+\)\s*)?$`.
/// `Some(tz)` if it matches to the end.
fn loose_tail(b: &[u8], i: usize) -> Option<Option<&[u8]>> {
    // (?:\(\w+\)\s*)?$
    let paren_end = |j: usize| -> bool {
        if at(b, j) == Some(b'(') {
            let w = run(b, j + 1, is_word);
            if w > 0 && at(b, j + 1 + w) == Some(b')') && is_end(b, skip_space(b, j + 2 + w)) {
                return true;
            }
        }
        is_end(b, j)
    };
    let i = skip_space(b, i);
    // Numeric zone, longest first.
    let s = usize::from(matches!(at(b, i), Some(b'-' | b'+')));
    let n = digits(b, i + s).min(4);
    for k in (2..=n).rev() {
        if paren_end(skip_space(b, i + s + k)) {
            return Some(Some(&b[i..i + s + k]));
        }
    }
    // Alphabetic zone, but not "AM"/"PM" (a 12-hour clock is not supported).
    let am_pm = matches!(at(b, i), Some(b'A' | b'P' | b'a' | b'p'))
        && matches!(at(b, i + 1), Some(b'M' | b'm'))
        && !at(b, i + 2).is_some_and(is_word);
    let a = run(b, i, |c| c.is_ascii_alphabetic());
    if !am_pm && a > 0 && paren_end(skip_space(b, i + a)) {
        return Some(Some(&b[i..i + a]));
    }
    paren_end(i).then_some(None)
}

/// The optional clock of LOOSE_HTTP_DATE_RE, `(?:\s+|:)(\d\d?):(\d\d)(?::(\d\d))?`,
/// followed by the tail; tries the alternatives in Python's order.
fn loose_clock_and_tail<'a>(b: &'a [u8], i: usize, f: &mut Fields<'a>) -> bool {
    let start = match at(b, i) {
        Some(c) if is_space(c) => Some(skip_space(b, i)),
        Some(b':') => Some(i + 1),
        _ => None,
    };
    if let Some(h) = start {
        let nh = digits(b, h);
        for hl in [2, 1] {
            let m = h + hl;
            if nh < hl || at(b, m) != Some(b':') || digits(b, m + 1) < 2 {
                continue;
            }
            let after_min = m + 3;
            f.hr = Some(&b[h..m]);
            f.min = Some(&b[m + 1..after_min]);
            if at(b, after_min) == Some(b':') && digits(b, after_min + 1) >= 2 {
                if let Some(tz) = loose_tail(b, after_min + 3) {
                    f.sec = Some(&b[after_min + 1..after_min + 3]);
                    f.tz = tz;
                    return true;
                }
            }
            if let Some(tz) = loose_tail(b, after_min) {
                f.sec = None;
                f.tz = tz;
                return true;
            }
        }
    }
    f.hr = None;
    f.min = None;
    f.sec = None;
    match loose_tail(b, i) {
        Some(tz) => {
            f.tz = tz;
            true
        }
        None => false,
    }
}

/// LOOSE_HTTP_DATE_RE: day, month (name or number), year, optional clock,
/// optional zone, optional `(zone)` comment.
fn loose_http(b: &[u8]) -> Option<Fields<'_>> {
    let nd = digits(b, 0);
    for dl in [2, 1] {
        if nd < dl {
            continue;
        }
        let Some(m) = loose_sep(b, dl) else { continue };
        let ml = run(b, m, is_word);
        if ml == 0 {
            continue;
        }
        let Some(y) = loose_sep(b, m + ml) else {
            continue;
        };
        let ny = digit_run(b, y);
        for yl in (1..=ny).rev() {
            let mut f = Fields {
                day: &b[..dl],
                mon: &b[m..m + ml],
                yr: &b[y..y + yl],
                ..Fields::default()
            };
            if loose_clock_and_tail(b, y + yl, &mut f) {
                return Some(f);
            }
        }
    }
    None
}

/// asctime, `Mon DD hh:mm[:ss] YYYY [zone]` (after the weekday is removed):
/// not read by Python's `http2time`, but one of the three formats RFC 9110
/// §5.6.7 requires HTTP recipients to accept. Only tried when the loose
/// pattern fails, so it never changes a result Python gives.
fn asctime(b: &[u8]) -> Option<Fields<'_>> {
    if b.len() < 3 || month_from_name(&b[..3]).is_none() {
        return None;
    }
    let d = skip_space(b, 3);
    let nd = digits(b, d);
    if d == 3 || !(1..=2).contains(&nd) {
        return None;
    }
    let h = skip_space(b, d + nd);
    let nh = digits(b, h);
    if h == d + nd || !(1..=2).contains(&nh) || at(b, h + nh) != Some(b':') {
        return None;
    }
    let m = h + nh + 1;
    if digits(b, m) != 2 {
        return None;
    }
    let (sec, after) = if at(b, m + 2) == Some(b':') && digits(b, m + 3) == 2 {
        (Some(&b[m + 3..m + 5]), m + 5)
    } else {
        (None, m + 2)
    };
    let y = skip_space(b, after);
    let ny = digit_run(b, y);
    if y == after || ny == 0 {
        return None;
    }
    let tz = loose_tail(b, y + ny)?;
    Some(Fields {
        day: &b[d..d + nd],
        mon: &b[..3],
        yr: &b[y..y + ny],
        hr: Some(&b[h..h + nh]),
        min: Some(&b[m..m + 2]),
        sec,
        tz,
    })
}

/// Python's `str.lstrip()`.
fn py_lstrip(text: &str) -> &str {
    text.trim_start_matches(is_py_space)
}

fn http2time_at(text: &str, cur_yr: i64) -> Option<i64> {
    if let Some(t) = strict_http(text.as_bytes()) {
        return t;
    }
    let b = strip_weekday(py_lstrip(text).as_bytes());
    let fields = loose_http(b).or_else(|| asctime(b))?;
    str2time_fields(&fields, cur_yr)
}

// ---------------------------------------------------------------------------
// iso2time: ISO_DATE_RE.
// ---------------------------------------------------------------------------

/// The tail of ISO_DATE_RE after the optional clock:
/// `\s*(?:([-+]?\d\d?:?(:?\d\d)?|Z|z)\s*)?$`. `Some(tz)` if it matches.
fn iso_tail(b: &[u8], i: usize) -> Option<Option<&[u8]>> {
    let i = skip_space(b, i);
    let ends = |j: usize| is_end(b, skip_space(b, j));
    let s = usize::from(matches!(at(b, i), Some(b'-' | b'+')));
    let h = i + s;
    let nh = digits(b, h);
    for hl in [2, 1] {
        if nh < hl {
            continue;
        }
        let c = h + hl;
        let colon = [(at(b, c) == Some(b':')).then_some(c + 1), Some(c)];
        for p in colon.into_iter().flatten() {
            // (:?\d\d)?
            let colon2 = [(at(b, p) == Some(b':')).then_some(p + 1), Some(p)];
            for q in colon2.into_iter().flatten() {
                if digits(b, q) >= 2 && ends(q + 2) {
                    return Some(Some(&b[i..q + 2]));
                }
            }
            if ends(p) {
                return Some(Some(&b[i..p]));
            }
        }
    }
    if matches!(at(b, i), Some(b'Z' | b'z')) && ends(i + 1) {
        return Some(Some(&b[i..i + 1]));
    }
    is_end(b, i).then_some(None)
}

/// The optional clock of ISO_DATE_RE,
/// `(?:\s+|[-:Tt])(\d\d?):?(\d\d)(?::?(\d\d(?:\.\d*)?))?`, then the tail.
fn iso_clock_and_tail<'a>(b: &'a [u8], i: usize, f: &mut Fields<'a>) -> bool {
    let start = match at(b, i) {
        Some(c) if is_space(c) => Some(skip_space(b, i)),
        Some(b'-' | b':' | b'T' | b't') => Some(i + 1),
        _ => None,
    };
    if let Some(h) = start {
        let nh = digits(b, h);
        for hl in [2, 1] {
            if nh < hl {
                continue;
            }
            let c = h + hl;
            let colon = [(at(b, c) == Some(b':')).then_some(c + 1), Some(c)];
            for m in colon.into_iter().flatten() {
                if digits(b, m) < 2 {
                    continue;
                }
                f.hr = Some(&b[h..c]);
                f.min = Some(&b[m..m + 2]);
                let after_min = m + 2;
                // Seconds, with an optional colon and fraction.
                let colon2 = [
                    (at(b, after_min) == Some(b':')).then_some(after_min + 1),
                    Some(after_min),
                ];
                for s in colon2.into_iter().flatten() {
                    if digits(b, s) < 2 {
                        continue;
                    }
                    let mut ends = Vec::new();
                    if at(b, s + 2) == Some(b'.') {
                        let nf = digit_run(b, s + 3);
                        ends.extend((0..=nf).rev().map(|k| s + 3 + k));
                    }
                    ends.push(s + 2);
                    for e in ends {
                        if let Some(tz) = iso_tail(b, e) {
                            f.sec = Some(&b[s..e]);
                            f.tz = tz;
                            return true;
                        }
                    }
                }
                if let Some(tz) = iso_tail(b, after_min) {
                    f.sec = None;
                    f.tz = tz;
                    return true;
                }
            }
        }
    }
    f.hr = None;
    f.min = None;
    f.sec = None;
    match iso_tail(b, i) {
        Some(tz) => {
            f.tz = tz;
            true
        }
        None => false,
    }
}

/// ISO_DATE_RE: `YYYY[-/]?M[M][-/]?D[D]`, optional clock, optional zone.
fn iso_date(b: &[u8]) -> Option<Fields<'_>> {
    if digits(b, 0) < 4 {
        return None;
    }
    let yr = &b[..4];
    let sep = |i: usize| {
        [
            matches!(at(b, i), Some(b'-' | b'/')).then_some(i + 1),
            Some(i),
        ]
    };
    for mstart in sep(4).into_iter().flatten() {
        let nm = digits(b, mstart);
        for ml in [2, 1] {
            if nm < ml {
                continue;
            }
            for dstart in sep(mstart + ml).into_iter().flatten() {
                let nd = digits(b, dstart);
                for dl in [2, 1] {
                    if nd < dl {
                        continue;
                    }
                    let mut f = Fields {
                        day: &b[dstart..dstart + dl],
                        mon: &b[mstart..mstart + ml],
                        yr,
                        ..Fields::default()
                    };
                    if iso_clock_and_tail(b, dstart + dl, &mut f) {
                        return Some(f);
                    }
                }
            }
        }
    }
    None
}

fn iso2time_at(text: &str, cur_yr: i64) -> Option<i64> {
    let fields = iso_date(py_lstrip(text).as_bytes())?;
    str2time_fields(&fields, cur_yr)
}

// ---------------------------------------------------------------------------
// Public API.
// ---------------------------------------------------------------------------

/// Liberal date parser of the seed: tries [`http2time`], then [`iso2time`].
///
/// Returns seconds since the Unix epoch, or `None` if the text is no date
/// in a format below, names an unknown time zone, or lies outside
/// `1000-01-01 00:00:00Z ..= 9999-12-31 23:59:59Z`.
///
/// | Format | Example |
/// |---|---|
/// | RFC 1123 (HTTP) | `Wed, 09 Feb 1994 22:23:32 GMT` |
/// | RFC 850 | `Wednesday, 09-Feb-94 22:23:32 GMT` |
/// | RFC 850 with a four-digit year | `Tuesday, 08-Feb-1994 14:15:29 GMT` |
/// | asctime | `Wed Feb  9 22:23:32 1994` |
/// | RFC 1123 without weekday | `09 Feb 1994 22:23:32 GMT` |
/// | RFC 850 without weekday | `08-Feb-94 14:15:29 GMT` |
/// | RFC 850, four-digit year, no weekday | `08-Feb-1994 14:15:29 GMT` |
/// | date only | `08-Feb-1994` |
/// | no seconds | `08-Feb-1994 14:15 GMT` |
/// | numeric month | `08-02-1994 14:15:29` |
/// | common log format | `08/Feb/1994:14:15:29 -0100` |
/// | zone comment | `Wed, 09 Feb 1994 22:23:32 +0000 (UTC)` |
/// | ISO 8601 | `1994-02-08 14:15:29 -0100` |
/// | ISO 8601 without zone (UTC) | `1994-02-08 14:15:29` |
/// | ISO 8601 with `T` | `1994-02-08T14:15:29Z` |
/// | ISO 8601 compact | `19940208T141529Z` |
/// | ISO 8601 date only | `1994-02-08`, `19940208` |
/// | ISO 8601 with slashes | `1994/02/08 14:15:29` |
/// | ISO 8601 fractional seconds (truncated) | `1994-02-08T14:15:29.75Z` |
///
/// Time zones: the names `GMT`, `UTC`, `UT` and `Z` (any case), numeric
/// offsets `+0100`, `-0800`, `+01`, `-130`, and in ISO dates also `+01:00`.
/// Other names (`EST`, `BST`) are unknown and give `None`, as in Python.
/// Without a zone the time is UTC. Leading and trailing white space is
/// ignored; hour 24 and seconds 60 and 61 roll over as in Python.
///
/// Two-digit (and three-digit) years go to the century that puts them
/// within 50 years of the current year, read from the system clock as Python
/// does (`94` is 1994 until 2044).
///
/// ```
/// use clientcookie_jar::date::str2time;
/// assert_eq!(str2time("Wed, 09 Feb 1994 22:23:32 GMT"), Some(760832612));
/// assert_eq!(str2time("1994-02-09T22:23:32Z"), Some(760832612));
/// assert_eq!(str2time("no date"), None);
/// ```
pub fn str2time(text: &str) -> Option<i64> {
    http2time(text).or_else(|| iso2time(text))
}

/// Python's `http.cookiejar.http2time`: HTTP and Netscape cookie dates.
///
/// Reads every form Python 3.11 reads, with the same result: RFC 1123,
/// RFC 850 (two- or four-digit year), all of them with or without weekday,
/// time or zone, `-` or `/` or spaces between date fields. It also reads
/// asctime (`Wed Feb  9 22:23:32 1994`), which Python does not. See
/// [`str2time`] for the full list, zones and the two-digit-year rule.
///
/// ```
/// use clientcookie_jar::date::http2time;
/// assert_eq!(http2time("Wed, 09 Feb 1994 22:23:32 GMT"), Some(760832612));
/// assert_eq!(http2time("08-Feb-1994 14:15:29 -0100"), Some(760720529));
/// assert_eq!(http2time("08-Feb-1994 14:15:29 EST"), None); // unknown zone
/// ```
pub fn http2time(text: &str) -> Option<i64> {
    http2time_at(text, current_year())
}

/// Python's `http.cookiejar.iso2time`: ISO 8601 dates as LWP cookie files
/// write them (`1994-02-03 14:15:29Z`) and the usual variants: `T` or
/// space between date and time, compact `19940203T141529Z`, date only, with
/// or without zone. Fractional seconds are truncated (Python raises on them).
///
/// ```
/// use clientcookie_jar::date::iso2time;
/// assert_eq!(iso2time("1994-02-03 14:15:29 -0100"), Some(760288529));
/// assert_eq!(iso2time("19940203T141529Z"), Some(760284929));
/// assert_eq!(iso2time("1994-02-03"), Some(760233600));
/// ```
pub fn iso2time(text: &str) -> Option<i64> {
    iso2time_at(text, current_year())
}

/// RFC 6265 §5.1.1 delimiter: `%x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E`.
fn is_cookie_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2f | 0x3b..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e)
}

/// `1*nDIGIT [ non-digit *OCTET ]` (the brackets are RFC 6265bis's fix of
/// the §5.1.1 grammar): the value of a leading run of `min..=max` digits.
fn cookie_digits(token: &[u8], min: usize, max: usize) -> Option<i64> {
    let n = digits(token, 0);
    if !(min..=max).contains(&n) {
        return None;
    }
    Some(
        token[..n]
            .iter()
            .fold(0, |v, &c| v * 10 + i64::from(c - b'0')),
    )
}

/// `hms-time [ non-digit *OCTET ]`, `hms-time = time-field ":" time-field
/// ":" time-field`, `time-field = 1*2DIGIT`.
fn cookie_time(token: &[u8]) -> Option<(i64, i64, i64)> {
    let mut fields = [0i64; 3];
    let mut i = 0;
    for (k, field) in fields.iter_mut().enumerate() {
        let n = digits(token, i);
        if !(1..=2).contains(&n) {
            return None;
        }
        *field = cookie_digits(&token[i..], 1, 2)?;
        i += n;
        if k < 2 {
            if at(token, i) != Some(b':') {
                return None;
            }
            i += 1;
        }
    }
    Some((fields[0], fields[1], fields[2]))
}

/// RFC 6265 §5.1.1, the cookie-date algorithm browsers use for `Expires`.
///
/// The date is split into tokens at delimiters (anything but letters,
/// digits, `:` and bytes outside printable ASCII); the first token that
/// looks like a time, day of month, month and year fills each field, in
/// that order of preference; everything else is ignored. Two-digit years
/// 70–99 are 19xx and 0–69 are 20xx. The date fails if a field is missing,
/// out of range or does not exist (`31 Feb`), or the year is before 1601.
/// Any bytes are accepted; no time zone is read (all times are UTC).
///
/// ```
/// use clientcookie_jar::date::parse_cookie_date;
/// assert_eq!(parse_cookie_date(b"Wed, 09 Feb 1994 22:23:32 GMT"), Some(760832612));
/// assert_eq!(parse_cookie_date(b"22:23:32 1994 feb 9"), Some(760832612));
/// assert_eq!(parse_cookie_date(b"Wed, 31 Feb 1994 22:23:32 GMT"), None);
/// ```
pub fn parse_cookie_date(bytes: &[u8]) -> Option<i64> {
    match fixdate_fields(bytes) {
        Some(fields) => {
            let t = cookie_date_from_fields(fields);
            // Every debug build (the tests, the `str2time` and `set_cookie`
            // fuzz targets) checks the shortcut against the algorithm.
            debug_assert_eq!(t, parse_cookie_date_general(bytes), "{bytes:?}");
            t
        }
        None => parse_cookie_date_general(bytes),
    }
}

/// [`parse_cookie_date`] without the fixed-offset shortcut: the algorithm
/// as RFC 6265 §5.1.1 writes it, and the reference the shortcut is tested
/// against.
fn parse_cookie_date_general(bytes: &[u8]) -> Option<i64> {
    let mut time = None;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for token in bytes.split(|&b| is_cookie_delimiter(b)) {
        if token.is_empty() {
            continue;
        }
        if time.is_none() {
            if let Some(hms) = cookie_time(token) {
                time = Some(hms);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = cookie_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() && token.len() >= 3 {
            if let Some(m) = month_from_name(&token[..3]) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = cookie_digits(token, 2, 4) {
                year = Some(y);
            }
        }
    }
    cookie_date_from_fields(((time?), day?, month?, year?))
}

type CookieDateFields = ((i64, i64, i64), i64, i64, i64);

/// The fields of the two forms servers nearly always send, read at fixed
/// offsets: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` and the Netscape
/// `Sun, 06-Nov-1994 08:49:37 GMT`. `None` for anything else, which then
/// takes the general algorithm. The result is the one the tokenizer gives
/// for the same bytes (the weekday, a weekday name, is neither a month nor
/// digits nor a time, so it is skipped there too); a property test checks
/// it on these shapes and on every one-byte change of them.
///
/// The punctuation and the digits are checked a word (eight bytes) at a
/// time: a date costs about a third of what byte-by-byte tests did.
#[inline]
fn fixdate_fields(b: &[u8]) -> Option<CookieDateFields> {
    // Offsets:  0123456789012345678901234567 8
    //          "Sun, 06 Nov 1994 08:49:37 GMT"
    let b: &[u8; 29] = b.try_into().ok()?;
    let word = |at: usize| -> u64 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let (w0, w1, w2, w3) = (word(0), word(8), word(16), word(21));
    // The bytes of `w` under `mask` equal those of `expected`.
    let same = |w: u64, mask: u64, expected: u64| w & mask == expected & mask;
    // The bytes of `w` under `mask` are ASCII digits: 0x30..=0x39, so 0x3_
    // before and after adding 6 (no carry: every byte is below 0x40 when
    // the first test holds).
    let digits = |w: u64, mask: u64| {
        const HIGH: u64 = 0xf0f0_f0f0_f0f0_f0f0;
        const ZEROS: u64 = 0x3030_3030_3030_3030;
        const SIXES: u64 = 0x0606_0606_0606_0606;
        // Wrapping: the sum is only looked at when the first test holds.
        let plus_six = (w & mask).wrapping_add(SIXES & mask);
        same(w, mask & HIGH, ZEROS) & same(plus_six, mask & HIGH, ZEROS)
    };
    let separator = b[7];
    // `&` and `|`, not `&&` and `||`: every test is cheap, and one branch
    // on all of them is predictable where eight on the separator and the
    // digits were not.
    let shape = same(w0, 0x0000_00ff_ff00_0000, u64::from_le_bytes(*b"xxx, xxx"))
        & ((separator == b' ') | (separator == b'-'))
        & (b[11] == separator)
        & same(w2, 0x00ff_0000_ff00_00ff, u64::from_le_bytes(*b" xx:xx:x"))
        & same(w3, 0xffff_ffff_0000_0000, u64::from_le_bytes(*b"xxxx GMT"))
        & digits(w0, 0x00ff_ff00_0000_0000)
        & digits(w1, 0xffff_ffff_0000_0000)
        & digits(w2, 0xff00_ffff_00ff_ff00)
        & digits(w3, 0x0000_0000_ff00_0000)
        & is_weekday(&b[0..3]);
    if !shape {
        return None;
    }
    let digit = |i: usize| i64::from(b[i] - b'0');
    let two = |i: usize| digit(i) * 10 + digit(i + 1);
    let month = month_from_name(&b[8..11])?;
    let year = two(12) * 100 + two(14);
    Some(((two(17), two(20), two(23)), two(5), month, year))
}

/// Whether three bytes are a weekday name, in any case: one table slot and
/// one compare, as [`month_from_name`].
#[inline(always)]
fn is_weekday(s: &[u8]) -> bool {
    /// Multiplier that gives each weekday's [`lower_word`] its own top
    /// three bits.
    const MULTIPLIER: u32 = 0x9b41;
    const SLOTS: [u32; 8] = {
        let names = [
            word3(b"sun"),
            word3(b"mon"),
            word3(b"tue"),
            word3(b"wed"),
            word3(b"thu"),
            word3(b"fri"),
            word3(b"sat"),
        ];
        let mut slots = [0u32; 8];
        let mut i = 0;
        while i < names.len() {
            let at = perfect_slot(names[i], MULTIPLIER, 3);
            assert!(slots[at] == 0, "two weekdays share a slot");
            slots[at] = names[i];
            i += 1;
        }
        slots
    };
    lower_word(s).is_some_and(|key| SLOTS[perfect_slot(key, MULTIPLIER, 3)] == key)
}

/// RFC 6265 §5.1.1 steps 3 to 6 on the fields found.
#[inline]
fn cookie_date_from_fields(fields: CookieDateFields) -> Option<i64> {
    let ((hour, minute, second), day, month, mut year) = fields;
    // Steps 3 and 4: two-digit years.
    match year {
        70..=99 => year += 1900,
        0..=69 => year += 2000,
        _ => {}
    }
    // Step 5: out-of-range fields; step 6: dates that do not exist.
    // Without short circuits (one branch, see `fixdate_fields`); the day is
    // tested against 1..=31 before `days_in_month` would matter.
    if (year < 1601)
        | !(1..=31).contains(&day)
        | (day > days_in_month(year, month))
        | (hour > 23)
        | (minute > 59)
        | (second > 59)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * SECS_PER_DAY + hour * 3600 + minute * 60 + second)
}

/// `YYYY-MM-DD hh:mm:ssZ` in UTC (Python's `time2isoz`, used by LWP cookie
/// files). Never fails: years beyond four digits are written in full.
///
/// ```
/// use clientcookie_jar::date::time2isoz;
/// assert_eq!(time2isoz(785666977), "1994-11-24 08:49:37Z");
/// assert_eq!(time2isoz(0), "1970-01-01 00:00:00Z");
/// ```
pub fn time2isoz(t: i64) -> String {
    let (y, mo, d, h, mi, s, _) = civil_from_time(t);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}Z")
}

/// [`time2isoz`] appended to `out`, without the formatting machinery (an
/// LWP file of 100,000 cookies writes 100,000 of these).
pub(crate) fn push_isoz(out: &mut String, t: i64) {
    let (y, mo, d, h, mi, s, _) = civil_from_time(t);
    if !(0..=9999).contains(&y) {
        out.push_str(&time2isoz(t));
        return;
    }
    let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let [y0, y1] = two(y / 100);
    let [y2, y3] = two(y % 100);
    let [mo0, mo1] = two(mo);
    let [d0, d1] = two(d);
    let [h0, h1] = two(h);
    let [mi0, mi1] = two(mi);
    let [s0, s1] = two(s);
    let bytes = [
        y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b' ', h0, h1, b':', mi0, mi1, b':', s0, s1,
        b'Z',
    ];
    // Only ASCII digits and punctuation were written.
    out.push_str(std::str::from_utf8(&bytes).unwrap_or_default());
}

/// `Wdy, DD-Mon-YYYY HH:MM:SS GMT` in UTC (Python's `time2netscape`, the
/// Netscape cookie `expires` format). Never fails.
///
/// ```
/// use clientcookie_jar::date::time2netscape;
/// assert_eq!(time2netscape(785666977), "Thu, 24-Nov-1994 08:49:37 GMT");
/// assert_eq!(time2netscape(0), "Thu, 01-Jan-1970 00:00:00 GMT");
/// ```
pub fn time2netscape(t: i64) -> String {
    let (y, mo, d, h, mi, s, wd) = civil_from_time(t);
    // `mo` is always 1..=12 and `wd` 0..=6.
    let mon = MONTHS[(mo - 1) as usize];
    format!(
        "{}, {d:02}-{mon}-{y:04} {h:02}:{mi:02}:{s:02} GMT",
        DAYS[wd]
    )
}

#[cfg(test)]
mod tests {
    //! Expected values were produced by running CPython 3.11.7's
    //! `http.cookiejar.http2time` / `iso2time` (or `calendar.timegm` where
    //! Python does not read the format) on this machine in 2026.
    use super::*;
    use proptest::prelude::*;

    /// The year the expected values were computed in, for the two-digit-year
    /// rule; tests of two-digit years use it instead of the clock.
    const PY_YEAR: i64 = 2026;

    fn http(s: &str) -> Option<i64> {
        http2time_at(s, PY_YEAR)
    }

    fn iso(s: &str) -> Option<i64> {
        iso2time_at(s, PY_YEAR)
    }

    // --- One test per format listed in the doc of `str2time`. ---

    #[test]
    fn rfc1123() {
        assert_eq!(http("Wed, 09 Feb 1994 22:23:32 GMT"), Some(760832612));
        assert_eq!(str2time("Wed, 09 Feb 1994 22:23:32 GMT"), Some(760832612));
    }

    #[test]
    fn rfc850() {
        assert_eq!(http("Wednesday, 09-Feb-94 22:23:32 GMT"), Some(760832612));
    }

    #[test]
    fn rfc850_four_digit_year() {
        assert_eq!(http("Tuesday, 08-Feb-1994 14:15:29 GMT"), Some(760716929));
    }

    #[test]
    fn asctime() {
        // Python's http2time returns None; the value is Python's
        // calendar.timegm(time.strptime(s, "%a %b %d %H:%M:%S %Y")).
        assert_eq!(http("Wed Feb  9 22:23:32 1994"), Some(760832612));
        assert_eq!(str2time("Wed Feb  9 22:23:32 1994"), Some(760832612));
        assert_eq!(http("Mon Dec 10 16:32:30 2007 GMT"), Some(1197304350));
        assert_eq!(http("Wed Feb  9 22:23:32 1994 EST"), None);
    }

    #[test]
    fn rfc1123_without_weekday() {
        assert_eq!(http("09 Feb 1994 22:23:32 GMT"), Some(760832612));
    }

    #[test]
    fn rfc850_without_weekday() {
        assert_eq!(http("08-Feb-94 14:15:29 GMT"), Some(760716929));
    }

    #[test]
    fn rfc850_four_digit_year_without_weekday() {
        assert_eq!(http("08-Feb-1994 14:15:29 GMT"), Some(760716929));
    }

    #[test]
    fn date_only() {
        assert_eq!(http("08-Feb-1994"), Some(760665600));
    }

    #[test]
    fn no_seconds() {
        assert_eq!(http("08-Feb-1994 14:15 GMT"), Some(760716900));
    }

    #[test]
    fn numeric_month() {
        assert_eq!(http("08-02-1994 14:15:29"), Some(760716929));
        // Python's int() reads "0_2" as 2.
        assert_eq!(http("08-0_2-1994"), Some(760665600));
        assert_eq!(http("08-13-1994"), None);
        assert_eq!(http("08-February-1994"), None);
    }

    #[test]
    fn common_log_format() {
        assert_eq!(http("08/Feb/1994:14:15:29 -0100"), Some(760720529));
    }

    #[test]
    fn zone_comment() {
        assert_eq!(
            http("Wed, 09 Feb 1994 22:23:32 +0000 (UTC)"),
            Some(760832612)
        );
    }

    #[test]
    fn iso8601() {
        assert_eq!(iso("1994-02-08 14:15:29 -0100"), Some(760720529));
        assert_eq!(str2time("1994-02-08 14:15:29 -0100"), Some(760720529));
    }

    #[test]
    fn iso8601_without_zone() {
        assert_eq!(iso("1994-02-08 14:15:29"), Some(760716929));
    }

    #[test]
    fn iso8601_t_separator() {
        assert_eq!(iso("1994-02-08T14:15:29Z"), Some(760716929));
        assert_eq!(iso("1994-02-08t14:15:29z"), Some(760716929));
    }

    #[test]
    fn iso8601_compact() {
        assert_eq!(iso("19940208T141529Z"), Some(760716929));
    }

    #[test]
    fn iso8601_date_only() {
        assert_eq!(iso("1994-02-08"), Some(760665600));
        assert_eq!(iso("19940208"), Some(760665600));
    }

    #[test]
    fn iso8601_slashes() {
        assert_eq!(iso("1994/02/08 14:15:29"), Some(760716929));
    }

    #[test]
    fn iso8601_fractional_seconds() {
        // Python raises ValueError on int("29.75"); we truncate, which gives
        // Python's value for "1994-02-08T14:15:29Z".
        assert_eq!(iso("1994-02-08T14:15:29.75Z"), Some(760716929));
        assert_eq!(iso("1994-02-08T14:15:29.Z"), Some(760716929));
    }

    #[test]
    fn isoz() {
        assert_eq!(iso("1994-11-24 08:49:37Z"), Some(785666977));
        assert_eq!(iso(&time2isoz(785666977)), Some(785666977));
    }

    #[test]
    fn numeric_time_zones() {
        let base = "08-Feb-1994 14:15:29 ";
        for (zone, want) in [
            ("+0100", 760713329),
            ("-0800", 760745729),
            ("+01", 760713329),
            ("-130", 760722329),
            ("0100", 760713329),
            ("-0100", 760720529),
        ] {
            assert_eq!(http(&format!("{base}{zone}")), Some(want), "{zone}");
        }
        assert_eq!(iso("1994-02-08T14:15:29+01:00"), Some(760713329));
        assert_eq!(iso("1994020314"), Some(760183200)); // bare "14" is +14:00
    }

    #[test]
    fn named_time_zones() {
        for zone in ["GMT", "UTC", "UT", "Z", "gmt", "utc"] {
            assert_eq!(
                http(&format!("08-Feb-1994 14:15:29 {zone}")),
                Some(760716929),
                "{zone}"
            );
        }
        // Only zero-offset names are known, as in Python.
        assert_eq!(http("08-Feb-1994 14:15:29 EST"), None);
        assert_eq!(http("08-Feb-1994 14:15:29 BST"), None);
    }

    // --- Rules shared by the formats. ---

    #[test]
    fn am_pm_is_rejected() {
        assert_eq!(http("08-Feb-1994 14:15:29 PM"), None);
        assert_eq!(http("08-Feb-1994 02:15:29 am"), None);
    }

    #[test]
    fn surrounding_white_space() {
        assert_eq!(http("  08-Feb-1994 14:15:29 GMT  \n"), Some(760716929));
        // str.lstrip() strips Unicode white space, including U+001C.
        assert_eq!(http("\u{a0}\u{1c}08-Feb-1994"), Some(760665600));
        assert_eq!(http("Wed, 09 Feb 1994 22:23:32 GMT\n"), Some(760832612));
    }

    #[test]
    fn overflowing_fields_roll_over_like_timegm() {
        assert_eq!(http("31-Dec-1994 24:00:00"), Some(788918400));
        assert_eq!(http("31-Dec-1994 23:59:60"), Some(788918400));
        assert_eq!(http("31-Dec-1994 23:59:61"), Some(788918401));
        assert_eq!(http("31-Feb-1994"), Some(762652800));
        assert_eq!(http("31-Dec-1994 23:59:62"), None);
        assert_eq!(http("32-Jan-1994"), None);
    }

    #[test]
    fn two_digit_years_follow_the_clock() {
        assert_eq!(http("09 Feb 69"), Some(3127593600));
        assert_eq!(http("09 Feb 76"), Some(3348432000));
        assert_eq!(http("09 Feb 77"), Some(224294400));
        assert_eq!(http("09 Feb 999"), Some(29319840000));
        assert_eq!(http("08-Feb-0094"), Some(760665600));
        assert_eq!(obvious_year(94, 2044), 2094);
        assert_eq!(obvious_year(94, 2043), 1994);
        // The public function reads the clock.
        assert_eq!(
            http2time("09 Feb 94"),
            http2time_at("09 Feb 94", current_year())
        );
    }

    #[test]
    fn strict_rfc1123_does_not_fall_back() {
        // Python's fast path rejects year 94 rather than reading it loosely.
        assert_eq!(http("Wed, 09 Feb 0094 22:23:32 GMT"), None);
    }

    #[test]
    fn regex_backtracking_matches_python() {
        assert_eq!(http("08-Feb-1994 10:00:0012"), Some(760658400));
        assert_eq!(http("01-Jan-1970 00:00:00 +0100"), Some(-3600));
    }

    #[test]
    fn range_limits() {
        assert_eq!(http("31-Dec-9999 23:59:59"), Some(253402300799));
        // Python returns a year-10000 time here, which no four-digit
        // formatter can write back.
        assert_eq!(http("31-Dec-9999 24:00:00"), None);
        assert_eq!(iso("9999-12-31 23:59:59 -0100"), None);
        assert_eq!(iso("1000-01-01"), Some(-30610224000));
        assert_eq!(iso("1000-01-01 00:00 +0100"), None);
        // Python rejects years before 1970; see the module doc.
        assert_eq!(iso("1969-12-31 23:00:00Z"), Some(-3600));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "   ",
            "garbage",
            "09 Feb 10000",
            "Wed, 09 Jxx 1994 22:23:32 GMT",
        ] {
            assert_eq!(str2time(s), None, "{s:?}");
        }
    }

    #[test]
    fn long_inputs_stay_linear() {
        // Each of these took quadratic time in a naive backtracking scan.
        let n = 100_000;
        let ones = "1".repeat(n);
        let spaces = " ".repeat(n);
        for s in [
            format!("08-Feb-{ones}:"),
            format!("1994-02-03T14:15:29.{ones}:00"),
            format!("1994-02-03T14:15:29.{ones}x"),
            format!("Feb 9 1:00 {ones}:"),
            format!("08-Feb-1994{spaces}x"),
            format!("1994-02-03{spaces}x"),
            format!("Wed{}", "a".repeat(n)),
            format!("08-Feb-1994 ({}", "a".repeat(n)),
        ] {
            let _ = str2time(&s);
            let _ = parse_cookie_date(s.as_bytes());
        }
    }

    // --- time2isoz / time2netscape ---

    #[test]
    fn formatters() {
        assert_eq!(time2isoz(785666977), "1994-11-24 08:49:37Z");
        assert_eq!(time2netscape(785666977), "Thu, 24-Nov-1994 08:49:37 GMT");
        assert_eq!(time2isoz(-1), "1969-12-31 23:59:59Z");
        assert_eq!(time2netscape(951782400), "Tue, 29-Feb-2000 00:00:00 GMT");
        assert_eq!(time2isoz(MAX_TIME), "9999-12-31 23:59:59Z");
        assert_eq!(time2isoz(MIN_TIME), "1000-01-01 00:00:00Z");
        // Total on every i64.
        let _ = (time2isoz(i64::MIN), time2netscape(i64::MAX));
    }

    // --- RFC 6265 §5.1.1 ---

    #[test]
    fn cookie_date_with_trailing_attributes() {
        let t = Some(1565165059); // 2019-08-07 08:04:19Z
        assert_eq!(
            parse_cookie_date(b"Fri 07 Aug 2019 08:04:19 GMT, baz=qux"),
            t
        );
        assert_eq!(
            parse_cookie_date(b"Fri, 07-Aug-2019 08:04:19 GMT; Path=/"),
            t
        );
    }

    #[test]
    fn cookie_date_http_state_examples() {
        // abarth/http-state tests/data/dates/examples.json
        for (input, want) in [
            ("Mon, 10-Dec-2007 17:02:24 GMT", Some(1197306144)),
            ("Wed, 09 Dec 2009 16:27:23 GMT", Some(1260376043)),
            ("Thursday, 01-Jan-1970 00:00:00 GMT", Some(0)),
            ("Mon Dec 10 16:32:30 2007 GMT", Some(1197304350)),
            ("Wednesday, 01-Jan-10 00:00:00 GMT", Some(1262304000)),
            ("Mon, 10-Dec-07 20:35:03 GMT", Some(1197318903)),
            ("Wed, 1 Jan 2020 00:00:00 GMT", Some(1577836800)),
            ("Saturday, 8-Dec-2012 21:24:09 GMT", Some(1355001849)),
            ("Thu, 31 Dec 23:55:55 2037 GMT", Some(2145916555)),
            ("Sun,  9 Dec 2012 13:42:05 GMT", Some(1355060525)),
            ("Wed Dec 12 2007 08:44:07 GMT-0500 (EST)", Some(1197449047)),
            ("Mon, 01-Jan-2011 00: 00:00 GMT", None),
            ("Sun, 1-Jan-1995 00:00:00 GMT", Some(788918400)),
            ("Wednesday, 01-Jan-10 0:0:00 GMT", Some(1262304000)),
            ("Thu, 10 Dec 2009 13:57:2 GMT", Some(1260453422)),
        ] {
            assert_eq!(parse_cookie_date(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn cookie_date_two_digit_years() {
        assert_eq!(parse_cookie_date(b"01 Jan 70 00:00:00"), Some(0));
        assert_eq!(parse_cookie_date(b"31 Dec 69 23:59:59"), Some(3155759999));
        assert_eq!(parse_cookie_date(b"01 Jan 0070 00:00:00"), Some(0));
    }

    #[test]
    fn cookie_date_year_before_1601_fails() {
        assert_eq!(
            parse_cookie_date(b"01 Jan 1601 00:00:00"),
            Some(-11644473600)
        );
        assert_eq!(parse_cookie_date(b"31 Dec 1600 23:59:59"), None);
        assert_eq!(parse_cookie_date(b"01 Jan 999 00:00:00"), None);
    }

    #[test]
    fn cookie_date_field_ranges() {
        assert_eq!(parse_cookie_date(b"29 Feb 2000 00:00:00"), Some(951782400));
        assert_eq!(parse_cookie_date(b"29 Feb 1900 00:00:00"), None); // no such date
        assert_eq!(parse_cookie_date(b"31 Apr 2000 00:00:00"), None);
        assert_eq!(parse_cookie_date(b"0 Jan 2000 00:00:00"), None);
        assert_eq!(parse_cookie_date(b"32 Jan 2000 00:00:00"), None);
        assert_eq!(parse_cookie_date(b"01 Jan 2000 24:00:00"), None);
        assert_eq!(parse_cookie_date(b"01 Jan 2000 00:60:00"), None);
        assert_eq!(parse_cookie_date(b"01 Jan 2000 00:00:60"), None);
        assert_eq!(parse_cookie_date(b"01 Jan 2000 23:59:59"), Some(946771199));
    }

    #[test]
    fn cookie_date_missing_fields_fail() {
        assert_eq!(parse_cookie_date(b""), None);
        assert_eq!(parse_cookie_date(b"Jan 2000 00:00:00"), None);
        assert_eq!(parse_cookie_date(b"01 2000 00:00:00"), None);
        // "00:00:00" is the time, so no token is left for the year.
        assert_eq!(parse_cookie_date(b"01 Jan 00:00:00"), None);
    }

    #[test]
    fn cookie_date_token_rules() {
        // Tokens may carry trailing non-digits: "9th", "2019x", "08:04:19GMT".
        assert_eq!(
            parse_cookie_date(b"9th Feb 1994x 22:23:32GMT"),
            Some(760832612)
        );
        // The month is the first three letters of its token.
        assert_eq!(
            parse_cookie_date(b"09 February 1994 22:23:32"),
            Some(760832612)
        );
        // Three digits are no day; five digits are no year; "1:2:345" no time.
        assert_eq!(parse_cookie_date(b"009 Feb 1994 22:23:32"), None);
        assert_eq!(parse_cookie_date(b"09 Feb 19940 22:23:32"), None);
        assert_eq!(parse_cookie_date(b"09 Feb 1994 1:2:345"), None);
        // Order does not matter; the first matching token wins.
        assert_eq!(parse_cookie_date(b"22:23:32 1994 feb 9"), Some(760832612));
        assert_eq!(
            parse_cookie_date(b"09 Feb 1994 22:23:32 10 Mar 2000 1:1:1"),
            Some(760832612)
        );
        // Bytes outside ASCII are non-delimiters, i.e. part of tokens.
        assert_eq!(
            parse_cookie_date(b"09\xff Feb 1994 22:23:32"),
            Some(760832612)
        );
        assert_eq!(parse_cookie_date(b"\xff09 Feb 1994 22:23:32"), None);
    }

    // --- Properties ---

    /// The case-insensitive search [`month_from_name`] replaced.
    fn month_from_name_reference(s: &[u8]) -> Option<i64> {
        MONTHS
            .iter()
            .position(|m| m.as_bytes().eq_ignore_ascii_case(s))
            .map(|i| i as i64 + 1)
    }

    #[test]
    fn month_names_are_found_in_any_case_and_nothing_else_is() {
        for (i, m) in MONTHS.iter().enumerate() {
            let upper = m.to_ascii_uppercase();
            assert_eq!(month_from_name(m.as_bytes()), Some(i as i64 + 1));
            assert_eq!(month_from_name(upper.as_bytes()), Some(i as i64 + 1));
        }
        // Every byte in every position, around each month name.
        for m in MONTHS {
            for pos in 0..3 {
                for byte in 0..=255u8 {
                    let mut b = *<&[u8; 3]>::try_from(m.as_bytes()).unwrap();
                    b[pos] = byte;
                    assert_eq!(month_from_name(&b), month_from_name_reference(&b), "{b:?}");
                }
            }
        }
        assert_eq!(month_from_name(b"janu"), None);
        assert_eq!(month_from_name(b"ja"), None);
    }

    #[test]
    fn weekday_names_are_found_in_any_case_and_nothing_else_is() {
        const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
        let reference = |b: &[u8]| {
            WEEKDAYS
                .iter()
                .any(|d| d.as_bytes().eq_ignore_ascii_case(b))
        };
        // Every byte in every position, around each weekday and month name.
        for name in WEEKDAYS.iter().chain(MONTHS.iter()) {
            for pos in 0..3 {
                for byte in 0..=255u8 {
                    let mut b = *<&[u8; 3]>::try_from(name.as_bytes()).unwrap();
                    b[pos] = byte;
                    assert_eq!(is_weekday(&b), reference(&b), "{b:?}");
                }
            }
        }
        assert!(is_weekday(b"SUN") && is_weekday(b"Wed"));
    }

    #[test]
    fn days_in_month_is_the_calendar() {
        for y in [1600, 1700, 1900, 1996, 2000, 2023, 2024, 2100, 2400] {
            for m in 1..=12 {
                let expected = match m {
                    2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                assert_eq!(days_in_month(y, m), expected, "{y}-{m}");
            }
        }
        for y in -2000..3000 {
            assert_eq!(
                is_leap(y),
                (y % 4 == 0 && y % 100 != 0) || y % 400 == 0,
                "{y}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics_on_text(s in "\\PC*") {
            let _ = (http2time(&s), iso2time(&s), parse_cookie_date(s.as_bytes()));
        }

        #[test]
        fn never_panics_on_date_like_text(s in "[ 0-9A-Za-z,:+./()\\-\t\n]{0,40}") {
            if let Some(t) = str2time(&s) {
                prop_assert_eq!(iso2time(&time2isoz(t)), Some(t));
            }
            let _ = parse_cookie_date(s.as_bytes());
        }

        #[test]
        fn the_fixdate_shortcut_agrees_with_the_general_algorithm(
            weekday in "[A-Za-z]{3}|(?i)(sun|mon|tue|wed|thu|fri|sat)",
            day in 0u32..100,
            sep in prop_oneof![Just(' '), Just('-')],
            month in "(Jan|feb|MAR|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Foo)",
            year in 0u32..10000,
            h in 0u32..100, m in 0u32..100, sec in 0u32..100,
        ) {
            let text = format!("{weekday}, {day:02}{sep}{month}{sep}{year:04} {h:02}:{m:02}:{sec:02} GMT");
            prop_assert_eq!(
                parse_cookie_date(text.as_bytes()),
                parse_cookie_date_general(text.as_bytes()),
                "{}", text
            );
        }

        #[test]
        fn the_fixdate_shortcut_agrees_with_the_general_algorithm_on_near_misses(
            t in -11644473600i64..=MAX_TIME,
            space_separated in any::<bool>(),
            at in 0usize..29,
            byte in prop_oneof![any::<u8>(), prop::sample::select(b" -,:0123456789aAzZGMT".to_vec())],
        ) {
            // A date the shortcut reads, with one byte changed anywhere.
            let mut text = time2netscape(t).into_bytes();
            if space_separated {
                text[7] = b' ';
                text[11] = b' ';
            }
            prop_assert!(fixdate_fields(&text).is_some());
            prop_assert_eq!(parse_cookie_date(&text), parse_cookie_date_general(&text));
            text[at] = byte;
            prop_assert_eq!(
                parse_cookie_date(&text),
                parse_cookie_date_general(&text),
                "{:?}", String::from_utf8_lossy(&text)
            );
        }

        #[test]
        fn the_fixdate_shortcut_agrees_with_the_general_algorithm_on_any_29_bytes(
            text in prop::collection::vec(
                prop_oneof![
                    4 => prop::sample::select(b" -,:0123456789SunOctGMT".to_vec()),
                    1 => any::<u8>(),
                ],
                29,
            ),
        ) {
            prop_assert_eq!(parse_cookie_date(&text), parse_cookie_date_general(&text));
        }

        #[test]
        fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_cookie_date(&b);
            if let Ok(s) = std::str::from_utf8(&b) {
                if let Some(t) = str2time(s) {
                    prop_assert_eq!(iso2time(&time2isoz(t)), Some(t));
                }
            }
        }

        #[test]
        fn formatters_are_total(t in any::<i64>()) {
            let _ = (time2isoz(t), time2netscape(t));
        }

        #[test]
        fn isoz_round_trips(t in MIN_TIME..=MAX_TIME) {
            prop_assert_eq!(iso2time(&time2isoz(t)), Some(t));
        }

        #[test]
        fn netscape_round_trips(t in MIN_TIME..=MAX_TIME) {
            prop_assert_eq!(http2time(&time2netscape(t)), Some(t));
        }

        #[test]
        fn cookie_date_reads_netscape_dates(t in -11644473600i64..=MAX_TIME) {
            prop_assert_eq!(parse_cookie_date(time2netscape(t).as_bytes()), Some(t));
        }

        #[test]
        fn civil_days_round_trip(z in -4_000_000i64..4_000_000) {
            let (y, m, d) = civil_from_days(z);
            prop_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
