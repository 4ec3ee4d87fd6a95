"""The rows of her list of people she blocked, kept rendered (``xiangcheng.core.fragments``): a
row shows the person's name, the day of the block, whether the person is still in 遇见 and
whether she may report them; its version names each, so a change renders the row again at once."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from members.profiles import person_name
from xiangcheng.core.fragments import rendered_each

from .models import Block, MatchProfile, MatchStatus

ROW_TEMPLATE = "matching/safety/_blocked_row.html"


@dataclass(frozen=True)
class BlockedRow:
    block_id: int
    name: str
    blocked_at: datetime
    still_in: int | None  # the blocked person's match profile while it takes part, else None
    may_report: bool  # she takes part herself, and they still do


def _still_in(block: Block) -> int | None:
    profile = getattr(block.blocked, "match_profile", None)
    return profile.pk if profile is not None and profile.status == MatchStatus.ACTIVE else None


def blocked_rows(blocks, *, participant: MatchProfile | None) -> SafeString:
    """A page of her blocks (each with the blocked account, its profile and match profile)."""
    rows = []
    for block in blocks:
        still_in = _still_in(block)
        rows.append(BlockedRow(block_id=block.pk, name=person_name(block.blocked), blocked_at=block.created_at,
                               still_in=still_in, may_report=still_in is not None and participant is not None))
    return rendered_each(rows, template=ROW_TEMPLATE, name="row",
                         version=lambda row: (row.block_id, row.name, row.blocked_at, row.still_in, row.may_report))
