"""Where the machine's CPU went while something was measured (a page's timed run, a burst of the
rush): each part of the stack by its processes' own CPU time (user and system), and the rest of
the machine.

A part is named by the processes the run started (gunicorn, the Celery workers, the mail and SMS
stand-ins) and by the servers' own account of their process (PostgreSQL's backend, Redis's
``INFO``), never by command lines: a PostgreSQL backend's title names its database, and the
benchmark's database names the benchmark. The load generator is this process alone (the others
are its children). Workers and backends are found anew at each reading; a process that ends
between two readings takes its time with it (none does during a burst).
"""

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psutil

WEB, DATABASE = "gunicorn", "PostgreSQL"
GENERATOR = "load generator"
REST = "rest of the machine"


def _tree(pid: int) -> list[int]:
    try:
        return [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    except psutil.Error:
        return []


def _cpu(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent on anything since it started."""
    times = psutil.cpu_times()
    # Waiting is not work; a guest's time is counted in user time already (Linux).
    not_busy = ("idle", "iowait", "guest", "guest_nice")
    return sum(times) - sum(getattr(times, name, 0.0) for name in not_busy)


def local(address: str) -> bool:
    """A server on this machine (a Unix socket or the loopback), whose process can be read here."""
    return address == "" or address.startswith("/") or address in ("localhost", "127.0.0.1", "::1")


def postgres_root(connection) -> int | None:
    """The PostgreSQL server's main process, if it runs on this machine: the parent of the
    backend serving ``connection`` (a Django connection)."""
    if not local(connection.settings_dict.get("HOST") or ""):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        server = psutil.Process(psutil.Process(backend).ppid())
        return server.pid if server.name().startswith("postgres") else None
    except psutil.Error:
        return None


def redis_root(url: str) -> int | None:
    """The Redis server's process, if it runs on this machine."""
    import redis

    parts = urlsplit(url)
    if not (parts.scheme == "unix" or local(parts.hostname or "")):
        return None
    pid = int(redis.Redis.from_url(url).info("server")["process_id"])
    try:
        return pid if "redis" in psutil.Process(pid).name() else None
    except psutil.Error:
        return None


@dataclass(frozen=True)
class Parts:
    """Each part's root processes, in the order a process is claimed: a process belongs to the
    first part whose tree holds it."""

    roots: dict[str, list[int]]

    def pids(self) -> dict[str, list[int]]:
        claimed: set[int] = {os.getpid()}
        found = {}
        for name, roots in self.roots.items():
            found[name] = [pid for root in roots for pid in _tree(root) if pid not in claimed]
            claimed.update(found[name])
        found[GENERATOR] = [os.getpid()]
        return found


def stack_parts(processes, *, connection, redis_url: str) -> Parts:
    """The parts of a run's stack (``bench.stack.Processes`` it started; its database connection and
    Redis), the servers only if they run on this machine."""
    postgres, redis = postgres_root(connection), redis_root(redis_url)
    return Parts(roots={
        WEB: processes.pids("gunicorn"),
        DATABASE: [postgres] if postgres else [],
        "Celery workers": processes.pids("celery worker"),
        "Redis": [redis] if redis else [],
        "mail and SMS stand-ins": processes.pids("sinks"),
    })


@dataclass
class _Reading:
    at: float
    busy: float
    cpu: dict[str, dict[int, float]]


def _read(parts: Parts) -> _Reading:
    cpu = {name: {pid: seconds for pid in pids if (seconds := _cpu(pid)) is not None}
           for name, pids in parts.pids().items()}
    return _Reading(at=time.monotonic(), busy=_machine_busy(), cpu=cpu)


@dataclass
class Meter:
    """``start()`` and ``stop()`` around what is measured; then ``spent``: CPU seconds of each part,
    and of the rest of the machine, and ``seconds``, the time between the two readings."""

    parts: Parts
    spent: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    _start: _Reading | None = None

    def start(self) -> None:
        self._start = _read(self.parts)

    def stop(self) -> None:
        end, start = _read(self.parts), self._start
        self.seconds = end.at - start.at
        # A process found only at the end started in between: all its time was spent meanwhile.
        self.spent = {name: sum(seconds - start.cpu.get(name, {}).get(pid, 0.0) for pid, seconds in times.items())
                      for name, times in end.cpu.items()}
        self.spent[REST] = max(0.0, (end.busy - start.busy) - sum(self.spent.values()))


def total(meters: Iterable[Meter]) -> tuple[dict[str, float], float]:
    """The parts' CPU seconds over several measurements, and their time together."""
    spent: dict[str, float] = {}
    seconds = 0.0
    for meter in meters:
        seconds += meter.seconds
        for name, value in meter.spent.items():
            spent[name] = spent.get(name, 0.0) + value
    return spent, seconds
