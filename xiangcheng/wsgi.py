"""The WSGI application each gunicorn worker serves (deploy/gunicorn.conf.py).

A worker imports every URLconf, with the views it names, and builds their patterns at start,
which Django would otherwise do on the worker's first request: that request then answers as
fast as the next (about 140 ms sooner), after every deploy and every replacement of a worker
(``max_requests``), and in a sign-up rush no worker spends that time importing. It reads the
release its kept fragments are named by (``fragments.release``, a digest of the project's files:
some 50 ms) at start too. Nothing here opens a connection: the database and Redis are reached on
the first request, as before.

What start-up made (modules, URL patterns, templates: some 200,000 objects) lives as long as the
worker, so it is frozen out of the garbage collector's reach: a full collection walked all of it,
80–180 ms during which every thread of the worker waited, a few times in a thousand requests.
"""

import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from .core.fragments import release
from .settings import settings_module_default

settings_module_default()
application = get_wsgi_application()
get_resolver().reverse_dict  # noqa: B018 - reading it imports every URLconf and builds the patterns
release()
# Collected first, so that only what start-up keeps is frozen.
gc.collect()
gc.freeze()
