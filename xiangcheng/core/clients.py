"""Who is asking: the one client address that every per-IP limit keys by.

Behind a reverse proxy every request arrives from the proxy (127.0.0.1), so keying by
REMOTE_ADDR would make each per-IP limit site-wide. With ``TRUSTED_PROXY_COUNT`` = N proxies in
front of the portal, each appending the address it received the request from to
``CLIENT_IP_HEADER`` (nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``),
the client is the N-th address from the right. Everything left of it was written by the client
and is never trusted. With no proxy configured (the default) the header is ignored altogether,
so it cannot be spoofed.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it, else REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.headers.get(settings.CLIENT_IP_HEADER, "")
    hops = [hop for hop in header.split(",") if hop.strip()]
    if len(hops) < proxies:
        # The proxies did not add the header as configured: keying by the proxy would lump
        # everyone together, but trusting less than N hops would let a client choose its key.
        logger.warning("%s has %d address(es) but TRUSTED_PROXY_COUNT is %d; using REMOTE_ADDR",
                       settings.CLIENT_IP_HEADER, len(hops), proxies)
        return remote
    return _valid(hops[-proxies]) or remote
