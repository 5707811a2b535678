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


def _limit_rps(row, page, base):
    """The req/s a page's run is divided by: its limit measured just before it (the run's
    ``limit_rps``), else the limit's own run at that concurrency."""
    if row.get("limit_rps"):
        return row["limit_rps"]
    return base.get(page.get("limit"), {}).get(row["concurrency"], {}).get("rps", 0)


def _targets(pages, base, c=8):
    """Each page against its target at c=8: its share of its limit, and its p95."""
    rows = []
    for page in pages.values():
        if page.get("share") is None:
            continue
        run = next((r for r in page["runs"] if r["concurrency"] == c), None)
        by = _limit_rps(run, page, base) if run else 0
        if run is None or not by:
            rows.append(f"| {page['label']} | – | not measured at c={c} | |")
            continue
        share = run["rps"] / by
        wanted = f"≥ {page['share']:.0%} of {'L1s' if page['limit'] == 'L1_signed_in' else 'L1'}"
        met = share >= page["share"]
        if page.get("p95_target_ms") is not None:
            wanted += f", p95 < {page['p95_target_ms']} ms"
            met = met and run["p95_ms"] < page["p95_target_ms"]
        rows.append(f"| {page['label']} | {wanted} | {share:.0%}, p95 {run['p95_ms']:.1f} ms |"
                    f" {'met' if met else 'missed'} |")
    if not rows:
        return []
    return ["", f"Against the targets (c={c}):", "",
            "| page | target | measured | |", "|---|---|---|---|", *rows]


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
    limits = {"L1": "L1", "L1_signed_in": "L1s"}
    lines += [
        "Each page is divided by the limit of its kind: **L1s** (L1 with a signed-in session)"
        " for a page requested signed in, **L1** for an anonymous one, measured again just"
        " before the page at the same concurrency (its req/s in \"limit req/s\"); ÷ L0 is"
        " against L0's run at the start.",
        "",
        "| page | c | req/s | p50 ms | p95 ms | queries/req | limit | limit req/s |"
        " ÷ limit req/s | ÷ L0 req/s | errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    base = {name: {row["concurrency"]: row for row in pages.get(name, {}).get("runs", [])}
            for name in ("L0", "L1", "L1_signed_in")}
    for name, page in pages.items():
        q = queries.get(name, {}).get("queries", "–")
        # The limits themselves are shown against L1 (L1s: what being signed in costs).
        limit = page.get("limit") or ("L1" if name != "L1" else None)
        for row in page["runs"]:
            c = row["concurrency"]
            l0 = base["L0"].get(c, {}).get("rps", 0)
            by = _limit_rps(row, {"limit": limit}, base) if limit else 0
            lines.append(
                f"| {page['label']} | {c} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {q} | {limits.get(limit, '–')} | "
                f"{f'{by:.0f}' if limit and by else '–'} | "
                f"{_ratio(row['rps'], by) if limit else '1.00'} | "
                f"{_ratio(row['rps'], l0)} | {row['errors']} |"
            )
    lines += _targets(pages, base)
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
        (f"Generated in {result['generate_s']} s; whole run {result.get('total_s', '?')} s."
         if "generate_s" in result else
         f"Measured on the database of an earlier run (BENCH_REUSE_DB); whole run "
         f"{result.get('total_s', '?')} s."),
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
