"""The rows of 我的授权, kept rendered (``xiangcheng.core.fragments``): a row shows one consent of
hers and, first of its kind on the page, the kind's heading. Its version names each of these, so
a consent given again, withdrawn or changed renders its row again at once."""

from dataclasses import dataclass

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .consent_kinds import ConsentItem, ConsentSource

ROW_TEMPLATE = "members/consents/_row.html"


@dataclass(frozen=True)
class ConsentRow:
    source: ConsentSource
    item: ConsentItem
    opens_group: bool  # the first of its kind on the page: the kind's heading goes before it


def _version(row: ConsentRow) -> tuple:
    item = row.item
    return (row.source.key, str(row.source.label), row.opens_group, item.key, str(item.title), item.version,
            item.given_at, str(item.detail), item.withdrawable, str(item.note))


def consent_rows(page) -> SafeString:
    """A page of (kind, consent) pairs, in order, as the page's list items."""
    rows, previous = [], None
    for source, item in page:
        rows.append(ConsentRow(source=source, item=item, opens_group=source.key != previous))
        previous = source.key
    return rendered_each(rows, template=ROW_TEMPLATE, name="row", version=_version)
