"""A clear "try again shortly" page instead of a 500 when Redis is down or a limit is hit.

Logins, sign-ups and resets count attempts in the cache (Redis). When Redis cannot be reached
the request cannot be judged safely, so it is refused with 503 and a page in her language; the
form she sent comes back on that page (all but passwords) with a button that sends it again.
The sign-up itself runs in one transaction (xiangcheng/urls.py), so an outage half-way through
leaves no half-made account behind.

allauth also raises RateLimited from a few places where its views do not catch it (a second
phone code within 30 seconds): that becomes the same kind of page with 429.
"""

import logging

from allauth.core.exceptions import RateLimited
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Never echoed back into a page.
_SECRET_FIELDS = ("password", "csrfmiddlewaretoken")


def typed_fields(request) -> list[tuple[str, str]]:
    """What she sent, to send again: every value but passwords and the old CSRF token."""
    if request.method != "POST":
        return []
    return [(name, value) for name, values in request.POST.lists()
            if not any(secret in name for secret in _SECRET_FIELDS) for value in values]


def _page(request, *, status: int):
    return render(request, "unavailable.html", {"fields": typed_fields(request), "status": status},
                  status=status)


class UnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RedisConnectionError | RedisTimeoutError):
            logger.error("Redis unreachable while answering %s %s: %s", request.method, request.path, exception)
            return _page(request, status=503)
        if isinstance(exception, RateLimited):
            return _page(request, status=429)
        return None
