//! Usage errors exit with status 2 before anything is fetched or loaded;
//! help and version are not errors.

mod common;

use common::{run, scratch, site, write_file};

#[test]
fn a_wrong_command_line_exits_2_without_touching_the_network() {
    let site = site();
    let url = site.url("/echo");
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["fetch", &url],
        vec!["get"],
        vec!["get", &url, "--no-such-option"],
        vec!["get", "not a url"],
        vec!["get", "ftp://127.0.0.1/"],
        vec!["get", &url, "-H", "no colon here"],
        vec!["get", &url, "-H", "Bad Name: x"],
        vec!["get", &url, "-A", "line\nbreak"],
        vec!["get", &url, "-e", "not a url"],
        vec!["get", &url, "--resolve", "a.example:80"],
        vec!["get", &url, "--resolve", "a.example:http:127.0.0.1"],
        vec!["get", &url, "--max-redirects", "-1"],
        vec!["get", &url, "--max-redirects", "many"],
        vec!["get", &url, "--refresh-max-delay", "soon"],
        vec!["get", &url, "--jar", "x.txt", "--jar-format", "bsddb"],
        // --jar-format and --keep-session mean nothing without a jar.
        vec!["get", &url, "--jar-format", "lwp"],
        vec!["get", &url, "--keep-session"],
        vec!["jar"],
        vec!["jar", "list"],
        vec!["jar", "list", "x.txt", "--url", "mailto:a@b"],
        vec!["jar", "convert", "in.txt"],
        vec!["jar", "convert", "in.txt", "out.lwp", "--to", "xml"],
    ];
    for args in cases {
        let run = run(&args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty(), "{args:?} says what is wrong");
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    assert!(site.requests().is_empty(), "{:?}", site.requests());
}

#[test]
fn a_usage_error_leaves_the_jar_file_alone() {
    let dir = scratch();
    let content = b"# Netscape HTTP Cookie File\na.example\tFALSE\t/\tFALSE\t0\ta\t1\n";
    let jar = write_file(dir.path(), "cookies.txt", content);
    let run = run([
        "get".as_ref(),
        "http://127.0.0.1:9/".as_ref(),
        "--jar".as_ref(),
        jar.as_os_str(),
        "-H".as_ref(),
        "broken".as_ref(),
    ]);
    run.assert_status(2);
    assert_eq!(std::fs::read(&jar).unwrap(), content);
}

#[test]
fn help_and_version_exit_0_and_the_help_states_the_exit_statuses() {
    let help = run(["--help"]);
    help.assert_status(0);
    assert!(
        help.stdout_text().contains("Exit status"),
        "{}",
        help.stdout_text()
    );
    let get_help = run(["get", "--help"]).stdout_text();
    for option in [
        "--jar",
        "--jar-format",
        "--keep-session",
        "--header",
        "--data",
        "--user-agent",
        "--referer",
        "--include",
        "--output",
        "--resolve",
        "--max-redirects",
        "--no-refresh",
        "--refresh-max-delay",
        "--no-equiv",
        "--robots",
        "--rfc2965",
        "--block-domain",
        "--allow-domain",
        "--verbose",
    ] {
        assert!(get_help.contains(option), "get --help lacks {option}");
    }
    let version = run(["--version"]);
    version.assert_status(0);
    assert!(version.stdout_text().contains(env!("CARGO_PKG_VERSION")));
}
