"""`make bench`: the production settings, plus the two things a benchmark needs to measure them.

- the floor page (``BENCH_FLOOR``): one indexed query and a tiny template, the fastest answer
  this stack gives on the machine, which every page's throughput is compared with;
- the query count (``QueryCountMiddleware``, outermost): a request that asks with the header
  ``X-Bench-Queries`` gets the number of SQL queries it ran in the same response header. Other
  requests pass through untouched.

The benchmark's own database may hold bulk accounts (`manage.py seed_bulk`). Nothing else
differs from production, and a production process never loads this module.
"""

from .production import *  # noqa: F403
from .production import MIDDLEWARE

BENCH_FLOOR = True
BULK_DATA_ALLOWED = True
MIDDLEWARE = ["xiangcheng.core.benchmark.QueryCountMiddleware", *MIDDLEWARE]
