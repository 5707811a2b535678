"""The bench harness's own pieces: COPY encoding, the baselines, the report."""

import datetime

import pytest

from benchmarks import report
from benchmarks.bulk import _encode


def test_copy_encoding_escapes_what_the_text_format_reserves():
    assert _encode("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert _encode(None) == "\\N"
    assert _encode(True) == "t" and _encode(False) == "f"
    assert _encode(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert _encode("宜川路") == "宜川路"


def _run(rps, concurrency=8):
    return {"concurrency": concurrency, "requests": rps * 5, "rps": rps, "p50_ms": 1.0,
            "p95_ms": 2.0, "p99_ms": 3.0, "max_ms": 4.0, "errors": 0}


def _result(**extra):
    return {
        "suggestions": 1000, "commit": "abc", "when": "now", "gunicorn_workers": 4,
        "duration_s": 5,
        "machine": {"cpu": "test", "cpus": 2, "platform": "linux", "python": "3.12"},
        "data": {"suggestions": 1000},
        "pages": {
            "L0": {"label": "L0", "path": "/", "runs": [_run(1000)]},
            "L1": {"label": "L1", "path": "/", "runs": [_run(400)]},
            "L1_signed_in": {"label": "L1s", "path": "/", "runs": [_run(250)]},
            "queue": {"label": "queue", "path": "/", "runs": [_run(200)],
                      "limit": "L1_signed_in", "share": 0.85, "p95_target_ms": None},
            "home": {"label": "home", "path": "/", "runs": [_run(200)],
                     "limit": "L1", "share": 0.40, "p95_target_ms": 50},
        },
        "queries": {"queue": {"queries": 7, "ok": True}, "home": {"queries": 8, "ok": True},
                    "dashboard": {"ok": False, "error": "HTTP 404"}},
        **extra,
    }


def test_report_divides_each_page_by_the_limit_of_its_kind_and_by_l0():
    lines = report.table(_result()).splitlines()
    # signed in: against L1 with a session (200 / 250); anonymous: against L1 (200 / 400)
    assert "| 7 | L1s | 250 | 0.80 | 0.20 |" in next(x for x in lines if x.startswith("| queue | 8 |"))
    assert "| 8 | L1 | 400 | 0.50 | 0.20 |" in next(x for x in lines if x.startswith("| home | 8 |"))
    targets = {x.split(" | ")[0]: x for x in lines if x.endswith("| met |")
               or x.endswith("| missed |")}
    assert targets["| queue"].endswith("80%, p95 2.0 ms | missed |")
    assert "≥ 85% of L1s" in targets["| queue"]
    assert targets["| home"].endswith("50%, p95 2.0 ms | met |")


def test_a_page_is_divided_by_its_limit_measured_beside_it():
    # The machine's speed moves within minutes: the run of L1s just before the page (its
    # limit_rps) divides it, not the L1s run at the start.
    result = _result()
    result["pages"]["queue"]["runs"] = [{**_run(200), "limit_rps": 400}]
    result["pages"]["home"]["runs"] = [{**_run(200), "limit_rps": 800}]
    lines = report.table(result).splitlines()
    assert "| 7 | L1s | 400 | 0.50 | 0.20 |" in next(x for x in lines if x.startswith("| queue | 8 |"))
    assert "| 8 | L1 | 800 | 0.25 | 0.20 |" in next(x for x in lines if x.startswith("| home | 8 |"))
    targets = {x.split(" | ")[0]: x for x in lines if x.endswith("| met |")
               or x.endswith("| missed |")}
    assert targets["| queue"].endswith("50%, p95 2.0 ms | missed |")
    assert targets["| home"].endswith("25%, p95 2.0 ms | missed |")


def test_a_page_requested_signed_in_is_measured_against_the_signed_in_limit():
    from benchmarks.measure import Target

    assert Target("home", "home", "/").limit == "L1"
    assert Target("me", "me", "/me/", cookie="sessionid=x").limit == "L1_signed_in"
    assert Target("w", "w", "/", rotation=[("sessionid=x", "/")]).limit == "L1_signed_in"
    assert Target("L1", "L1", "/", baseline=True).limit is None


def test_report_lists_the_pages_that_could_not_be_measured():
    text = report.table(_result())
    assert "- dashboard: HTTP 404" in text
    assert "- queue:" not in text


def test_docs_keep_one_results_section_per_size(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nprose\n")
    report.write_docs(_result(), doc)
    report.write_docs(_result(), doc)
    report.write_docs(_result(suggestions=1_000_000), doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nprose\n")
    assert text.count("## Results (1,000 suggestions)") == 1
    assert text.count("## Results (1,000,000 suggestions)") == 1


@pytest.mark.urls("benchmarks.urls")
def test_l0_answers_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/_bench/l0/")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.urls("benchmarks.urls")
def test_signed_in_l1_costs_the_session_and_its_user(
        db, client, coordinator, django_assert_num_queries):
    client.get("/_bench/l1/")
    with django_assert_num_queries(1):
        assert client.get("/_bench/l1/").status_code == 200
    client.force_login(coordinator)
    client.get("/_bench/l1/")  # the idle-timeout stamp is written once a minute
    with django_assert_num_queries(3) as queries:  # the session, its user, the page
        assert client.get("/_bench/l1/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert '"django_session"' in sql[0] and '"auth_user"' in sql[1]


def test_profile_splits_a_request_into_database_templates_and_the_rest(db):
    """The split counts each statement once, as database time, even when a template runs
    it, and each template once, however deep its includes go."""
    import time

    from django.db import connection
    from django.template import engines

    from benchmarks.profile import split_timers

    engine = engines["django"]
    inner = engine.from_string("{% for n in slow %}{{ n }}{% endfor %}")

    class Slow:
        def __iter__(self):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            time.sleep(0.02)  # inside the template: template time
            return iter([1, 2])

    outer = engine.from_string("[{{ inner }}]")
    with split_timers() as spent:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        text = outer.render({"inner": inner.render({"slow": Slow()})})
        nested = engine.from_string("{% include tpl %}").render({"tpl": inner.template,
                                                                 "slow": Slow()})
    assert text == "[12]" and nested == "12"
    assert spent["templates"] >= 0.04
    assert 0 < spent["sql"] < 0.02  # three SELECT 1, none of the sleeps
    before = dict(spent)
    inner.render({"slow": [1]})  # after the block: not counted
    assert spent == before
