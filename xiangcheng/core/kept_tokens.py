"""Her CSRF token in a page kept for others or for later: left open when the page is kept, put in
as it is served.

Django masks the token afresh for every page it renders (so that a compressed page does not give
the token away); a kept page would otherwise carry the token of whoever it was rendered for. Both
ways of keeping pages whole (``shared_pages`` for members and visitors, ``kept_changelists`` for
staff) keep them through these two functions.
"""

import re

from django.http import HttpRequest
from django.middleware.csrf import get_token

_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MARK = b"\x00csrf\x00"


def token_left_open(content: bytes) -> bytes:
    """The page with every CSRF token in it replaced by a mark."""
    return _TOKEN.sub(rb"\g<1>" + _MARK + rb"\g<2>", content)


def token_filled(content: bytes, request: HttpRequest) -> bytes:
    """A kept page with her own token where ``token_left_open`` left the mark (none is made for
    a page without one)."""
    return content.replace(_MARK, get_token(request).encode()) if _MARK in content else content
