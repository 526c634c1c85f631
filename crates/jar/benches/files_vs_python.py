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
    """(best wall-clock seconds, best on-CPU seconds of the process, f())"""
    walls, cpus = [], []
    value = None
    for _ in range(runs):
        value = None  # drop the previous result outside the clock
        cpu_start = time.process_time()
        start = time.perf_counter()
        value = f()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    return min(walls), min(cpus), value


def python_side(kind, cls, path, runs):
    def load():
        jar = cls()
        jar.load(path, ignore_discard=True)
        return jar
    load_wall, load_cpu, jar = best(runs, load)
    out = path + ".py.out"
    save_wall, save_cpu, _ = best(runs, lambda: jar.save(out, ignore_discard=True))
    return {"load": (load_wall, load_cpu), "save": (save_wall, save_cpu), "cookies": len(jar)}


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
    print("wall: elapsed time; CPU: the process's time on a CPU, all threads (less disturbed by a busy machine)")
    print()
    print("| file | operation | Python wall ms | Rust wall ms | speed-up (wall) | Python CPU ms | Rust CPU ms | speed-up (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    ok = True
    for kind, path, _ in files:
        size = os.path.getsize(path)
        label = "%s (%.1f MB)" % (os.path.basename(path), size / 1e6)
        for op, rust_op in [("load", "load"), ("save", "save"), ("save", "save-nosync")]:
            r = rust.get((kind, rust_op))
            if r is None:
                continue
            py_wall, py_cpu = (t * 1000 for t in python[kind][op])
            rs_wall, rs_cpu = r["best_ms"], r.get("best_cpu_ms")
            wall_x = py_wall / rs_wall if rs_wall > 0 else float("inf")
            cpu_x = "%.1fx" % (py_cpu / rs_cpu) if rs_cpu else "-"
            note = "" if rust_op != "save-nosync" else " (no fsync, as Python)"
            print("| %s | %s%s | %.1f | %.1f | %.1fx | %.1f | %s | %s |" % (
                label, rust_op, note, py_wall, rs_wall, wall_x, py_cpu,
                "%.1f" % rs_cpu if rs_cpu is not None else "-", cpu_x))
            if rust_op in ("load", "save") and wall_x < 20:
                ok = False
            if r["cookies"] != python[kind]["cookies"]:
                print("MISMATCH: %s %s: Rust %d cookies, Python %d" %
                      (kind, rust_op, r["cookies"], python[kind]["cookies"]))
                ok = False
        for part in ("parse", "store"):
            r = rust.get((kind, part))
            if r is not None:
                print("| %s | (Rust alone) %s | | %.1f | | | %s | |" % (
                    label, part, r["best_ms"],
                    "%.1f" % r["best_cpu_ms"] if r.get("best_cpu_ms") is not None else "-"))
    print()
    print("target (load and save at least 20x faster, same cookie count): %s" % ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
