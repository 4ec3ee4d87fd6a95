"""What `make bench` measures the pages against, switched on only by its settings
(xiangcheng/settings/bench.py); production answers the floor with a 404 and never counts queries.

- ``floor``: the fastest page this stack can serve on the machine: the whole middleware stack,
  one indexed query and a tiny template. Each page's throughput is reported as a share of it.
- ``QueryCountMiddleware``: the number of SQL queries a request ran, for requests that ask for it.
"""

from django.conf import settings
from django.db import connection
from django.http import Http404
from django.shortcuts import render

from .models import Programme

QUERY_COUNT_HEADER = "X-Bench-Queries"


def floor(request):
    if not settings.BENCH_FLOOR:
        raise Http404
    # A unique index lookup of one small row.
    programme = Programme.objects.only("name", "slogan").get(slug="gather")
    return render(request, "core/floor.html", {"programme": programme})


class QueryCountMiddleware:
    """With the request header ``X-Bench-Queries``, the response says how many SQL queries the
    request ran (sessions, authentication, the view and its template: it is the outermost)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_BENCH_QUERIES" not in request.META:
            return self.get_response(request)
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(count)
        return response
