"""Reversing a URL name, remembered per process.

Django builds a URL from its name afresh on every ``reverse()``: the resolver's lookup, the
converters, quoting — 120 to 200 Python calls for each ``{% url %}`` on a page, more than many
pages' own work. The answer depends only on the name, its arguments, the URLconf, the script
prefix, the current namespace and (for translated patterns) the language, so it is remembered
under all of them. Only plain values (text and whole numbers) are remembered; anything else is
reversed afresh, as is a name that does not reverse (its error is raised each time).
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Bounded: a page reverses a name with a row's id, and ids are many.
KEPT = 8192


@functools.lru_cache(maxsize=KEPT)
def _reversed(view_name: str, args: tuple, kwargs: tuple, current_app: str | None,
              urlconf: str | None, prefix: str, language: str | None) -> str:
    # urlconf, prefix and language are the key: reverse() reads them itself.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _plain(value) -> bool:
    return isinstance(value, str) or type(value) is int  # not a lazy text, a bool or a model


def reversed_url(view_name, *, args=(), kwargs=None, current_app: str | None = None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, remembered."""
    kwargs = kwargs or {}
    urlconf = get_urlconf()
    if (isinstance(view_name, str) and all(_plain(a) for a in args) and all(_plain(v) for v in kwargs.values())
            and (urlconf is None or isinstance(urlconf, str)) and (current_app is None or isinstance(current_app, str))):
        return _reversed(view_name, tuple(args), tuple(sorted(kwargs.items())), current_app, urlconf,
                         get_script_prefix(), get_language())
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


@receiver(setting_changed)
def _forget(*, setting: str, **_signal) -> None:
    # A test swapping the URLconf for one of the same module name must not be answered from the old one.
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()
