#!/usr/bin/env python3
"""Load and save of large cookies.txt and LWP files: Python's
http.cookiejar (MozillaCookieJar, LWPCookieJar) against clientcookie-jar
(examples/files.rs), on the same files.

    python3 crates/jar/benches/files_vs_python.py [--cookies 100000] [--runs 3]
        [--dir /tmp/clientcookie-files-bench] [--rust-bin PATH]

1. Generates the cookies deterministically (seeded PRNG: 10 cookies per
   site, host and domain cookies, paths, Secure, HttpOnly, expiry times)
   and writes cookies.txt and cookies.lwp with Python's own jars, so both
   sides read files in the form Python writes.
2. Times Python: load = a fresh jar's .load(path) (ignore_discard=True);
   save = .save(path, ignore_discard=True). Best of --runs.
3. Builds and runs `cargo run --release -p clientcookie-jar --example files`
   on the same files (or --rust-bin), best of --runs as well.
4. Prints a table with the speed-up, checks that both sides hold the same
   number of cookies, and says whether the 20x target is met.

Run from the workspace root (or anywhere: cargo is run with the workspace's
manifest). CARGO_TARGET_DIR is passed through.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
from http.cookiejar import Cookie, LWPCookieJar, MozillaCookieJar

WORKSPACE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
PATHS = ["/", "/", "/", "/account", "/shop/cart", "/docs/v2/"]
TLDS = ["com", "org", "net", "co.uk", "de"]


def cookies(n, seed=2026):
    """n cookies, always the same ones for the same n and seed."""
    rng = random.Random(seed)
    out = []
    per_site = 10
    for i in range(n):
        site = "site%d.example.%s" % (i // per_site, TLDS[(i // per_site) % len(TLDS)])
        domain_cookie = rng.random() < 0.5
        domain = "." + site if domain_cookie else "www." + site
        value = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(8, 40)))
        rest = {"HttpOnly": None} if rng.random() < 0.3 else {}
        out.append(Cookie(
            version=0, name="c%d_%d" % (i % per_site, rng.randint(0, 999)), value=value,
            port=None, port_specified=False,
            domain=domain, domain_specified=domain_cookie, domain_initial_dot=domain_cookie,
            path=rng.choice(PATHS), path_specified=True,
            secure=rng.random() < 0.4,
            expires=2_000_000_000 + rng.randint(0, 1_000_000_000),
            discard=False, comment=None, comment_url=None, rest=rest,
        ))
    return out


def best(runs, f):
    times = []
    value = None
    for _ in range(runs):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return min(times), value


def python_side(kind, cls, path, runs):
    def load():
        jar = cls()
        jar.load(path, ignore_discard=True)
        return jar
    load_time, jar = best(runs, load)
    out = path + ".py.out"
    save_time, _ = best(runs, lambda: jar.save(out, ignore_discard=True))
    return {"load": load_time, "save": save_time, "cookies": len(jar)}


def rust_side(args, files):
    specs = ["%s:%s" % (kind, path) for kind, path in files]
    if args.rust_bin:
        cmd = [args.rust_bin]
    else:
        cmd = ["cargo", "run", "--quiet", "--release", "--manifest-path",
               os.path.join(WORKSPACE, "Cargo.toml"), "-p", "clientcookie-jar",
               "--example", "files", "--"]
    out = subprocess.run(cmd + specs + ["--runs", str(args.runs), "--out-dir", args.dir],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    results = {}
    for line in out.splitlines():
        r = json.loads(line)
        results[(r["format"], r["op"])] = r
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cookies", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/clientcookie-files-bench")
    parser.add_argument("--rust-bin", help="a built examples/files binary (default: cargo run --release)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    print("generating %d cookies ..." % args.cookies, file=sys.stderr)
    generated = cookies(args.cookies)
    files = [("mozilla", os.path.join(args.dir, "cookies.txt"), MozillaCookieJar),
             ("lwp", os.path.join(args.dir, "cookies.lwp"), LWPCookieJar)]
    for _, path, cls in files:
        jar = cls()
        for c in generated:
            jar.set_cookie(c)
        jar.save(path, ignore_discard=True)

    python = {}
    for kind, path, cls in files:
        print("timing Python %s ..." % cls.__name__, file=sys.stderr)
        python[kind] = python_side(kind, cls, path, args.runs)
    print("timing Rust ...", file=sys.stderr)
    rust = rust_side(args, [(kind, path) for kind, path, _ in files])

    print("%d cookies, best of %d runs, Python %s" % (args.cookies, args.runs, sys.version.split()[0]))
    print()
    print("| file | operation | Python ms | Rust ms | speed-up |")
    print("|---|---|---:|---:|---:|")
    ok = True
    for kind, path, _ in files:
        size = os.path.getsize(path)
        label = "%s (%.1f MB)" % (os.path.basename(path), size / 1e6)
        for op, rust_op in [("load", "load"), ("save", "save"), ("save", "save-nosync")]:
            r = rust.get((kind, rust_op))
            if r is None:
                continue
            py_ms = python[kind][op] * 1000
            speedup = py_ms / r["best_ms"] if r["best_ms"] > 0 else float("inf")
            note = "" if rust_op != "save-nosync" else " (no fsync, like Python)"
            print("| %s | %s%s | %.1f | %.1f | %.1fx |" % (label, rust_op, note, py_ms, r["best_ms"], speedup))
            if rust_op in ("load", "save") and speedup < 20:
                ok = False
            if r["cookies"] != python[kind]["cookies"]:
                print("MISMATCH: %s %s: Rust %d cookies, Python %d" %
                      (kind, rust_op, r["cookies"], python[kind]["cookies"]))
                ok = False
    print()
    print("target (load and save at least 20x faster, same cookie count): %s" % ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
