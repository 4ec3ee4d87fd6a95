"""An offering's upcoming times on its page, kept rendered (``xiangcheng.core.fragments``).

A row shows the time, the places left and whether she holds one (then her booking's cancel
link): its version names each of them, so a place taken or a booking cancelled renders it again.
Which slots are listed is the page's query (``offerings.upcoming_slots``) and which she holds is
``offerings.slots_shown``; the rows hold nothing else of hers. Their "Book" buttons submit the
page's one booking form (``id="slot-booking"``, which carries this request's CSRF token) to each
slot's own address, so no row holds a token.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import OfferingSlot

ROW_TEMPLATE = "services/offerings/_slot_row.html"


def row_version(slot: OfferingSlot) -> tuple:
    """Needs ``left`` and ``my_booking`` set (``offerings.slots_shown``)."""
    return slot.pk, slot.starts_at.isoformat(), slot.ends_at.isoformat(), slot.left, slot.my_booking


def slot_rows(slots) -> SafeString:
    return rendered_each(slots, template=ROW_TEMPLATE, name="s", version=row_version)
