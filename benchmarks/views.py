"""The two limits every page is compared with, served by the same gunicorn.

L0: the cheapest response Django can give through the full middleware stack.
L1: the work queue page's rows fetched by one hand-written SQL query and rendered by string
joining: no ORM, no template engine. A page at 50% of L1 spends as much on the framework as
on the data.
"""

from html import escape

from django.db import connection
from django.http import HttpResponse

from benchmarks import queries


def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


def raw_work_queue(request):
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    with connection.cursor() as cursor:
        cursor.execute(queries.WORK_QUEUE_PAGE, queries.work_queue_params(page))
        rows = cursor.fetchall()
    parts = ["<!doctype html><html><body><table>"]
    for row in rows:
        parts.append("<tr>")
        parts.extend(f"<td>{escape(str(value))}</td>" for value in row)
        parts.append("</tr>")
    parts.append("</table></body></html>")
    return HttpResponse("".join(parts))
