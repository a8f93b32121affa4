#!/usr/bin/env python3
"""Turns compare.sh's result directory into the markdown block for bench/RESULTS.md.

Usage: compare_report.py RESULTS_DIR ROUNDS LIST_OBJECTS HAVE_STRATA HOSTINFO COMMAND
"""
import datetime
import json
import os
import statistics
import sys

res, rounds, list_objects, have_strata, hostinfo, command = sys.argv[1:7]
rounds, list_objects = int(rounds), int(list_objects)
systems = ["strata", "peer"] if have_strata == "1" else ["peer"]
MIB = 1024 * 1024


def load(name):
    try:
        with open(os.path.join(res, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def op(report, name):
    if not report:
        return None
    for o in report["run"]["ops"]:
        if o["op"] == name:
            return o
    return None


def errors(report):
    if not report:
        return 0
    return sum(o["errors"] for o in report["run"]["ops"])


def median_over_rounds(sys_, workload, fn):
    vals = []
    for r in range(1, rounds + 1):
        v = fn(load(f"{sys_}-{workload}-r{r}.json"))
        if v is not None:
            vals.append(v)
    return statistics.median(vals) if vals else None


def read_int(name):
    try:
        with open(os.path.join(res, name)) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return None


def fmt(v, digits=1):
    if v is None:
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b, lower_is_better=False):
    if a is None or b is None or a == 0 or b == 0:
        return "n/a"
    return f"{(b / a if lower_is_better else a / b):.2f}x"


# --- disk limits ---
fio_w, fio_r, fio_s = load("fio-write.json"), load("fio-read.json"), load("fio-fsync.json")
write_mib = fio_w["jobs"][0]["write"]["bw_bytes"] / MIB if fio_w else None
read_mib = fio_r["jobs"][0]["read"]["bw_bytes"] / MIB if fio_r else None
fsync_p50 = fsync_p99 = None
if fio_s:
    sync = fio_s["jobs"][0].get("sync", {})
    pct = sync.get("lat_ns", {}).get("percentile", {})
    if pct:
        fsync_p50 = pct.get("50.000000", 0) / 1e6
        fsync_p99 = pct.get("99.000000", 0) / 1e6
    fsync_rate = fio_s["jobs"][0]["write"].get("iops")
else:
    fsync_rate = None
k, m = 2, 2
put_ceiling = write_mib * k / (k + m) if write_mib else None

# --- metrics: (label, workload, fn, unit, lower_is_better, limit, target) ---
def lat(opname, q):
    return lambda rep: (op(rep, opname) or {}).get("latency_ms", {}).get(q)


def field(opname, f):
    return lambda rep: (op(rep, opname) or {}).get(f)


def mix_ops(rep):
    if not rep:
        return None
    return sum(o["ops_per_s"] for o in rep["run"]["ops"])


def list_full(rep):
    o = op(rep, "list")
    if not o or not o["items_per_s"]:
        return None
    return list_objects / o["items_per_s"]


def gen_cpu(rep):
    return rep["run"]["cpu"]["cores"] if rep else None


rows = [
    ("1 PUT 64 MiB x4 (MiB/s)", "w1put", field("put", "mib_per_s"), False, put_ceiling, "≥75% of write x k/(k+m); ≥2x peer"),
    ("1 PUT 64 MiB p99 (ms)", "w1put", lat("put", "p99"), True, None, ""),
    ("1 GET 64 MiB x4, page cache (MiB/s)", "w1get", field("get", "mib_per_s"), False, None, ""),
    ("1 GET 64 MiB p99, page cache (ms)", "w1get", lat("get", "p99"), True, None, ""),
    ("1 GET 64 MiB x4, cold (MiB/s)", "w1getcold", field("get", "mib_per_s"), False, read_mib, "≥75% of read; ≥2x peer"),
    ("1 GET 64 MiB p99, cold (ms)", "w1getcold", lat("get", "p99"), True, None, ""),
    ("2 PUT 4 KiB x64 (obj/s)", "w2put", field("put", "ops_per_s"), False, None, "≥3,000/s; ≥2x peer"),
    ("2 PUT 4 KiB p99 (ms)", "w2put", lat("put", "p99"), True, None, ""),
    ("2 GET 4 KiB x64 (obj/s)", "w2get", field("get", "ops_per_s"), False, None, "≥20,000/s; ≥2x peer"),
    ("2 GET 4 KiB p99 (ms)", "w2get", lat("get", "p99"), True, None, ""),
    (f"3 LIST page of 1,000 p50 (ms), {list_objects:,} keys", "w3list", lat("list", "p50"), True, None, "<20 ms (at 1,000,000)"),
    ("3 LIST page p99 (ms)", "w3list", lat("list", "p99"), True, None, ""),
    (f"3 full listing of {list_objects:,} (s, estimated)", "w3list", list_full, True, None, "<10 s (at 1,000,000)"),
    ("4 mixed 45/15/10/30, 1 KiB..1 MiB (ops/s)", "w4mix", mix_ops, False, None, ""),
    ("4 mixed GET p99 (ms)", "w4mix", lat("get", "p99"), True, None, ""),
]

out = []
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
out.append(f"### Comparison run {now}")
out.append("")
out.append(f"- command: `{command}`")
out.append(f"- machine: {hostinfo}")
out.append(f"- medians of {rounds} rounds; servers alternate who goes first each round; strata on a 2+2 set of 4 directories, "
           "peer s3s-fs 0.14.1 on one directory, same disk")
lim = []
if write_mib:
    lim.append(f"sequential O_DIRECT write {write_mib:,.0f} MiB/s (PUT ceiling at 2+2: {put_ceiling:,.0f} MiB/s)")
if read_mib:
    lim.append(f"read {read_mib:,.0f} MiB/s")
if fsync_p50 is not None:
    lim.append(f"4 KiB write+fsync p50 {fsync_p50:.2f} ms, p99 {fsync_p99:.2f} ms ({fsync_rate:,.0f}/s on one thread)")
out.append("- disk (fio, same run): " + "; ".join(lim))
out.append("")
hdr = "| workload | " + " | ".join(systems) + (" | strata/peer | strata / disk limit | target |" if "strata" in systems else " |")
out.append(hdr)
out.append("|" + " --- |" * (hdr.count("|") - 1))
for label, wl, fn, lower, limit, target in rows:
    vals = {s: median_over_rounds(s, wl, fn) for s in systems}
    cells = [fmt(vals[s], 2 if lower else 1) for s in systems]
    line = f"| {label} | " + " | ".join(cells)
    if "strata" in systems:
        frac = f"{vals['strata'] / limit:.0%}" if (limit and vals["strata"] is not None) else ""
        line += f" | {ratio(vals['strata'], vals['peer'], lower)} | {frac} | {target}"
    out.append(line + " |")

# footprint
def rss_line(label, fn):
    cells = []
    for s in systems:
        v = fn(s)
        cells.append("n/a" if v is None else f"{v / 1024:.1f}")
    line = f"| {label} | " + " | ".join(cells)
    if "strata" in systems:
        line += " | | | " + ("<40 MiB" if "idle" in label else "<256 MiB") 
    return line + " |"


def peak_rss(s):
    vals = [read_int(f"{s}-peakrss-r{r}") for r in range(1, rounds + 1)]
    vals = [v for v in vals if v]
    return max(vals) if vals else None


def hwm(s):
    vals = [read_int(f"{s}-hwm-r{r}") for r in range(1, rounds + 1)]
    vals = [v for v in vals if v]
    return max(vals) if vals else None


out.append(rss_line("5 RSS idle (MiB)", lambda s: read_int(f"{s}-idlerss")))
out.append(rss_line("5 RSS peak during workloads 1-2 (MiB, VmRSS sampled)", peak_rss))
out.append(rss_line("5 RSS high-water mark (MiB, VmHWM)", hwm))
out.append("")

# generator cost and errors
notes = []
for s in systems:
    errs = {}
    cores = []
    for f in sorted(os.listdir(res)):
        if f.startswith(s + "-") and f.endswith(".json"):
            rep = load(f)
            e = errors(rep)
            if e:
                errs[f[:-5]] = e
            c = gen_cpu(rep)
            if c is not None:
                cores.append(c)
    if cores:
        notes.append(f"- strata-bench itself used {statistics.median(cores):.2f} cores (median over runs against {s}; max {max(cores):.2f})")
    if errs:
        notes.append(f"- **errors against {s}**: " + ", ".join(f"{k}: {v}" for k, v in errs.items()))
    missing = [w for w in ("w1put", "w1get", "w1getcold", "w2put", "w2get", "w3list", "w4mix")
               if not any(load(f"{s}-{w}-r{r}.json") for r in range(1, rounds + 1))]
    if missing:
        notes.append(f"- no result against {s} for: {', '.join(missing)}")
if have_strata != "1":
    notes.append("- **strata did not run** (no binary at STRATA_BIN, or it did not become ready): peer figures only")
notes.append("- durability differs: s3s-fs 0.14.1 writes through tokio files and never fsyncs (data and "
             "metadata can be lost on power failure); strata acknowledges a PUT only after fsync on a write quorum")
notes.append("- s3s-fs lists by walking and sorting the whole bucket directory on every page request")
out.extend(notes)
print("\n".join(out))
