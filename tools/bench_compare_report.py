#!/usr/bin/env python3
"""Turns the jsonl of tools/bench_compare.sh into the markdown table docs/performance.md quotes.

   bench_compare_report.py RESULTS.jsonl [--into docs/performance.md]

Per mode: medians over the alternated rounds of alerts/s, alerts per server CPU-second, p99 latency, and for the
modes that add new alerts the RSS growth per alert accepted in the measured window; the incidentd/Alertmanager
ratio of each. With --into, replaces the text between the bench-compare markers of that file.
"""
import argparse
import json
import statistics as st
import sys
from collections import defaultdict

BEGIN = "<!-- bench-compare:begin -->"
END = "<!-- bench-compare:end -->"
MODES = ["batch_distinct", "single_distinct", "batch_dedup", "single_dedup"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return st.median(xs) if xs else None


def rss_per_alert(r):
    if r.get("rss_after_mb") is None or r.get("rss_before_mb") is None or not r.get("accepted_alerts"):
        return None
    return (r["rss_after_mb"] - r["rss_before_mb"]) * 1024 * 1024 / r["accepted_alerts"]


def fmt(x, pattern="{:.0f}"):
    return "-" if x is None else pattern.format(x)


def ratio(b, a):
    return "-" if not a or b is None else f"{b / a:.2f}x"


def table(rows):
    g = defaultdict(list)
    for r in rows:
        g[(r["label"], r["mode"])].append(r)
    rounds = max((len(v) for v in g.values()), default=0)
    lines = [
        f"Alternated runs: {rounds} per target and mode, {rows[0].get('duration_s', 0):.0f} s each "
        f"(medians; ratio = incidentd / Alertmanager; RSS per alert only for modes that add alerts).",
        "",
        "| mode | Alertmanager alerts/s | incidentd alerts/s | ratio | alerts per CPU-s ratio | p99 ms AM | p99 ms incidentd "
        "| RSS B/alert AM | RSS B/alert incidentd | RSS ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in MODES:
        a, b = g.get(("alertmanager", mode), []), g.get(("incidentd", mode), [])
        if not a or not b:
            continue
        aa, ba = med([r["alerts_per_s"] for r in a]), med([r["alerts_per_s"] for r in b])
        ac, bc = med([r.get("alerts_per_server_cpu_s") for r in a]), med([r.get("alerts_per_server_cpu_s") for r in b])
        ap, bp = med([r["lat_p99_ms"] for r in a]), med([r["lat_p99_ms"] for r in b])
        distinct = "distinct" in mode
        ar = med([rss_per_alert(r) for r in a]) if distinct else None
        br = med([rss_per_alert(r) for r in b]) if distinct else None
        lines.append(
            f"| {mode} | {fmt(aa)} | {fmt(ba)} | {ratio(ba, aa)} | {ratio(bc, ac)} | {fmt(ap, '{:.2f}')} | "
            f"{fmt(bp, '{:.2f}')} | {fmt(ar)} | {fmt(br)} | {ratio(br, ar) if distinct else '-'} |")
    non2xx = sum(r.get("non2xx", 0) for r in rows if r["label"] == "incidentd")
    stalls = [r.get("max_stall_ms") for r in rows if r.get("max_stall_ms") is not None]
    lines.append("")
    lines.append(f"incidentd non-2xx answers in the window: {non2xx}; longest machine stall seen: "
                 f"{fmt(max(stalls) if stalls else None)} ms.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--into")
    args = ap.parse_args()
    with open(args.results) as fh:
        rows = [json.loads(l) for l in fh if l.strip()]
    if not rows:
        sys.exit("no results")
    text = table(rows)
    if not args.into:
        print(text)
        return
    with open(args.into) as fh:
        doc = fh.read()
    if BEGIN not in doc or END not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(args.into, "w") as fh:
        fh.write(f"{head}{BEGIN}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()
