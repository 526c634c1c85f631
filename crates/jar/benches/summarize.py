#!/usr/bin/env python3
"""Summarise the criterion results of benches/workload.rs per element.

    python3 crates/jar/benches/summarize.py [target/criterion]

Prints one Markdown table per size: ingest µs/cookie and lookup µs/GET
(criterion's median estimate of one iteration divided by its elements), and
our speed-up over each peer. Standard library only.
"""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "criterion")
rows = {}
for group_dir in sorted(os.listdir(root)):
    gpath = os.path.join(root, group_dir)
    if not os.path.isdir(gpath) or "_" not in group_dir:
        continue
    for fn in sorted(os.listdir(gpath)):
        new = os.path.join(gpath, fn, "new")
        try:
            meta = json.load(open(os.path.join(new, "benchmark.json")))
            est = json.load(open(os.path.join(new, "estimates.json")))
        except OSError:
            continue
        elements = (meta.get("throughput") or {}).get("Elements") or 1
        kind, size = meta["group_id"].split("/", 1)
        per = est["median"]["point_estimate"] / elements / 1000.0  # ns -> µs
        rows.setdefault(size, {}).setdefault(kind, {})[meta["function_id"]] = per

for size in ("small", "medium", "large"):
    if size not in rows:
        continue
    r = rows[size]
    print(f"\n### {size}\n")
    print("| | ours | cookie_store | reqwest Jar | vs cookie_store | vs reqwest |")
    print("|---|---:|---:|---:|---:|---:|")
    ing = r.get("ingest", {})
    if ing:
        o, c, q = ing.get("ours"), ing.get("cookie_store"), ing.get("reqwest")
        print(f"| ingest µs/cookie | {o:.3f} | {c:.3f} | {q:.3f} | {c / o:.1f}× | {q / o:.1f}× |")
    lk = r.get("lookup", {})
    if lk:
        same = [k for k in lk if k.startswith("ours@")]
        o = lk.get("ours")
        o_same = lk[same[0]] if same else o
        c, q = lk.get("cookie_store"), lk.get("reqwest")
        print(f"| lookup µs/GET (1,000-GET sample) | {o:.3f} | | | | |")
        label = same[0].replace("ours@", "") if same else "same"
        print(f"| lookup µs/GET ({label}-GET peer sample) | {o_same:.3f} | {c:.1f} | {q:.1f} | {c / o_same:,.0f}× | {q / o_same:,.0f}× |")
