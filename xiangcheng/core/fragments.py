"""Rendered fragments kept in the cache, one per item and version: the cards of long lists and
the filter forms above them.

A list page loads its rows every time (they are cheap with the right index) but renders each
card's HTML only when the card changed: the key names everything the card shows (its ``version``)
and the active language, so an edited event, a seat taken or a renamed venue is a new key and
never a stale card. All of a page's cards are read with one round trip. With the cache
unreachable the cards are rendered as if none were kept.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Unused cards fall out of the cache after a day; a changed card is a new key at once.
FRAGMENT_SECONDS = 24 * 3600


def _key(template: str, version: Sequence) -> str:
    material = repr((template, get_language(), tuple(version))).encode()
    return "fragment:" + hashlib.blake2b(material, digest_size=16).hexdigest()


def rendered_each(items: Iterable, *, template: str, name: str, version: Callable[[object], Sequence]) -> SafeString:
    """Each item rendered with ``template`` (the item in the context as ``name``), joined."""
    items = list(items)
    keys = [_key(template, version(item)) for item in items]
    try:
        kept = cache.get_many(keys)
    except Exception:  # the cache is unreachable: render every card
        logger.warning("fragment cache unavailable; rendering every card", exc_info=True)
        kept = None
    compiled = None
    fresh = {}
    parts = []
    for item, key in zip(items, keys, strict=True):
        html = kept.get(key) if kept is not None else None
        if html is None:
            compiled = compiled or get_template(template)
            html = compiled.render({name: item})
            fresh[key] = html
        parts.append(html)
    if fresh and kept is not None:
        try:
            cache.set_many(fresh, FRAGMENT_SECONDS)
        except Exception:  # noqa: S110 - the next page renders them again
            logger.warning("fragment cache unavailable; cards not kept", exc_info=True)
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template (autoescaped)


FIELDS_TEMPLATE = "_fields.html"


def _fields_version(form) -> tuple:
    return tuple((name, tuple((value, str(label)) for value, label in getattr(field, "choices", ())))
                 for name, field in form.fields.items())


def form_fields(form) -> SafeString:
    """A filter form's fields (``_fields.html``): kept rendered as every visitor first sees it
    (nothing typed; its choices are its version), rendered afresh once she has searched. The
    widgets' templates cost a list page more than its rows' query."""
    if form.is_bound:
        return get_template(FIELDS_TEMPLATE).render({"form": form})
    return rendered_each([form], template=FIELDS_TEMPLATE, name="form", version=_fields_version)
