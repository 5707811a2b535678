"""Where one page's time goes, in-process, on the database of the last `make bench` run.

    DJANGO_SETTINGS_MODULE=yichuan.settings.bench python -m benchmarks.profile [TARGET ...]
        [--requests N] [--top N] [--sort cumulative|tottime]

Each target (the names of `make bench`'s table: queue, detail, me, …) is requested through
the full middleware stack with the session it is benchmarked with, warmed, then timed over
N requests (ms per request, queries per request) and profiled with cProfile. Targets that
write (event sign-up) are timed over their rotation, reset before and after.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuan.settings.bench")


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
        started = time.perf_counter()
        for i in range(args.requests):
            send(i)
        ms = (time.perf_counter() - started) * 1000 / args.requests
        if target.reset:
            target.reset()
        print(f"{target.name:14} {ms:7.2f} ms/request  {queries:3} queries", flush=True)
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
