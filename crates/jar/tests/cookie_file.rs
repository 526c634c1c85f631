//! The one entry point to cookie files, `store::CookieFile`: every format
//! loads, reverts and saves through it, the format comes from the file
//! when not given, and what cannot be done is a typed error that changes
//! nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clientcookie_jar::clock::FixedClock;
use clientcookie_jar::store::{
    self, CookieFile, Format, LoadError, LoadOptions, SaveError, SaveOptions,
};
use clientcookie_jar::{Cookie, CookieJar};

const NOW: i64 = 1_700_000_000;

fn jar() -> CookieJar {
    CookieJar::builder()
        .clock(Arc::new(FixedClock::new(NOW)))
        .build()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "clientcookie-cookie-file-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cookie(name: &str, value: &str, domain: &str, expires: Option<i64>) -> Cookie {
    let mut c = Cookie::new(name, value, domain, "/");
    c.expires = expires;
    c
}

/// A jar with two persistent cookies and a session one.
fn filled() -> CookieJar {
    let mut jar = jar();
    let mut domain = cookie("sid", "42", "example.com", Some(4_000_000_000));
    domain.host_only = false;
    domain.domain_specified = true;
    domain.secure = true;
    jar.set_cookie(domain).unwrap();
    jar.set_cookie(cookie("lang", "en", "www.example.org", Some(4_000_000_001)))
        .unwrap();
    jar.set_cookie(cookie("session", "1", "example.net", None))
        .unwrap();
    jar
}

fn names(jar: &CookieJar) -> Vec<String> {
    let mut names: Vec<String> = jar.iter().map(|c| c.name.to_string()).collect();
    names.sort();
    names
}

/// The formats this build can write, with a file name of their extension.
fn writable() -> Vec<(Format, &'static str)> {
    [
        (Format::Lwp, "jar.lwp"),
        (Format::Mozilla, "jar.txt"),
        (Format::Json, "jar.json"),
        (Format::Sqlite, "jar.sqlite"),
    ]
    .into_iter()
    .filter(|(f, _)| f.is_compiled())
    .collect()
}

#[test]
fn every_writable_format_saves_loads_and_reverts_through_one_entry_point() {
    let dir = TempDir::new("all");
    let source = filled();
    for (format, name) in writable() {
        let path = dir.join(name);
        // A new file: its extension says the format.
        let file = CookieFile::detect(&path).unwrap();
        assert_eq!(file.format(), format, "{name}");
        assert_eq!(
            file.save(&source, SaveOptions::default()).unwrap(),
            2,
            "{format}"
        );

        // Now the file exists, and is still detected as the same format,
        // also under a name without an extension.
        let bare = dir.join(&format!("bare-{}", format.name()));
        std::fs::copy(&path, &bare).unwrap();
        assert_eq!(store::detect(&bare).unwrap(), format, "{format} by content");

        // load adds: a cookie the file lacks stays.
        let mut jar = jar();
        jar.set_cookie(cookie("mine", "x", "example.com", Some(4_000_000_002)))
            .unwrap();
        assert_eq!(file.load(&mut jar, LoadOptions::default()).unwrap(), 2);
        assert_eq!(names(&jar), ["lang", "mine", "sid"], "{format}");
        let sid = jar.iter().find(|c| c.name == "sid").unwrap();
        assert!(sid.secure && !sid.host_only, "{format}: {sid:?}");
        assert_eq!(sid.expires, Some(4_000_000_000), "{format}");

        // revert replaces.
        assert_eq!(file.revert(&mut jar, LoadOptions::default()).unwrap(), 2);
        assert_eq!(names(&jar), ["lang", "sid"], "{format}");

        // Session cookies too when asked.
        let all = SaveOptions {
            ignore_discard: true,
            ignore_expires: false,
        };
        assert_eq!(file.save(&source, all).unwrap(), 3, "{format}");
        let keep_sessions = LoadOptions {
            ignore_discard: true,
            ignore_expires: false,
        };
        let mut jar = self::jar();
        assert_eq!(file.load(&mut jar, keep_sessions).unwrap(), 3, "{format}");
        assert_eq!(file.read().unwrap().len(), 3, "{format}");

        // Saving an empty jar empties the file.
        file.save(&self::jar(), all).unwrap();
        assert_eq!(file.read().unwrap().len(), 0, "{format}");
    }
}

