"""gunicorn on a web node, behind nginx: ``gunicorn -c deploy/gunicorn.conf.py xiangcheng.wsgi``
(deploy/systemd/xiangcheng-web.service).

A node holds no state: sessions and data are in PostgreSQL, caches and rate limits in Redis,
uploads in object storage. Sync workers suit it because nginx buffers every request and
response (deploy/nginx/xiangcheng.conf), so a worker is busy only while Django works, never
while a phone uploads or downloads. Each worker keeps its own database pool
(DJANGO_DB_POOL_SIZE connections at most): count workers × nodes × that against the server's
max_connections.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request past this is killed and logged; nginx waits 60 s, a page should take milliseconds.
timeout = 30
# On SIGTERM or a reload, a request under way may finish.
graceful_timeout = 30
# nginx keeps connections to the upstream open (keepalive 16).
keepalive = 5
# A worker is replaced after this many requests (with jitter, not all at once), so a slow leak
# never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file on a RAM disk: a worker is never thought dead because a disk stalled.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (a heartbeat file only, as gunicorn advises)
# Only nginx on this machine may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = "127.0.0.1"
# To the journal, through stdout and stderr.
accesslog = "-"
errorlog = "-"
# Workers are replaced with a HUP (systemctl reload); no control socket in the service's home.
control_socket_disable = True
# Each worker imports the application itself: no database pool or Redis connection is opened
# before the fork and then shared between processes.
preload_app = False
