"""`make bench`: the portal at district scale, measured against the machine's own limits.

One run, on one machine: recreate a PostgreSQL database, migrate, generate the district
(benchmarks.generator), serve the portal with gunicorn under production settings, drive
each page with wrk at several concurrencies beside the limits L0 and L1, count the queries
of each page with Django's test client, time the reminder scan beside B0, and write
bench-results/latest.json and docs/benchmarks.md.

Environment (all optional):
  BENCH_SUGGESTIONS   suggestions to generate (100000; 1000000 for the district-scale run)
  BENCH_CONCURRENCY   wrk connections, comma separated (1,8,32)
  BENCH_DURATION      seconds per wrk run (5)
  BENCH_WORKERS       gunicorn sync workers (2 x CPUs)
  BENCH_PORT          loopback port for gunicorn (8765)
  BENCH_REUSE_DB=1    keep the database of the previous run (skip recreate and generate)
  DATABASE_URL        default postgres://postgres@127.0.0.1:5432/yichuan_bench
  CACHE_URL           the shared cache, as production has one: redis://127.0.0.1:6379/14
                      (emptied at the start of each run)
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
LUA = Path(__file__).resolve().parent / "lua" / "bench.lua"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/yichuan_bench"
SETTINGS = "yichuan.settings.bench"


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv=None):
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suggestions", type=int,
                        default=int(env.get("BENCH_SUGGESTIONS", "100000")))
    parser.add_argument("--concurrency", default=env.get("BENCH_CONCURRENCY", "1,8,32"))
    parser.add_argument("--duration", type=int, default=int(env.get("BENCH_DURATION", "5")))
    parser.add_argument("--workers", type=int,
                        default=int(env.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1)))))
    parser.add_argument("--port", type=int, default=int(env.get("BENCH_PORT", "8765")))
    parser.add_argument("--reuse-db", action="store_true",
                        default=env.get("BENCH_REUSE_DB", "") == "1")
    parser.add_argument("--no-docs", action="store_true",
                        help="write the JSON only, leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    return args


# --- the machine ----------------------------------------------------------------------------


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    log("wrk is missing: installing the Debian package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=False, env=env)
    if not shutil.which("wrk"):
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
    return shutil.which("wrk")


def machine():
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        info["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True,
                                     check=False).stdout.split("\n")[0].strip()
    except OSError:
        pass
    return info


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def recreate_database(url):
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    conn = psycopg2.connect(dbname="postgres", user=config.get("USER") or None,
                            password=config.get("PASSWORD") or None,
                            host=config.get("HOST") or None, port=config.get("PORT") or None)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    conn.close()
    return version


# --- gunicorn and wrk ---------------------------------------------------------------------


class Gunicorn:
    def __init__(self, port, workers, env):
        self.port = port
        self.workers = workers
        self.env = env
        self.process = None

    def __enter__(self):
        import socket

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} is in use: set BENCH_PORT")
        RESULTS.mkdir(exist_ok=True)
        self.log = open(RESULTS / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "yichuan.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--worker-class", "sync", "--backlog", "2048", "--keep-alive", "5",
             "--timeout", "60", "--log-level", "warning", "--no-control-socket"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # as the TLS proxy would say: otherwise production redirects to https
                request = urllib.request.Request(f"http://127.0.0.1:{self.port}/_bench/l0/",
                                                 headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {RESULTS / 'gunicorn.log'}")
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def drain(port, limit=180):
    """Wait until the workers have finished the requests wrk left queued: a slow page's
    backlog must not be billed to the next page. Returns the seconds waited."""
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_bench/l0/",
                                     headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() - started < limit:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310
                response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
            continue
        if time.monotonic() - t0 < 0.2:
            break
    return time.monotonic() - started


def wrk_run(url, *, concurrency, duration, headers, method="GET", body=None, rotate=None):
    threads = 1 if concurrency == 1 else 2
    command = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s",
               "--timeout", "10s", "-s", str(LUA)]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    env = {**os.environ, "BENCH_THREADS": str(threads), "BENCH_ROTATE": rotate or "",
           "BENCH_METHOD": method, "BENCH_BODY": body or ""}
    command.append(url)
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            seconds = data["duration_us"] / 1e6
            return {
                "concurrency": concurrency,
                "requests": data["requests"],
                "rps": round(data["requests"] / seconds, 1) if seconds else 0.0,
                "p50_ms": round(data["p50_us"] / 1000, 2),
                "p95_ms": round(data["p95_us"] / 1000, 2),
                "p99_ms": round(data["p99_us"] / 1000, 2),
                "max_ms": round(data["max_us"] / 1000, 2),
                "errors": data["status_errors"] + data["socket_errors"],
            }
    raise RuntimeError(f"wrk gave no result for {url}:\n{completed.stdout}\n{completed.stderr}")


# --- the run ------------------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    ensure_wrk()

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "suggestions": args.suggestions,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
    }
    if not args.reuse_db:
        log(f"recreating the database {database_url.rsplit('/', 1)[-1]}")
        result["machine"]["postgresql"] = recreate_database(database_url)

    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command

    try:
        caches["default"].clear()  # no figures counted on another run's data
    except Exception as exc:
        raise SystemExit(f"the bench runs with production's shared cache ({os.environ['CACHE_URL']}):"
                         f" start Redis there or set CACHE_URL ({exc})") from exc

    from benchmarks import generator, measure

    t0 = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    result["migrate_s"] = round(time.monotonic() - t0, 1)
    if args.reuse_db:
        fixture = generator.load_fixture()
        generator.forget_notifications()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["machine"]["postgresql"] = cursor.fetchone()[0]
    else:
        log(f"generating the district: {args.suggestions:,} suggestions")
        t0 = time.monotonic()
        fixture = generator.generate(suggestions=args.suggestions, log=log)
        result["generate_s"] = round(time.monotonic() - t0, 1)
        log(f"generated in {result['generate_s']} s")
    result["data"] = fixture["counts"]
    result["missing"] = fixture.get("missing", [])

    targets = measure.targets(fixture)
    log("counting queries per request with the test client")
    result["queries"] = measure.count_queries(targets)
    for name, info in result["queries"].items():
        log(f"  {name}: {info}")

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database_url}
    from django.db import connections

    connections.close_all()
    base = f"http://127.0.0.1:{args.port}"
    pages = {}
    limits = {target.name: target for target in targets if target.baseline}
    with Gunicorn(args.port, args.workers, env):
        for target in targets:
            if not result["queries"].get(target.name, {}).get("ok", True):
                log(f"skipping {target.name}: {result['queries'][target.name].get('error')}")
                continue
            rows = []
            for concurrency in args.concurrency:
                rotate = target.rotation_file(RESULTS) if target.rotation else None
                # a short warm-up so each worker has its connection and caches
                wrk_run(base + target.path, concurrency=concurrency, duration=1,
                        headers=target.headers(base), method=target.method, body=target.body,
                        rotate=rotate)
                # Its limit again, just before it: this machine's speed moves by half
                # within minutes, so a page is divided by the limit measured beside it.
                limit = limits.get(target.limit)
                beside = limit and wrk_run(
                    base + limit.path, concurrency=concurrency, duration=args.duration,
                    headers=limit.headers(base), method=limit.method, body=limit.body)
                if target.rotation and target.reset:
                    target.reset()
                row = wrk_run(base + target.path, concurrency=concurrency,
                              duration=args.duration, headers=target.headers(base),
                              method=target.method, body=target.body, rotate=rotate)
                if beside:
                    row["limit_rps"] = beside["rps"]
                rows.append(row)
                log(f"  {target.name} c={concurrency}: {row['rps']} req/s, "
                    f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, errors {row['errors']}"
                    + (f"; {limit.name} beside it {beside['rps']} req/s" if beside else ""))
            pages[target.name] = {"label": target.label, "path": target.path, "runs": rows,
                                  "limit": target.limit, "share": target.share,
                                  "p95_target_ms": target.p95_ms}
            drain(args.port)
    result["pages"] = pages

    log("timing the reminder scan beside B0")
    result["scan"] = measure.reminder_scan(env)
    log(f"  {result['scan']}")

    result["total_s"] = round(time.monotonic() - started, 1)
    from benchmarks import report

    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"run-{result['suggestions']}-{result['commit']}.json").write_text(text)
    table = report.table(result)
    print(table)
    if not args.no_docs:
        report.write_docs(result, ROOT / "docs" / "benchmarks.md")
    log(f"done in {result['total_s']} s; results in {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
