"""A small asyncio HTTP/1.1 client that drives load over loopback.

Why not locust: on a two-core machine the load generator shares the CPU with gunicorn,
PostgreSQL and Redis, so every microsecond it spends is taken from the server it measures.
A few dozen keep-alive connections on one event loop cost far less than locust's greenlets and
its requests stack, need no extra dependency, and give exactly what the table needs: the status
and latency of each request, a header the server sets (the query count), and, for the sign-up
rush, hundreds of connections released at the same instant.
"""

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# As long as nginx waits for gunicorn by default (proxy_read_timeout): a slower answer is an error.
TIMEOUT = 60.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive connection to the server; reopened when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> None:
        if self.writer is None:
            await self.open()
        lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()

    async def receive(self) -> Response:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunks()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(int(status_line.split()[1]), headers, body)

    async def _chunks(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        # A kept-alive connection the server has just closed fails before any answer: one
        # retry of a GET on a fresh connection, as browsers do. A POST is never sent twice (it
        # could sign her up twice); its failure counts as an error.
        fresh = self.writer is None or method != "GET"
        try:
            await self.send(method, path, headers, body)
            return await asyncio.wait_for(self.receive(), TIMEOUT)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.close()
            if fresh or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            await self.send(method, path, headers, body)
            return await asyncio.wait_for(self.receive(), TIMEOUT)


@dataclass
class Result:
    """What a run of requests did: each one's latency, and which failed."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Latency below which ``share`` of the requests finished (nearest rank), in seconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


# A request: method, path, headers, body.
Request = tuple[str, str, dict[str, str], bytes]


async def _timed(connection: Connection, request: Request, expect: int, result: Result) -> Response | None:
    method, path, headers, body = request
    started = time.perf_counter()
    response = None
    try:
        response = await connection.request(method, path, headers, body)
        status = response.status
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
        connection.close()
        status = 0
    result.latencies.append(time.perf_counter() - started)
    result.statuses[status] += 1
    if status != expect:
        result.errors += 1
    return response


async def drive(*, host: str, port: int, clients: int, seconds: float, expect: int,
                request_for: Callable[[int, int], Request], meter=None) -> Result:
    """``clients`` connections, each sending its next request as soon as the last is answered,
    for ``seconds``. ``request_for(client, turn)`` makes each request; ``meter``
    (``bench.cpu.Meter``), if given, runs from the first request to the last answer."""
    result = Result()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds

    async def client(number: int) -> None:
        connection = Connection(host, port)
        turn = 0
        try:
            while loop.time() < deadline:
                await _timed(connection, request_for(number, turn), expect, result)
                turn += 1
        finally:
            connection.close()

    if meter is not None:
        meter.start()
    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    result.elapsed = time.perf_counter() - started
    if meter is not None:
        meter.stop()
    return result


async def fetch(*, host: str, port: int, request: Request) -> Response:
    """One request on its own connection."""
    connection = Connection(host, port)
    try:
        return await connection.request(*request)
    finally:
        connection.close()


async def burst(*, host: str, port: int, requests: list[Request], expect: int, meter=None) -> Result:
    """Every request on its own connection, opened beforehand and sent at the same instant;
    ``meter`` (``bench.cpu.Meter``), if given, started as they are sent and stopped with the last
    answer."""
    result = Result()
    connections = [Connection(host, port) for _ in requests]
    await asyncio.gather(*(c.open() for c in connections))
    go = asyncio.Event()

    async def one(connection: Connection, request: Request) -> None:
        await go.wait()
        await _timed(connection, request, expect, result)
        connection.close()

    tasks = [asyncio.create_task(one(c, r)) for c, r in zip(connections, requests, strict=True)]
    await asyncio.sleep(0)  # every task is waiting at the gate
    if meter is not None:
        meter.start()
    started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - started
    if meter is not None:
        meter.stop()
    return result