#[test]
fn a_format_converts_to_every_other() {
    let dir = TempDir::new("convert");
    let source = filled();
    for (from, from_name) in writable() {
        let input = CookieFile::new(dir.join(from_name), from);
        input.save(&source, SaveOptions::default()).unwrap();
        for (to, to_name) in writable() {
            let mut jar = jar();
            CookieFile::detect(input.path())
                .unwrap()
                .load(&mut jar, LoadOptions::default())
                .unwrap();
            let output = CookieFile::new(dir.join(&format!("out-{}-{to_name}", from.name())), to);
            assert_eq!(output.save(&jar, SaveOptions::default()).unwrap(), 2);
            let mut back = self::jar();
            output.load(&mut back, LoadOptions::default()).unwrap();
            assert_eq!(names(&back), ["lang", "sid"], "{from} -> {to}");
        }
    }
}

#[test]
fn saving_a_load_only_format_is_a_typed_error_and_writes_nothing() {
    let dir = TempDir::new("load-only");
    let path = dir.join("joe@example[1].txt");
    let err = CookieFile::new(&path, Format::Msie)
        .save(&filled(), SaveOptions::default())
        .unwrap_err();
    assert!(matches!(err, SaveError::LoadOnly(Format::Msie)), "{err:?}");
    assert!(err.to_string().contains("Internet Explorer"), "{err}");
    assert!(!path.exists());
}

#[test]
fn an_ie_file_loads_through_the_entry_point_and_reverts_nothing_on_error() {
    let dir = TempDir::new("msie");
    let path = dir.join("joe@example[1].txt");
    let record = |name: &str| {
        format!("{name}\nv\nexample.com/\n1024\n2457927680\n31226545\n3329032192\n31070023\n*\n")
    };
    std::fs::write(&path, record("a") + &record("b")).unwrap();
    let file = CookieFile::detect(&path).unwrap();
    assert_eq!(file.format(), Format::Msie);
    let mut jar = jar();
    assert_eq!(file.revert(&mut jar, LoadOptions::default()).unwrap(), 2);

    // A broken record: revert leaves the jar as it was and names the line.
    std::fs::write(&path, record("c") + "d\nv\nexample.com/\nsoon\n").unwrap();
    match CookieFile::new(&path, Format::Msie).revert(&mut jar, LoadOptions::default()) {
        Err(LoadError::Malformed {
            path: Some(p),
            line: 13,
            ..
        }) => assert_eq!(p, path),
        other => panic!("{other:?}"),
    }
    assert_eq!(names(&jar), ["a", "b"]);
}

#[test]
fn a_file_of_no_known_format_is_an_error_naming_it() {
    let dir = TempDir::new("unknown");
    let path = dir.join("cookies");
    std::fs::write(&path, "just some text\n").unwrap();
    let err = CookieFile::detect(&path).unwrap_err();
    assert!(matches!(&err, LoadError::UnknownFormat { path: p } if p == &path));
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    // No file and no extension: nothing to go by.
    assert!(matches!(
        CookieFile::detect(dir.join("missing")),
        Err(LoadError::UnknownFormat { .. })
    ));
}

#[test]
fn loading_a_missing_database_does_not_create_it() {
    if !Format::Sqlite.is_compiled() {
        return;
    }
    let dir = TempDir::new("missing-db");
    let path = dir.join("jar.sqlite");
    let err = CookieFile::new(&path, Format::Sqlite)
        .load(&mut jar(), LoadOptions::default())
        .unwrap_err();
    assert!(matches!(err, LoadError::Io(ref e) if e.kind() == std::io::ErrorKind::NotFound));
    assert!(!Path::new(&path).exists());
}

#[test]
fn format_names_parse_back_and_aliases_are_understood() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>().unwrap(), *format);
    }
    for (alias, format) in [
        ("Netscape", Format::Mozilla),
        ("cookies.txt", Format::Mozilla),
        ("set-cookie3", Format::Lwp),
        ("cookie_store", Format::Json),
        ("IE", Format::Msie),
    ] {
        assert_eq!(alias.parse::<Format>().unwrap(), format);
    }
    assert!("bsddb".parse::<Format>().is_err());
}
