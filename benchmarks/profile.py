"""Where one page's time goes, in-process, on the database of the last `make bench` run.

    DJANGO_SETTINGS_MODULE=yichuan.settings.bench python -m benchmarks.profile [TARGET ...]
        [--requests N] [--top N] [--sort cumulative|tottime]

Each target (the names of `make bench`'s table: queue, detail, me, …) is requested through
the full middleware stack with the session it is benchmarked with, warmed, then timed over
N requests (ms per request, queries per request) and profiled with cProfile. Targets that
write (event sign-up) are timed over their rotation, reset before and after.

Each request's time is also split three ways, measured over N more requests: waiting on
the database (each statement's execute and fetch), rendering templates (the outermost
render of each template, form widgets included, less the statements run inside it), and
the rest (middleware, the views' Python, the ORM composing queries and building rows).
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuan.settings.bench")


def _ms_per_request(send, requests, reset=None):
    started = time.perf_counter()
    for i in range(requests):
        send(i)
    ms = (time.perf_counter() - started) * 1000 / requests
    if reset:
        reset()
    return ms


@contextlib.contextmanager
def split_timers():
    """Seconds spent on the database and in templates while the block runs, in a dict that
    is filled as it goes: {"sql": s, "templates": s}."""
    from django.db import connection
    from django.template.backends.django import Template

    spent = {"sql": 0.0, "templates": 0.0}
    depth = [0]  # templates render templates (includes, widgets): time the outermost
    inside = [0.0]  # database time within the outermost template being rendered
    render = Template.render

    def timed_render(self, *args, **kwargs):
        depth[0] += 1
        if depth[0] == 1:
            inside[0] = 0.0
            started = time.perf_counter()
        try:
            return render(self, *args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent["templates"] += time.perf_counter() - started - inside[0]

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            spent["sql"] += elapsed
            if depth[0]:
                inside[0] += elapsed

    Template.render = timed_render
    try:
        with connection.execute_wrapper(timed_execute):
            yield spent
    finally:
        Template.render = render


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import generator, measure

    found = measure.targets(generator.load_fixture())
    chosen = [t for t in found if not args.targets or t.name in args.targets]
    for target in chosen:
        pairs = target.rotation or [(target.cookie, target.path)]
        clients = []
        for cookie, path in pairs[: args.requests]:
            client = Client(HTTP_HOST="127.0.0.1")
            for part in (cookie or "").split("; "):
                if "=" in part:
                    key, value = part.split("=", 1)
                    client.cookies[key] = value
            clients.append((client, path))
        post = target.method == "POST"
        extra = {"HTTP_X_CSRFTOKEN": measure.CSRF_SECRET} if post else {}

        def send(i, clients=clients, post=post, extra=extra):
            client, path = clients[i % len(clients)]
            if post:
                return client.post(path, secure=True, **extra)
            return client.get(path, secure=True)

        for i in range(min(20, args.requests)):
            send(i)
        if target.reset:
            target.reset()
        with CaptureQueriesContext(connection) as ctx:
            send(0)
        queries = len(ctx)
        if target.reset:
            target.reset()
        ms = _ms_per_request(send, args.requests, target.reset)
        with split_timers() as spent:
            split_ms = _ms_per_request(send, args.requests, target.reset)
        sql, templates = (spent[part] * 1000 / args.requests for part in ("sql", "templates"))
        print(f"{target.name:14} {ms:7.2f} ms/request  {queries:3} queries   "
              f"database {sql:5.2f}  templates {templates:5.2f}  "
              f"rest {split_ms - sql - templates:5.2f} ms", flush=True)
        if args.top:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(args.requests):
                send(i)
            profiler.disable()
            if target.reset:
                target.reset()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
