"""Turn the benchmark's raw runs into medians and spreads, and write bench.md and bench.json.

Several runs (say the small company one day and the large one another, or a run stopped part way,
from its bench.partial.json) make one report:

    python -m benchmarks.report --merge benchmarks/results/small/bench.json \
        benchmarks/results/large/bench.json --out benchmarks/results
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.stats import show, summary, table


def _run_figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Summaries of the figures a repeat has once, whatever its CRMs: the comparison with the sandbox,
    the simulated day, the company's generation and the benchmark process's peak."""
    return {
        "records_compared": summary([sum((m or {}).get("records_compared") or 0
                                         for m in r.get("mismatches", {}).values()) or None for r in runs]),
        "compare_s": summary([sum((m or {}).get("seconds") or 0 for m in r.get("mismatches", {}).values())
                              or None for r in runs]),
        "step_s": summary([r.get("step_s") for r in runs]),
        "generate_s": summary([r["generate_s"] for r in runs]),
        "worker_peak_mb": summary([r.get("worker_peak_mb") for r in runs]),
    }


def sync_summaries(syncs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Per size, per CRM, per mode: the medians and spreads of every measured quantity."""
    keys = ("seconds", "wall_s", "rows_total", "rows_per_s", "accepted", "answered_429", "requests_per_s",
            "share_of_allowed_rate", "share_of_daily_budget", "rss_peak_mb", "psutil_peak_mb",
            "rss_after_imports_mb")
    out: dict[str, Any] = {}
    for size, runs in syncs.items():
        out[size] = {"records": runs[0]["records"] if runs else {}, "crms": {}}
        crms = list(dict.fromkeys(c for r in runs for c in r.get("full", {})))  # runs may sync different CRMs
        for crm in crms:
            per_mode = {}
            for mode in ("full", "incremental"):
                items = [r[mode][crm] for r in runs if crm in r.get(mode, {})]
                per_mode[mode] = {k: summary([i.get(k) for i in items]) for k in keys}
                per_mode[mode]["outcomes"] = sorted({str(i.get("outcome")) for i in items})
            out[size]["crms"][crm] = per_mode
            out[size]["crms"][crm]["mismatches"] = sum(
                (r.get("mismatches", {}).get(crm) or {}).get("mismatches", 0) for r in runs)
        # later simulated days (`--days`): per day and CRM, the medians over the repeats that ran it
        later: dict[tuple[int, str], list[dict[str, Any]]] = {}
        for r in runs:
            for d in r.get("later_days", []):
                for crm, item in d["syncs"].items():
                    later.setdefault((int(d["day"]), crm), []).append(item)
        out[size]["later_days"] = [
            {"day": day, "crm": crm, **{k: summary([i.get(k) for i in items]) for k in keys},
             "outcomes": sorted({str(i.get("outcome")) for i in items}),
             "message": str(items[-1].get("message") or "")[:300]}
            for (day, crm), items in sorted(later.items())]
        out[size]["concurrent_full_syncs"] = any(r.get("concurrent_full_syncs") for r in runs)
        built = [r for r in runs if "build_full" in r]
        out[size]["built_from"] = sorted(built[0]["full"]) if built else []
        out[size]["full_syncs_wall_s"] = summary([r.get("full_syncs_wall_s") for r in runs])
        out[size]["merge_s"] = summary([r.get("merge_s") for r in runs])
        out[size]["failed"] = [r["failed"] for r in runs if r.get("failed")]
        out[size].update(_run_figures(runs))
        # Runs of one size that synced different CRMs (the large company, one CRM per run) are not
        # repeats of each other: their checks and process figures are shown a CRM set at a time.
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for r in runs:
            groups.setdefault(tuple(sorted(r.get("full", {}))), []).append(r)
        out[size]["checks"] = [{"crms": list(group), **_run_figures(rs)} for group, rs in groups.items()]
        marts = [r["marts"] for r in runs if "error" not in r.get("marts", {"error": 1})]
        if marts:
            out[size]["marts"] = {k: summary([m.get(k) for m in marts])
                                  for k in ("forecast_s", "team_health_s", "deals", "open_deals",
                                            "forecast_rss_peak_mb", "rss_peak_mb")}
        elif any("marts" in r for r in runs):
            out[size]["marts"] = {"error": next(r["marts"].get("error") for r in runs if "marts" in r)}
        for key in ("build_full", "build_after_incremental"):
            builds = [r[key] for r in runs if key in r]
            if builds:
                available = [b for b in builds if b.get("available")]
                out[size][key] = {
                    "available": bool(available),
                    "error": None if available else builds[0].get("error"),
                    "seconds": summary([b.get("seconds") for b in available]),
                    "ok": all(b.get("ok") for b in available) if available else None,
                    "counts": available[0].get("counts") if available else None,
                    "failed": available[0].get("failed") if available else None,
                    "rss_peak_mb": summary([b.get("rss_peak_mb") for b in available]),
                }
    return out


def render(results: dict[str, Any], sums: dict[str, Any]) -> str:
    env = results["environment"]
    lines = ["# Benchmarks", "",
             f"Run {env['date']} on {env['cpus']} CPUs, {env['memory_gb']} GB, Python {env['python']}, "
             f"commit {env['commit']}; total {results['total_s']:.0f} s. Arguments: `{' '.join(env['argv']) or '(defaults)'}`.",
             "", "Figures are medians with (min–max) over the repeats: "
             + ", ".join(f"{s} x{n}" for s, n in results["repeats"].items())
             + ". Syncs run in child processes through `connectors.runner.sync_crm` against the sandbox "
             "servers with the real limits (HubSpot 190 requests / 10 s and 5 searches / s, Pipedrive "
             "80 / 2 s, Salesforce a daily budget of 15,000); seconds are the sync itself (imports "
             "excluded), peak RSS is the child's own high-water mark (`VmHWM`). The share of the allowed rate is the requests the "
             "server accepted over the most its sliding window lets through in that time (limit x the number "
             "of windows started), so a short sync is not credited with more than one window's burst.", ""]
    for source in results.get("sources") or []:
        e = source.get("environment") or {}
        if not e:
            lines += [f"- From `{source['file']}`: {', '.join(source['sizes'])}, the partial file of a stopped repeat."]
            continue
        lines += [f"- From `{source['file']}`: {', '.join(source['sizes'])}, run {e.get('date')} at commit "
                  f"{e.get('commit')} with `{' '.join(e.get('argv') or []) or '(defaults)'}`."]
    if results.get("sources"):
        lines += [""]
    if "medium" in results["sizes"]:
        lines += ["`medium` is a reduced stand-in for `large`: three copies of the small company's org. The "
                  "generator's `large` (about 900,000 deals; 22 million records, 11 million of them HubSpot "
                  "associations) needs at least 100,000 HubSpot requests for a full sync at the enforced 19 requests/s "
                  "(measured: not finished after 95 minutes): `make bench-large` runs it (docs/benchmarks.md).", ""]
    concurrent = [size for size, s in sums.items() if s.get("concurrent_full_syncs")]
    if concurrent:
        lines += [f"At {', '.join(concurrent)} the full syncs of the three CRMs ran at the same time (`--concurrent-syncs`), "
                  "each into a warehouse file of its own, merged into one before the build; each CRM still has its "
                  "own server, limits and child process, but they share the 2 cores, so the CPU-bound parts are "
                  "slower than alone. Elapsed for all full syncs together: "
                  + "; ".join(f"{size} {show(sums[size]['full_syncs_wall_s'], 0, ' s')} "
                              f"(merge {show(sums[size]['merge_s'], 1, ' s')})" for size in concurrent)
                  + ". The incremental syncs ran one after the other, as everywhere else.", ""]
    for size, s in sums.items():
        for failure in s.get("failed") or []:
            lines += [f"**A {size} repeat failed before the end**; the figures it measured before that are kept: "
                      f"`{failure[-800:]}`", ""]
    lines += ["## Full sync", ""]
    rows = []
    for size, s in sums.items():
        for crm, m in s["crms"].items():
            f = m["full"]
            limit = (f"{show(f['share_of_allowed_rate'], 2)}" if crm != "salesforce"
                     else f"{show(f['share_of_daily_budget'], 4)} of daily budget")
            rows.append([size, crm, show(f["seconds"], 1, " s"), show(f["rows_total"], 0),
                         show(f["rows_per_s"], 0), show(f["accepted"], 0), show(f["answered_429"], 0),
                         show(f["requests_per_s"], 1), limit, show(f["rss_peak_mb"], 0, " MB"),
                         ", ".join(f["outcomes"]), m["mismatches"]])
    lines += table(["size", "CRM", "time", "rows", "rows/s", "requests", "429s", "requests/s",
                    "share of allowed rate", "peak RSS", "outcome", "mismatches after the day"], rows)
    lines += ["", "## Incremental sync after one simulated day (`step(world, 1)`) vs full", ""]
    rows = []
    for size, s in sums.items():
        for crm, m in s["crms"].items():
            f, i = m["full"], m["incremental"]
            ratio_t = _ratio(i["seconds"], f["seconds"])
            ratio_r = _ratio(i["accepted"], f["accepted"])
            rows.append([size, crm, show(i["seconds"], 2, " s"), show(i["accepted"], 0), show(i["rows_total"], 0),
                         ratio_t, ratio_r, show(i["rss_peak_mb"], 0, " MB")])
    lines += table(["size", "CRM", "time", "requests", "rows", "time / full", "requests / full", "peak RSS"], rows)
    later = [(size, d) for size, s in sums.items() for d in s.get("later_days") or []]
    if later:
        lines += ["", "## Later simulated days (`--days`)", "",
                  "Each day is a new API day (daily budgets whole again): a full sync a budget stopped continues "
                  "here. The comparison with the sandbox follows the last day.", ""]
        lines += table(["size", "CRM", "day", "time", "requests", "rows", "outcome", "message"],
                       [[size, d["crm"], d["day"], show(d["seconds"], 1, " s"), show(d["accepted"], 0),
                         show(d["rows_total"], 0), ", ".join(d["outcomes"]), d["message"][:160].replace("|", "/")]
                        for size, d in later])
    lines += ["", "## dbt build", ""]
    rows = []
    for size, s in sums.items():
        for key, label in (("build_full", "full build after the full syncs"),
                           ("build_after_incremental", "rebuild after the incremental syncs")):
            b = s.get(key)
            if not b:
                continue
            if not b["available"]:
                rows.append([size, label, "not available", b.get("error") or "", "", ""])
                continue
            counts = b.get("counts") or {}
            rows.append([size, label, show(b["seconds"], 1, " s"), "ok" if b["ok"] else f"FAILED {b['failed']}",
                         f"{counts.get('success', 0)} models, {counts.get('pass', 0)} tests passed, "
                         f"{counts.get('warn', 0)} warnings", show(b["rss_peak_mb"], 0, " MB")])
    lines += table(["size", "build", "time", "result", "nodes", "peak RSS"], rows) if rows else ["(skipped)"]
    lines += ["", "## Forecast and team health on each size's warehouse (after the full build)", ""]
    rows = []
    for size, s in sums.items():
        m = s.get("marts")
        if not m:
            continue
        if "error" in m:
            rows.append([size, "failed", str(m["error"])[-200:], "", "", ""])
            continue
        rows.append([size, show(m["deals"], 0), show(m["open_deals"], 0), show(m["forecast_s"], 1, " s"),
                     show(m["team_health_s"], 2, " s"), show(m["rss_peak_mb"], 0, " MB")])
    lines += (table(["size", "deals", "open deals", "build_forecast", "build_team_health", "peak RSS"], rows)
              if rows else ["(skipped)"])
    lines += ["", "## Checking each warehouse against the sandbox, and the benchmark process", ""]
    rows = [[size if len(s.get("checks", [])) < 2 else f"{size} ({', '.join(c['crms'])})",
             show(c.get("records_compared"), 0), show(c.get("compare_s"), 1, " s"),
             show(c.get("step_s"), 1, " s"), show(c.get("generate_s"), 1, " s"), show(c.get("worker_peak_mb"), 0, " MB")]
            for size, s in sums.items() for c in s.get("checks", [s])]
    lines += table(["size", "records compared", "comparison time", "one simulated day", "generating the company",
                    "benchmark process peak RSS (company and servers)"], rows)
    lines += ["", "## Forecast and team health (the existing bench scripts)", ""]
    rows = []
    for key, label in (("forecast", "bench_forecast.py (4,000 deals; Monte Carlo 10k deals x 10k runs)"),
                       ("team_health", "bench_team_health.py (2,000 reps)")):
        b = results.get(key)
        if not b:
            continue
        inner = _inner(key, b["runs"])
        rows.append([label, show(b["wall_s"], 1, " s"), inner])
    lines += table(["script", "wall time", "inside"], rows) if rows else ["(skipped)"]
    lines += ["", "## End to end: `revops demo` on the small sandbox (cold: includes generating the company)", ""]
    demo = results.get("demo")
    if demo:
        steps: dict[str, list[float]] = {}
        for r in demo["runs"]:
            for k, v in r["steps"].items():
                steps.setdefault(k, []).append(v)
        codes = sorted({r["returncode"] for r in demo["runs"]})
        lines += table(["wall time", "exit code", "steps (s, from the progress lines)"],
                       [[show(demo["wall_s"], 1, " s"), ", ".join(map(str, codes)),
                         ", ".join(f"{k} {show(summary(v), 0)}" for k, v in steps.items())]])
    else:
        lines += ["(skipped)"]
    if len(sums) > 1:
        lines += ["", "## Scaling", ""]
        sizes = list(sums)
        rows = []
        for crm in next(iter(sums.values()))["crms"]:
            for metric, label, digits in (("seconds", "full sync s", 1), ("rows_total", "rows", 0),
                                          ("rows_per_s", "rows/s", 0), ("accepted", "requests", 0),
                                          ("rss_peak_mb", "peak RSS MB", 0)):
                values = [sums[s]["crms"].get(crm, {}).get("full", {}).get(metric) for s in sizes]
                cells = [show(v, digits) for v in values]
                rows.append([crm, label, *cells, _ratio(values[-1], values[0])])
        records = [f"{sum(sums[s]['records'].values()):,}" for s in sizes]
        rows.insert(0, ["all", "dataset records", *records, ""])
        # a size measured in parts (one CRM per run) builds and models only what its run synced
        rows.insert(1, ["all", "CRMs synced in the run that built", *[", ".join(sums[s]["built_from"] or ["-"])
                                                                      for s in sizes], ""])
        for key in ("build_full",):
            if all(sums[s].get(key, {}).get("available") for s in sizes):
                vals = [sums[s][key]["seconds"] for s in sizes]
                rows.append(["dbt", "full build s", *[show(v, 1) for v in vals], _ratio(vals[-1], vals[0])])
        for key, label in (("forecast_s", "build_forecast s"), ("team_health_s", "build_team_health s")):
            vals = [(sums[s].get("marts") or {}).get(key) for s in sizes]
            if all(vals):
                rows.append(["marts", label, *[show(v, 1) for v in vals], _ratio(vals[-1], vals[0])])
        lines += table(["CRM", "measure", *sizes, f"{sizes[-1]} / {sizes[0]}"], rows)
    return "\n".join(lines) + "\n"


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not a or not b or not a.get("median") or not b.get("median"):
        return "-"
    return f"{a['median'] / b['median']:.2f}x"


def _inner(key: str, runs: list[dict[str, Any]]) -> str:
    ok = [r["output"] for r in runs if r["returncode"] == 0]
    if not ok:
        return "failed: " + str(runs[0]["output"].get("error", ""))[:200] if runs else "-"
    if key == "forecast":
        build = summary([o.get("build", {}).get("build_forecast_s") for o in ok])
        mc = summary([o.get("monte_carlo", {}).get("seconds") for o in ok])
        rss = summary([o.get("max_rss_mb") for o in ok])
        return (f"build_forecast {show(build, 1, ' s')}, Monte Carlo {show(mc, 2, ' s')}, "
                f"max RSS {show(rss, 0, ' MB')} (its own ru_maxrss)")
    build = summary([o.get("seconds", {}).get("build_team_health") for o in ok])
    compute = summary([o.get("seconds", {}).get("compute") for o in ok])
    return f"build_team_health {show(build, 2, ' s')}, compute {show(compute, 2, ' s')}"


def write_results(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sums = sync_summaries(results.get("syncs", {}))
    md, js = folder / "bench.md", folder / "bench.json"
    md.write_text(render(results, sums))
    js.write_text(json.dumps({"summary": sums, **results}, indent=2, default=str))
    return md, js


def merge(paths: list[Path]) -> dict[str, Any]:
    """One results document from several: sizes in the order met (a size met twice keeps the runs of
    both), the marts scripts and the demo from the last file that has them. `file.json:medium,large`
    takes only those sizes (and neither the scripts nor the demo) from that file."""
    merged: dict[str, Any] = {"syncs": {}, "sizes": [], "repeats": {}, "sources": [], "total_s": 0.0}
    for path in paths:
        text = str(path)
        only: set[str] | None = None
        if ":" in Path(text).name:
            text, sizes = text.rsplit(":", 1)
            only = {s for s in sizes.split(",") if s}
        doc = json.loads(Path(text).read_text(encoding="utf-8"))
        doc.pop("summary", None)
        if "size" in doc and "full" in doc:  # one repeat's partial-<size>-<n>.json, left by a stopped run
            run = {**doc, "failed": doc.get("failed") or "the run was stopped before this repeat finished; "
                                                         "what it measured before is kept"}
            doc = {"syncs": {doc["size"]: [run]}}
        if only is not None:
            doc["syncs"] = {k: v for k, v in doc.get("syncs", {}).items() if k in only}
            for key in ("forecast", "team_health", "demo"):
                doc.pop(key, None)
        merged["sources"].append({"file": str(path), "environment": doc.get("environment"),
                                  "sizes": list(doc.get("syncs", {}))})
        merged.setdefault("environment", doc.get("environment"))
        merged["crms"] = sorted(set(merged.get("crms", [])) | set(doc.get("crms", [])))
        for size, runs in doc.get("syncs", {}).items():
            if size not in merged["syncs"]:
                merged["syncs"][size] = []
                merged["sizes"].append(size)
            merged["syncs"][size].extend(runs)
            merged["repeats"][size] = len(merged["syncs"][size])
        for key in ("forecast", "team_health", "demo"):
            if doc.get(key):
                merged[key] = doc[key]
        merged["total_s"] += float(doc.get("total_s") or 0)
    env = merged.get("environment") or {}
    env = {"date": env.get("date", "?"), "cpus": env.get("cpus", "?"), "memory_gb": env.get("memory_gb", "?"),
           "python": env.get("python", "?"), "commit": env.get("commit"), **env}
    env["argv"] = ["--merge", *[str(p) for p in paths]]
    merged["environment"] = env
    return merged


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Write bench.md and bench.json from one or more results files.")
    parser.add_argument("--merge", nargs="+", type=Path, required=True,
                        help="bench.json, bench.partial.json or a repeat's partial-<size>-<n>.json; "
                             "file.json:size,size takes only those sizes")
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()
    md, js = write_results(merge(options.merge), options.out)
    print(f"wrote {md} and {js}")
    sys.exit(0)
