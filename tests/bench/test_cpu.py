"""The benchmark's account of where the machine's CPU went (bench/cpu.py), for the rush's bursts
and each page's runs: each part is charged with what its own processes spent, found by the
processes the run started and the servers' own ids."""

import subprocess
import sys
from datetime import datetime

import psutil
import pytest
from django.conf import settings
from django.db import connection

from bench import cpu
from bench.pages import VISITOR

# Says "ready", waits for a line, spends BURN seconds of its own CPU, says "done", waits for the end
# of its input. Run by a parent that only waits for it: the parent's tree holds the work.
BURN = 0.3
BURNER = ("import sys, time; print('ready', flush=True); sys.stdin.readline(); "
          f"end = time.process_time() + {BURN}\nwhile time.process_time() < end: pass\n"
          "print('done', flush=True); sys.stdin.read()")
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BURNER!r}])"
TICKS = 0.02
WAITER = "import sys; print('ready', flush=True); sys.stdin.read()"


def started(code: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    return process


@pytest.fixture
def busy_and_idle():
    busy, idle = started(PARENT), started(WAITER)
    yield busy, idle
    for process in (busy, idle):
        process.stdin.close()
        process.wait(timeout=30)


def test_each_part_is_charged_with_what_its_process_tree_spent(busy_and_idle):
    busy, idle = busy_and_idle
    parts = cpu.Parts(roots={"busy": [busy.pid], "idle": [idle.pid], "busy again": [busy.pid]})
    burner = psutil.Process(busy.pid).children()[0].pid
    # A process belongs to the first part whose tree holds it; this one is the load generator.
    assert parts.pids() == {"busy": [busy.pid, burner], "idle": [idle.pid], "busy again": [],
                            cpu.GENERATOR: [psutil.Process().pid]}

    meter = cpu.Meter(parts)
    meter.start()
    busy.stdin.write("go\n")
    busy.stdin.flush()
    assert busy.stdout.readline() == "done\n"
    meter.stop()

    assert set(meter.spent) == {"busy", "idle", "busy again", cpu.GENERATOR, cpu.REST}
    # The burner's time, charged to its parent's part; the kernel counts a process's time in
    # clock ticks (a hundredth of a second each), so a reading may lag by one at each end.
    assert BURN - TICKS <= meter.spent["busy"] < BURN + 0.1
    assert meter.spent["idle"] < 0.02
    assert meter.spent["busy again"] == 0
    assert meter.spent[cpu.GENERATOR] < 0.1
    assert meter.spent[cpu.REST] >= 0
    assert meter.seconds >= BURN  # one thread cannot spend more CPU than the time it had


def test_the_totals_of_several_bursts_add_their_time_and_each_part():
    first, second = cpu.Meter(cpu.Parts(roots={})), cpu.Meter(cpu.Parts(roots={}))
    first.spent, first.seconds = {cpu.WEB: 2.8, cpu.REST: 0.1}, 2.5
    second.spent, second.seconds = {cpu.WEB: 2.7, "Redis": 0.05, cpu.REST: 0.1}, 2.5
    assert cpu.total([first, second]) == ({cpu.WEB: 5.5, cpu.REST: 0.2, "Redis": 0.05}, 5.0)


@pytest.mark.django_db
def test_the_servers_processes_are_found_by_their_own_account_of_them():
    postgres = cpu.postgres_root(connection)
    assert postgres is not None and psutil.Process(postgres).name().startswith("postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    assert psutil.Process(backend).ppid() == postgres

    redis = cpu.redis_root(settings.REDIS_URL)
    assert redis is not None and "redis" in psutil.Process(redis).name()


@pytest.mark.parametrize(("address", "here"), [
    ("", True), ("/srv/run/postgresql", True), ("localhost", True), ("127.0.0.1", True), ("::1", True),
    ("10.0.3.7", False), ("db.example.cn", False),
])
def test_only_a_server_on_this_machine_is_read(address, here):
    assert cpu.local(address) is here


def test_the_rush_says_where_the_cpu_went_per_sign_up_and_in_cores():
    from bench.load import Result
    from bench.report import RunSettings, render
    from bench.scenarios import RushFigures

    def burst(gunicorn: float, *, warm_up: bool = False, metered: bool = True) -> RushFigures:
        meter = None
        if metered:
            meter = cpu.Meter(cpu.Parts(roots={}))
            meter.spent = {cpu.WEB: gunicorn, cpu.DATABASE: 0.6, cpu.GENERATOR: 0.3, cpu.REST: 0.1}
            meter.seconds = 2.5
        return RushFigures(clients=500, seats=50, confirmed=50, waitlisted=450,
                           result=Result(latencies=[0.5] * 500, errors=0, elapsed=2.5), warm_up=warm_up, meter=meter)

    run = RunSettings(scale=1, seed=1, seconds=8, clients=8, workers=4, threads=4, worker_concurrency=2, rows={})
    # The warm-up's figures are left out: 1,000 sign-ups in 5 s.
    text = render(settings=run, pages=None, rush=[burst(9.0, warm_up=True), burst(2.8), burst(2.7)], reminders=None,
                  when=datetime(2026, 12, 7))
    assert "Where the CPU went while the counted bursts were answered (5.0 s in all)" in text
    table = text.split("(5.0 s in all)", 1)[1]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| part")]
    assert rows == [[cpu.WEB, "5.50", "1.10"], [cpu.DATABASE, "1.20", "0.24"], [cpu.GENERATOR, "0.60", "0.12"],
                    [cpu.REST, "0.20", "0.04"], ["all", "7.50", "1.50"]]

    unmetered = render(settings=run, pages=None, rush=[burst(2.8, metered=False)], reminders=None,
                       when=datetime(2026, 12, 7))
    assert "Where the CPU went" not in unmetered


def test_a_pages_row_says_its_cpu_a_request_over_its_rounds():
    from bench.load import Result
    from bench.pages import FLOOR, Page
    from bench.report import pages_table
    from bench.scenarios import PageFigures

    def figures(page: Page, requests: int, web: float, database: float, round_: int) -> PageFigures:
        # ``requests`` answers in one second; the machine spent ``web`` and ``database`` seconds on them.
        meter = cpu.Meter(cpu.Parts(roots={}))
        meter.spent = {cpu.WEB: web, cpu.DATABASE: database, cpu.GENERATOR: 0.06, cpu.REST: 0.06}
        meter.seconds = 1.0
        return PageFigures(page=page, result=Result(latencies=[0.01] * requests, errors=0, elapsed=1.0), queries=1,
                           round=round_, meter=meter)

    floor, home = Page(FLOOR, "/bench/floor/", VISITOR), Page("home", "/")
    lines, _all_met = pages_table([figures(floor, 800, 1.2, 0.24, 0), figures(home, 400, 1.3, 0.3, 0),
                                   figures(floor, 800, 1.2, 0.24, 1), figures(home, 100, 0.5, 0.1, 1),
                                   figures(floor, 800, 1.2, 0.24, 2)])
    rows = {row[0]: row for row in ([c.strip() for c in line.strip("|").split("|")] for line in lines[2:])}
    # Its rounds together: 1.8 s of gunicorn, 0.4 of PostgreSQL, 2.44 of the machine for 500 requests.
    assert rows["home"][8:11] == ["3.60", "0.80", "4.88"]
    assert rows["floor"][8:11] == ["1.50", "0.30", "1.95"]
