"""The processes and databases a benchmark run uses, and the environment they share.

The bulk data lives in its own database (``xiangcheng_bench``, or one per scale and seed), loaded
once. Each run works on a fresh copy of it (``CREATE DATABASE … TEMPLATE``), dropped afterwards,
so every run starts from the same rows and what one run writes (sign-ups, reminders, sessions)
never reaches the next. Redis: database 3 of the server, emptied at the start.
"""

import logging
import os
import runpy
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
RUN_DB = "xiangcheng_bench_run"
REDIS_DB = "3"
# As deploy/systemd/xiangcheng-worker@.service runs the worker (Nice=).
WORKER_NICENESS = 10

log = logging.getLogger("bench")


def template_name(*, scale: float, seed: int) -> str:
    """The database holding the bulk data for this scale and seed."""
    if scale == 1 and seed == 1:
        return "xiangcheng_bench"
    return f"xiangcheng_bench_{scale:g}_{seed}".replace(".", "_")


def database_url(server_url: str, name: str) -> str:
    head, _, query = server_url.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def redis_url(url: str) -> str:
    """The same Redis server, the benchmark's database number."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?{urlencode({**dict(parse_qsl(parts.query)), 'db': REDIS_DB})}"
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _admin(server_url: str, statement: sql.Composable) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(statement)


def database_exists(server_url: str, name: str) -> bool:
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def database_create(server_url: str, name: str, *, template: str | None = None) -> None:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    _admin(server_url, statement)


def database_drop(server_url: str, name: str) -> None:
    _admin(server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sms_environment(endpoint: str) -> dict[str, str]:
    """Production refuses the development SMS backends: the provider's, with a code for every
    declared template, pointed at the benchmark's stand-in endpoint."""
    names = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from xiangcheng.core.sms import templates_declared; "
                               "print(' '.join(templates_declared()))"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.local"},
        check=True, capture_output=True, text=True).stdout.split()
    return {
        "SMS_BACKEND": "xiangcheng.core.sms_aliyun.AliyunBackend", "SMS_SIGN_NAME": "bench",
        "SMS_ALIYUN_ACCESS_KEY_ID": "bench", "SMS_ALIYUN_ACCESS_KEY_SECRET": "bench",
        "SMS_ALIYUN_ENDPOINT": endpoint, **{f"SMS_TEMPLATE_{name.upper()}": "SMS_0" for name in names},
    }


def environment(*, database: str, redis: str, smtp_port: int, sms_port: int, cert: Path, pool: int) -> dict[str, str]:
    """What every process of the run sees: the benchmark's settings (production's, plus the floor
    page and the query count) with production's required variables."""
    return {
        "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.bench",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "DJANGO_DB_POOL_SIZE": str(pool),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # The stand-in mail server's certificate is the only one the processes trust.
        "SSL_CERT_FILE": str(cert),
        **sms_environment(f"http://127.0.0.1:{sms_port}"),
    }


class Processes:
    """Started in order, stopped in reverse (each by its own id)."""

    def __init__(self):
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, **kwargs)
        self.running.append((name, process))
        return process

    def pids(self, name: str) -> list[int]:
        """The processes started under ``name``, or under names that begin with it."""
        return [process.pid for started, process in self.running if started.startswith(name)]

    def check(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped (exit code {process.returncode})")

    def stop(self) -> None:
        for name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop in 30 s; killing it", name)
                    process.kill()
                    process.wait()
        self.running.clear()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True)


def sinks(processes: Processes, folder: Path) -> tuple[int, int, Path]:
    """Start the mail server and SMS endpoint stand-ins; their ports and the certificate to trust."""
    process = processes.start("sinks", [sys.executable, "-m", "bench.sinks", str(folder)], {},
                              stdout=subprocess.PIPE, text=True)
    ports = dict(process.stdout.readline().split() for _ in range(2))
    return int(ports["smtp"]), int(ports["sms"]), folder / "cert.pem"


DEPLOYED_GUNICORN = ROOT / "deploy" / "gunicorn.conf.py"


def deployed_workers() -> int:
    """How many workers a deployed web node starts (deploy/gunicorn.conf.py: two a core and one,
    unless GUNICORN_WORKERS says otherwise), read from the file itself."""
    return int(runpy.run_path(str(DEPLOYED_GUNICORN))["workers"])


def worker_class(threads: int) -> str:
    """One thread a worker is a sync worker, as deployed (deploy/gunicorn.conf.py); more, a threaded one."""
    return "gthread" if threads > 1 else "sync"


def gunicorn(processes: Processes, env: dict[str, str], *, port: int, workers: int, threads: int) -> None:
    processes.start("gunicorn", [sys.executable, "-m", "gunicorn", "xiangcheng.wsgi", "--workers", str(workers),
                                 "--threads", str(threads), "--worker-class", worker_class(threads),
                                 "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], env)


def celery_worker(processes: Processes, env: dict[str, str], *, concurrency: int, queues: Sequence[str]) -> None:
    # At the lower CPU priority the worker has where it shares a machine with the web
    # (deploy/systemd/xiangcheng-worker@.service): a page is answered before a notice is sent.
    processes.start(f"celery worker ({','.join(queues)})",
                    ["nice", "-n", str(WORKER_NICENESS), sys.executable, "-m", "celery", "-A", "xiangcheng", "worker",
                     "--loglevel", "warning", "--concurrency", str(concurrency), "-Q", ",".join(queues),
                     "-n", f"{queues[0]}@%h", "--without-gossip", "--without-mingle"], env)


def poll_until(condition: Callable[[], bool], *, seconds: float, every: float) -> bool:
    """Ask ``condition`` every ``every`` seconds until it holds (True) or ``seconds`` pass (False).

    The benchmark waits on other processes (gunicorn listening, the worker emptying the outbox)
    that signal nothing it could block on; this is its one polling loop.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
    return True


def wait_for_port(port: int, processes: Processes, *, seconds: float = 60) -> None:
    def listening() -> bool:
        processes.check()
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    if not poll_until(listening, seconds=seconds, every=0.2):
        raise RuntimeError(f"nothing listens on port {port} after {seconds:.0f} s")
