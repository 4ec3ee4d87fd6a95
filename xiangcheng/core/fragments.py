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

Since a key names everything its fragment shows, a copy of it can never be out of date: each
process keeps the fragments it used last in its own memory (``_in_process``) and asks the
shared cache only for the others. The shared cache's round trip was a tenth of an event page's
time; a page whose fragments are all in the process asks it nothing.
"""

import hashlib
import logging
import threading
from collections import OrderedDict
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


# How many fragments a process keeps in memory, the least recently used dropped first: a card is
# some 600 bytes, a form's fields up to 10 KB, so a few MB for a process.
IN_PROCESS_FRAGMENTS = 4000


class InProcess:
    """What this process used last, by key, the least recently used dropped beyond ``size``
    (a web process serves requests on threads): the fragments, and the tables each kept staff
    list reads (``kept_changelists``)."""

    def __init__(self, size: int):
        self._size = size
        self._kept: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        found = {}
        with self._lock:
            for key in keys:
                html = self._kept.get(key)
                if html is not None:
                    self._kept.move_to_end(key)
                    found[key] = html
        return found

    def set_many(self, fragments: dict[str, str]) -> None:
        with self._lock:
            for key, html in fragments.items():
                self._kept[key] = html
                self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_in_process = InProcess(IN_PROCESS_FRAGMENTS)


def forget_in_process() -> None:
    """Drop the fragments this process keeps in memory (the shared cache keeps its own)."""
    _in_process.clear()


def _key(kept_as: str, version: Sequence) -> str:
    """``kept_as``: what every fragment of the call shares (``_kept_as``)."""
    material = repr((kept_as, tuple(version))).encode()
    return "fragment:" + hashlib.blake2b(material, digest_size=16).hexdigest()


def _kept_as(template: str) -> str:
    return repr((release(), template, get_language()))


def rendered_each(items: Iterable, *, template: str, name: str, version: Callable[[object], Sequence],
                  made: Callable[[object], object] | None = None) -> SafeString:
    """Each item rendered with ``template`` (the item in the context as ``name``), joined.
    ``made``: what the template is given of an item, made only for a fragment rendered anew
    (``version`` then names everything it is made of)."""
    if made is None:
        return _rendered(template, [({name: item}, version(item)) for item in items])
    return _rendered(template, [(lambda item=item: {name: made(item)}, version(item)) for item in items])


def rendered_kept(*, template: str, context: dict | Callable[[], dict], version: Sequence) -> SafeString:
    """One fragment: ``context`` rendered with ``template``, kept under ``version``, which must name
    everything the fragment shows (``context`` may be a function making it, called only to render)."""
    return _rendered(template, [(context, version)])


def _rendered(template: str, entries: list[tuple[dict, Sequence]]) -> SafeString:
    kept_as = _kept_as(template)
    keys = [_key(kept_as, version) for _, version in entries]
    kept = _in_process.get_many(keys)
    shared_ok = True
    if len(kept) < len(keys):
        try:
            shared = cache.get_many([key for key in keys if key not in kept])
        except Exception:  # the cache is unreachable: render every card not in the process
            logger.warning("fragment cache unavailable; rendering every card", exc_info=True)
            shared, shared_ok = {}, False
        _in_process.set_many(shared)
        kept.update(shared)
    compiled = None
    fresh = {}
    parts = []
    for (context, _), key in zip(entries, keys, strict=True):
        html = kept.get(key)
        if html is None:
            compiled = compiled or get_template(template)
            html = compiled.render(context() if callable(context) else context)
            fresh[key] = html
        parts.append(html)
    _in_process.set_many(fresh)
    if fresh and shared_ok:
        try:
            cache.set_many(fresh, FRAGMENT_SECONDS)
        except Exception:  # noqa: S110 - the next page renders them again
            logger.warning("fragment cache unavailable; cards not kept", exc_info=True)
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template (autoescaped)


FIELDS_TEMPLATE = "_fields.html"


class UnboundForm:
    """A page's form as first shown, made only if its fields must be rendered: ``form_fields``
    keeps it under its class and the arguments it is made with, where a made form's version reads
    every field (Django copies each one for every form made: together a tenth of 遇见's profile
    page). Only for a form whose fields are a function of its class and those arguments alone —
    its constructor reads nothing else (no query, no clock) — and whose arguments' ``repr`` names
    their values (an initial dict of plain values, a flag)."""

    is_bound = False
    errors: dict = {}  # noqa: RUF012 - never written: an unbound form has no errors

    def __init__(self, form_class: type, **kwargs):
        self.form_class, self.kwargs = form_class, kwargs

    def non_field_errors(self) -> list:
        return []

    def made(self):
        return self.form_class(**self.kwargs)

    def version(self) -> tuple:
        return (self.form_class.__module__, self.form_class.__qualname__, repr(sorted(self.kwargs.items())))


def _fields_version(form, mark_optional: bool) -> tuple:
    """Everything an unbound form's fields show: its class, prefix and ids, and each field's
    label, help text, initial value, choices and widget."""
    return (type(form).__module__, type(form).__qualname__, form.prefix, str(form.auto_id), mark_optional,
            tuple((name, str(field.label), str(field.help_text), field.required, field.disabled,
                   repr(form.get_initial_for_field(field, name)), type(field.widget).__name__,
                   repr(field.widget.attrs), choices_version(field))
                  for name, field in form.fields.items()))


def _typed(form) -> tuple:
    """What a bound form without errors shows of what was typed: each field's value."""
    return tuple(repr(form[name].value()) for name in form.fields)


def form_fields(form, *, mark_optional: bool = False, template: str = FIELDS_TEMPLATE, as_typed: bool = False,
                **shown) -> SafeString:
    """A form's fields (``_fields.html``, or a form's own ``template`` given ``shown``: whatever
    else it shows, which joins the version): kept rendered as it is first shown, rendered afresh
    once submitted. The widgets' templates cost a page more than its rows' query.

    ``as_typed``: a search's filters (a GET form, nothing personal typed in it) are also kept as
    typed when they have no error, the typed values joining the version. A posted form is never
    kept with what she typed (a message, her children's ages)."""
    if isinstance(form, UnboundForm):
        return rendered_kept(template=template,
                             context=lambda: {"form": form.made(), "mark_optional": mark_optional, **shown},
                             version=(*form.version(), mark_optional, repr(sorted(shown.items()))))
    context = {"form": form, "mark_optional": mark_optional, **shown}
    if form.is_bound and (form.errors or not as_typed):
        return get_template(template).render(context)
    typed = _typed(form) if form.is_bound else None
    version = (*_fields_version(form, mark_optional), typed, repr(sorted(shown.items())))
    return rendered_kept(template=template, context=context, version=version)
