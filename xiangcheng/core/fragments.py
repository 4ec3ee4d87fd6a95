"""Rendered fragments kept in the cache, one per item and version: the cards of long lists, what a
detail page says of its object, and forms as they are first shown.

A list page loads its rows every time (they are cheap with the right index) but renders each
card's HTML only when the card changed: the key names everything the card shows (its ``version``)
and the active language, so an edited event, a seat taken or a renamed venue is a new key and
never a stale card. All of a page's cards are read with one round trip. With the cache
unreachable the cards are rendered as if none were kept.

Every key also names the release (``release``): the code, templates and translations the
process renders with. Fragments outlive a deploy in the cache, and a card rendered by the
release before it must not be served by the one after.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import cache as once
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.template import engines
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from xiangcheng.core.form_choices import choices_version

logger = logging.getLogger(__name__)

# Unused cards fall out of the cache after a day; a changed card is a new key at once.
FRAGMENT_SECONDS = 24 * 3600


def files_digest(folders: Iterable[Path], *, pattern: str = "*") -> str:
    """A digest of the files under ``folders`` that match ``pattern``: their paths within the
    folder and their contents, in a fixed order (the same files give the same digest on every
    machine; Python's compiled caches, which differ between machines, are left out)."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in sorted(map(Path, folders)):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@once
def release() -> str:
    """What this process renders with: the project's code and templates (its template tags and
    the values its pages put into words are code too), its compiled translations and the
    framework's version (the form widgets' templates). Read once per process (some 50 ms); a
    deploy starts new processes."""
    base = Path(settings.BASE_DIR)
    # The repository's own apps are packages at its top; installed ones (the admin's) are not.
    packages = {base / app.name.split(".")[0] for app in apps.get_app_configs()}
    ours = [folder for folder in [*map(Path, engines["django"].engine.dirs), *packages] if folder.is_dir()]
    translations = files_digest(settings.LOCALE_PATHS, pattern="*.mo")
    return f"{files_digest(ours)}:{translations}:{django.__version__}"


def _key(kept_as: str, version: Sequence) -> str:
    """``kept_as``: what every fragment of the call shares (``_kept_as``)."""
    material = repr((kept_as, tuple(version))).encode()
    return "fragment:" + hashlib.blake2b(material, digest_size=16).hexdigest()


def _kept_as(template: str) -> str:
    return repr((release(), template, get_language()))


def rendered_each(items: Iterable, *, template: str, name: str, version: Callable[[object], Sequence]) -> SafeString:
    """Each item rendered with ``template`` (the item in the context as ``name``), joined."""
    return _rendered(template, [({name: item}, version(item)) for item in items])


def rendered_kept(*, template: str, context: dict, version: Sequence) -> SafeString:
    """One fragment: ``context`` rendered with ``template``, kept under ``version``, which must name
    everything the fragment shows."""
    return _rendered(template, [(context, version)])


def _rendered(template: str, entries: list[tuple[dict, Sequence]]) -> SafeString:
    kept_as = _kept_as(template)
    keys = [_key(kept_as, version) for _, version in entries]
    try:
        kept = cache.get_many(keys)
    except Exception:  # the cache is unreachable: render every card
        logger.warning("fragment cache unavailable; rendering every card", exc_info=True)
        kept = None
    compiled = None
    fresh = {}
    parts = []
    for (context, _), key in zip(entries, keys, strict=True):
        html = kept.get(key) if kept is not None else None
        if html is None:
            compiled = compiled or get_template(template)
            html = compiled.render(context)
            fresh[key] = html
        parts.append(html)
    if fresh and kept is not None:
        try:
            cache.set_many(fresh, FRAGMENT_SECONDS)
        except Exception:  # noqa: S110 - the next page renders them again
            logger.warning("fragment cache unavailable; cards not kept", exc_info=True)
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template (autoescaped)


FIELDS_TEMPLATE = "_fields.html"


def _fields_version(form, mark_optional: bool) -> tuple:
    """Everything an unbound form's fields show: its class, prefix and ids, and each field's
    label, help text, initial value, choices and widget."""
    return (type(form).__module__, type(form).__qualname__, form.prefix, str(form.auto_id), mark_optional,
            tuple((name, str(field.label), str(field.help_text), field.required, field.disabled,
                   repr(form.get_initial_for_field(field, name)), type(field.widget).__name__,
                   repr(field.widget.attrs), choices_version(field))
                  for name, field in form.fields.items()))


def form_fields(form, *, mark_optional: bool = False, template: str = FIELDS_TEMPLATE, **shown) -> SafeString:
    """A form's fields (``_fields.html``, or a form's own ``template`` given ``shown``: whatever
    else it shows, which joins the version): kept rendered as it is first shown (nothing typed,
    no errors; all it shows is its version), rendered afresh once submitted. The widgets'
    templates cost a page more than its rows' query."""
    context = {"form": form, "mark_optional": mark_optional, **shown}
    if form.is_bound:
        return get_template(template).render(context)
    version = (*_fields_version(form, mark_optional), repr(sorted(shown.items())))
    return rendered_kept(template=template, context=context, version=version)
