"""我的数据: what each app holds about her, for the export of her personal data (PIPL).

``members`` cannot import the apps above it, so each app registers, once in its ``ready()``, the
kinds of personal data it keeps (``personal_data_source``): a key (the JSON file's name in the
ZIP), a label, and ``collect(user)`` returning her data (anything JSON can hold, plus dates and
times) and the stored files that are hers (``ExportFile``). A source returns only what is hers
and what she can already see on the portal: never another member's data beyond the name she is
shown, never staff's internal notes. ``members.data_exports`` builds the ZIP from every source.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.text import get_valid_filename

from xiangcheng.core.fragments import rendered_kept

from .models import User


@dataclass(frozen=True)
class ExportFile:
    """One stored file of hers: ``name`` is its name inside ``files/<source>/`` in the ZIP."""

    name: str
    file: FieldFile


@dataclass(frozen=True)
class DataSource:
    key: str
    label: object
    collect: Callable[[User], tuple[Any, list[ExportFile]]]
    order: int


SOURCES: dict[str, DataSource] = {}


def personal_data_source(*, key: str, label, collect: Callable[[User], tuple[Any, list[ExportFile]]],
                         order: int = 100) -> DataSource:
    """Register a kind of personal data (once, from the owning app's ``ready()``)."""
    source = DataSource(key=key, label=label, collect=collect, order=order)
    if SOURCES.setdefault(key, source) is not source:
        raise ValueError(f"personal data source {key!r} is registered twice")
    return source


def data_sources() -> list[DataSource]:
    return sorted(SOURCES.values(), key=lambda s: (s.order, s.key))


SOURCES_TEMPLATE = "members/data/_sources.html"


def sources_listed() -> SafeString:
    """What her copy holds, as 我的数据 lists it: the same for everyone, kept rendered
    (``xiangcheng.core.fragments``) under each source's key and label."""
    sources = data_sources()
    return rendered_kept(template=SOURCES_TEMPLATE, context={"sources": sources},
                         version=tuple((source.key, str(source.label)) for source in sources))


def exported_file(*, source: str, name: str, file: FieldFile, files: list[ExportFile]) -> str | None:
    """Add a stored file to ``files`` (none if the field is empty); returns its path in the ZIP,
    which the source's JSON names."""
    if not file:
        return None
    safe = get_valid_filename(name) or "file"
    taken = {item.name for item in files}
    if safe in taken:  # two files of one name: the later ones numbered
        safe = next(f"{n}-{safe}" for n in range(2, len(taken) + 3) if f"{n}-{safe}" not in taken)
    files.append(ExportFile(name=safe, file=file))
    return f"files/{source}/{safe}"


def json_value(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: times in Xiangcheng's zone with their offset."""
    if isinstance(value, datetime):
        return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} cannot go into the export")
