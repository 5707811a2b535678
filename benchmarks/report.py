"""The results table (printed and written into docs/benchmarks.md)."""

from pathlib import Path


def _marks(result):
    size = result["suggestions"]
    return f"<!-- bench:results:{size}:start -->", f"<!-- bench:results:{size}:end -->"


def _ratio(value, base):
    return f"{value / base:.2f}" if base else "–"


def _first_line(text):
    return next((line.strip() for line in str(text or "").splitlines() if line.strip()), "")


def _last_line(text):
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def table(result):
    pages = result.get("pages", {})
    queries = result.get("queries", {})
    lines = [
        f"Suggestions: {result['suggestions']:,} · commit {result['commit']} · "
        f"{result['when']} · gunicorn {result['gunicorn_workers']} sync workers · "
        f"wrk {result['duration_s']} s per run",
        "",
    ]
    if result.get("missing"):
        lines += [
            "**Not generated: the models of " + ", ".join(result["missing"])
            + " were not in the tree at this commit, so no rows of theirs exist.**",
            "",
        ]
    lines += [
        "| page | c | req/s | p50 ms | p95 ms | queries/req | ÷ L1 req/s | ÷ L0 req/s | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = {name: {row["concurrency"]: row for row in pages.get(name, {}).get("runs", [])}
            for name in ("L0", "L1")}
    for name, page in pages.items():
        q = queries.get(name, {}).get("queries", "–")
        for row in page["runs"]:
            c = row["concurrency"]
            l0 = base["L0"].get(c, {}).get("rps", 0)
            l1 = base["L1"].get(c, {}).get("rps", 0)
            lines.append(
                f"| {page['label']} | {c} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {q} | {_ratio(row['rps'], l1)} | "
                f"{_ratio(row['rps'], l0)} | {row['errors']} |"
            )
    skipped = [f"- {name}: {_first_line(info.get('error'))}" for name, info in queries.items()
               if not info.get("ok", True)]
    if skipped:
        lines += ["", "Not measured (the page did not answer 200 to its user):", *skipped]
    scan = result.get("scan", {})
    if scan:
        lines += ["", "| reminder scan | seconds | peak RSS MB | notifications written |",
                  "|---|---:|---:|---:|"]
        for step, label in (("b0", "B0: one INSERT … SELECT … ON CONFLICT DO NOTHING"),
                            ("scan", "portal scan (first run)"),
                            ("rescan", "portal scan (re-run, nothing new)")):
            info = scan.get(step, {})
            if "seconds" in info:
                lines.append(f"| {label} | {info['seconds']:.2f} | {info['peak_rss_mb']:.0f} | "
                             f"{info.get('written', '–')} |")
            else:
                lines.append(f"| {label} | error: {_last_line(info.get('error'))} | | |")
        if "scan_over_b0" in scan:
            lines.append(f"\nScan time ÷ B0 time: **{scan['scan_over_b0']}**")
    return "\n".join(lines)


def write_docs(result, path):
    """Replace the results section of docs/benchmarks.md (the prose around it stays)."""
    path = Path(path)
    mark_start, mark_end = _marks(result)
    machine = result["machine"]
    counts = result.get("data", {})
    section = "\n".join([
        mark_start,
        f"## Results ({result['suggestions']:,} suggestions)",
        "",
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cpus')} CPUs, "
        f"{machine.get('memory_gb', '?')} GB RAM; {machine.get('platform')}; "
        f"PostgreSQL {machine.get('postgresql', '?')}; Python {machine.get('python')}; "
        f"{machine.get('wrk', 'wrk')}. Database, gunicorn and wrk share the machine.",
        "",
        "Data: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()
                             if isinstance(v, int)),
        "",
        f"Generated in {result.get('generate_s', '?')} s; whole run {result.get('total_s', '?')} s.",
        "",
        table(result),
        mark_end,
    ])
    text = path.read_text() if path.exists() else ""
    if mark_start in text and mark_end in text:
        head, rest = text.split(mark_start, 1)
        tail = rest.split(mark_end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)
