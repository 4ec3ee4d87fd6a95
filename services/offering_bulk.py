"""Bulk federation offerings for `make bench`: 50 offerings, 5,000 time slots and 50,000 slot
bookings at scale 1.0, with the audit trail as it would have been written.

Three offerings in five have time slots, the rest are by appointment. Slots run from ten months
ago to a month ahead, on weekdays in the daytime (Xiangcheng's time); past slots are nearly full,
upcoming ones half booked; about one booking in ten was cancelled before its slot began.
Each slot holds at most its capacity of active bookings, one per member.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from members.models import Status, User
from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
    shares,
)
from xiangcheng.core.models import Programme

from .models import Category, Offering, OfferingMode, OfferingSlot, SlotBooking, SlotBookingStatus

OFFERINGS = 50
SLOTS = 5_000
BOOKINGS = 50_000
PAST_DAYS, AHEAD_DAYS = 300, 30
CAPACITIES = [1, 4, 8, 12, 20, 20]
KINDS = [
    ("link", "女企业家专属金融服务", "合作银行", Category.FINANCE),
    ("link", "创业辅导", "创业导师团", Category.OTHER),
    ("link", "科技成果转化咨询", "技术转移中心", Category.TECH_TRANSFER),
    ("support", "LADIES 聚力空间", "北河泾街道新时代文明实践所", Category.SPACE),
    ("support", "儿童公益托管中心", "儿童公益托管中心", Category.CHILDCARE),
    ("support", "政策申报一对一", "相城区妇联", Category.POLICY),
]
OFFERING_FIELDS = ["id", "programme", "title", "provider", "description", "mode", "category", "published",
                   "created_at", "updated_at"]
SLOT_FIELDS = ["id", "offering", "starts_at", "ends_at", "capacity"]
BOOKING_FIELDS = ["id", "slot", "member", "status", "created_at", "cancelled_at"]


def _offerings(run: BulkRun, first_id: int, count: int) -> list[tuple]:
    rng = run.rng("offerings")
    programmes = dict(Programme.objects.values_list("slug", "pk"))
    created = run.now - timedelta(days=PAST_DAYS + 30)
    rows = []
    for i in range(count):
        slug, title, provider, category = KINDS[i % len(KINDS)]
        mode = OfferingMode.SLOTS if i % 5 < 3 else OfferingMode.APPOINTMENT
        rows.append((first_id + i, programmes[slug], f"{title} · 第{i // len(KINDS) + 1}期", f"{provider}（{i + 1}）",
                     "一对一服务，请按时到场；如不能前来，请提前取消。", mode, category, rng.random() < 0.9,
                     created, created))
    return rows


def _slots(run: BulkRun, offerings: list[tuple], first_id: int, count: int) -> list[tuple]:
    rng = run.rng("offerings.slots")
    with_slots = [o[0] for o in offerings if o[5] == OfferingMode.SLOTS]
    today = timezone.localtime(run.now).date()
    rows = []
    for i in range(count):
        day = today + timedelta(days=rng.randint(-PAST_DAYS, AHEAD_DAYS))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        starts = timezone.make_aware(datetime.combine(day, time(rng.choice([9, 10, 14, 15]), rng.choice([0, 30]))))
        rows.append((first_id + i, with_slots[i % len(with_slots)], starts, starts + timedelta(minutes=45),
                     rng.choice(CAPACITIES)))
    return rows


def _bookings(run: BulkRun, slots: list[tuple], members: list[int], first_id: int, count: int) -> list[tuple]:
    rng = run.rng("offerings.bookings")
    wanted = []
    for slot in slots:
        fill = rng.uniform(0.85, 1.0) if slot[2] < run.now else rng.uniform(0.3, 0.7)
        wanted.append(slot[4] * fill)
    rows = []
    for slot, n in zip(slots, shares(count, wanted, [len(members)] * len(slots)), strict=True):
        slot_id, _offering, starts, _ends, capacity = slot
        active = 0
        for member in rng.sample(members, n):
            created = min(run.now, starts) - timedelta(days=rng.uniform(0.5, 20))
            # A booking beyond the capacity was one that had been cancelled before the next came.
            cancelled = rng.random() < 0.1 or active >= capacity
            active += not cancelled
            cancelled_at = min(created + timedelta(hours=rng.uniform(1, 48)), starts, run.now) if cancelled else None
            status = SlotBookingStatus.CANCELLED if cancelled else SlotBookingStatus.BOOKED
            rows.append((first_id + len(rows), slot_id, member, status, created, cancelled_at))
            if len(rows) == count:
                return rows
    return rows


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="offerings")
    if Offering.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("offerings.audit")
    members = list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                   .order_by("pk").values_list("pk", flat=True))
    with bulk_writing(Offering, OfferingSlot, SlotBooking):
        count = max(run.count(OFFERINGS), len(KINDS))
        offerings = _offerings(run, ids_reserve(Offering, count), count)
        loaded.add(Offering, rows_copy(Offering, OFFERING_FIELDS, offerings))
        loaded.add(Offering.pgh_event_model, audit_copy(Offering, OFFERING_FIELDS, (
            AuditEntry("created", o[8], {"url": "/admin/services/offering/add/"}, o) for o in offerings), rng=rng))
        slots = _slots(run, offerings, ids_reserve(OfferingSlot, run.count(SLOTS)), run.count(SLOTS))
        loaded.add(OfferingSlot, rows_copy(OfferingSlot, SLOT_FIELDS, slots))
        opened = {s[0]: s[2] - timedelta(days=30) for s in slots}
        loaded.add(OfferingSlot.pgh_event_model, audit_copy(OfferingSlot, SLOT_FIELDS, (
            AuditEntry("created", opened[s[0]], {"url": f"/admin/services/offering/{s[1]}/change/"}, s)
            for s in slots), rng=rng))
        if not members:
            return loaded
        bookings = _bookings(run, slots, members, ids_reserve(SlotBooking, run.count(BOOKINGS)), run.count(BOOKINGS))
        loaded.add(SlotBooking, rows_copy(SlotBooking, BOOKING_FIELDS, bookings))
        loaded.add(SlotBooking.pgh_event_model, audit_copy(SlotBooking, BOOKING_FIELDS, _booking_audit(bookings),
                                                           rng=rng))
    return loaded


def _booking_audit(bookings: list[tuple]):
    for row in bookings:
        booking_id, slot_id, member, status, created, cancelled_at = row
        booked = (booking_id, slot_id, member, SlotBookingStatus.BOOKED, created, None)
        yield AuditEntry("created", created, {"user": member, "url": f"/offerings/slots/{slot_id}/book/"}, booked)
        if status == SlotBookingStatus.CANCELLED:
            yield AuditEntry(SlotBookingStatus.CANCELLED.value, cancelled_at,
                             {"user": member, "url": f"/offerings/bookings/{booking_id}/cancel/"}, row)
