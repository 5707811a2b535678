"""Real concurrent transactions for the PostgreSQL tests: the calls start together, each in
its own thread and database connection."""

import threading

from django.db import connections


def run_together(*calls):
    """Run the calls at the same moment; returns what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what was raised
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
