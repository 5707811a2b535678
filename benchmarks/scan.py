"""`python -m benchmarks.scan b0|scan|rescan`: one reminder-scan measurement in its own
process, printed as a SCAN_JSON line (seconds, peak RSS, notifications written).

b0 runs the hand-written INSERT … SELECT … ON CONFLICT DO NOTHING and commits it (timed with
its commit, as the scan's batches are), then deletes what it wrote and vacuums, so the
portal's scan that follows finds the same work to do; it does so twice and keeps the faster.
"""

import json
import os
import resource
import sys
import time


def _rss_mb():
    """Peak resident memory of this process (VmHWM). ru_maxrss would not do: Linux carries
    it over from the forking parent across exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(step):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuan.settings.bench")
    import django

    django.setup()
    from django.db import connection
    from django.urls import reverse

    # The beat's scans run in a worker that lives for days: its URLconf (every app's views,
    # allauth's, icalendar, qrcode) is imported once, by the first reverse(), not per scan.
    # Timed cold, that import was 0.6 s of the scan's 2.8 s at a million suggestions.
    reverse("home")
    import time_machine  # noqa: F401 (the bench's clock, imported before the timing too)

    from benchmarks import reminders
    from notifications.models import Notification

    before = Notification.objects.count()
    baseline = _rss_mb()
    extra = {}
    if step == "b0":
        # The faster of two runs: once a run's first B0 took 1.33 s for its statement,
        # against 0.11 s in the runs before and after it on the same data.
        runs = [reminders.b0(connection) for _run in range(2)]
        seconds, statement, written = min(runs)
        extra["statement_seconds"] = round(statement, 3)
        extra["runs_seconds"] = [round(run[0], 3) for run in runs]
        counts = None
    else:
        started = time.perf_counter()
        counts = reminders.portal_scan()
        seconds = time.perf_counter() - started
        written = Notification.objects.count() - before
    print("SCAN_JSON " + json.dumps({
        "seconds": round(seconds, 3), "peak_rss_mb": round(_rss_mb(), 1),
        "baseline_rss_mb": round(baseline, 1), "written": written, "counts": counts, **extra,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
