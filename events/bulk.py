"""Bulk events for `make bench`: 5k events over the five programmes and 1M registrations at scale
1.0, with the organisers who run them and what members were told.

Events run from three and a half years ago to four months ahead, at the alliance's venues or
online. Registration opens a month before an event, so events further ahead have none yet.
Popular events fill up and keep a waitlist; some members cancel and the first in line moves up;
some events need the organisers' approval; most members who held a seat at a past event were
checked in at the door. A member signs up for an event at most once.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from members.bulk import member_channels, staff_load
from members.models import Status, User
from xiangcheng.core import roles
from xiangcheng.core.bulk import (
    COPY_BATCH,
    NOTICE_FIELDS,
    AuditEntry,
    BulkLoaded,
    BulkRun,
    Pick,
    audit_copy,
    bulk_writing,
    ids_reserve,
    notice_row,
    rows_copy,
    shares,
)
from xiangcheng.core.models import Notice, Programme
from xiangcheng.core.outbox import notice_key

from . import notices
from .models import Audience, Event, EventStatus, Kind, Registration, RegistrationStatus, Venue
from .reminders import reminder_key

EVENTS = 5_000
REGISTRATIONS = 1_000_000
# Registration notices in the outbox at scale 1.0 (the other apps bring the outbox to 1M rows).
NOTICES = 800_000
HISTORY_DAYS = 1260
AHEAD_DAYS = 120
STAFF = [("bulk-organiser-1", [roles.EVENT_MANAGER.name]), ("bulk-organiser-2", [roles.EVENT_MANAGER.name]),
         ("bulk-organiser-3", [roles.EVENT_MANAGER.name])]
VENUES = [
    ("LADIES 聚力空间（北河泾）", "相城区高铁新城北河泾街道新时代文明实践所", 40, "一楼入口右转，设有儿童公益托管角。"),
    ("长三角女企业家联盟创新实践基地（菁英荟）", "相城区菁英荟人才公寓 6 楼", 60, "乘电梯至 6 楼，出电梯左手边。"),
    ("相城区妇女儿童活动中心多功能厅", "相城区元和街道妇女儿童活动中心 3 楼", 120, "地铁 2 号线相城大道站步行 10 分钟。"),
    ("高铁新城会客厅", "相城区高铁新城青龙港路 286 号", 80, "地下停车场 B2 层可停车。"),
    ("阳澄湖数字经济产业园路演厅", "相城区阳澄湖镇数字经济产业园 A 座 1 楼", 150, "园区东门进入。"),
    ("相城区科技创新服务中心报告厅", "相城区澄阳路科技创新服务中心 2 楼", 200, "需提前登记车牌。"),
    ("元和街道妇女微家", "相城区元和街道社区服务中心 1 楼", 25, "进门左手第二间。"),
    ("漕湖产业园培训教室", "相城区漕湖街道漕湖产业园 5 号楼", 60, "培训期间提供午餐。"),
]
PROGRAMME_WEIGHTS = {"gather": 35, "support": 10, "alliance": 15, "link": 15, "create": 25}
KINDS = {
    "gather": [Kind.SALON, Kind.SHARING, Kind.ROUNDTABLE],
    "support": [Kind.SHARING, Kind.OTHER],
    "alliance": [Kind.CAMP, Kind.SALON, Kind.ROUNDTABLE],
    "link": [Kind.ROUNDTABLE, Kind.SALON, Kind.SHARING],
    "create": [Kind.TRAINING, Kind.CONTEST, Kind.TRAINING, Kind.CAMP],
}
TITLES = {
    Kind.SALON: ["产业资源对接沙龙", "女性科技人才交流沙龙", "科创金融沙龙"],
    Kind.SHARING: ["女企业家产业分享会", "女性高端人才进社区分享会", "科研成果转化分享会"],
    Kind.ROUNDTABLE: ["科企会客厅：智能车联网专场", "科企会客厅：新材料专场", "科企会客厅：生物医药专场",
                      "科企会客厅：集成电路专场"],
    Kind.TRAINING: ["数字化发展培训", "互联网营销师培训", "工业互联网应用培训", "人工智能应用培训"],
    Kind.CONTEST: ["互联网营销师大赛", "科技女性创新创业大赛"],
    Kind.CAMP: ["科技女性思维营", "青年女科学家成长营"],
    Kind.OTHER: ["儿童公益托管开放日", "巾帼管家服务日"],
}
DESCRIPTIONS = [
    "邀请区内女性科技企业与金融机构、园区代表面对面交流，现场对接产业链上下游资源。",
    "分享创业与科研路上的选择与坚持，结识不同领域的女科技工作者。",
    "围绕技术成果转化与合作机会展开讨论，欢迎相关领域的会员报名。",
    "课程覆盖路径、工具与案例，结合实操练习，帮助学员把所学用到工作中。",
    "活动现场提供儿童公益托管，妈妈们可以安心参加。",
]
HOURS = [(9, 30), (14, 0), (14, 30), (19, 0)]
EVENT_FIELDS = ["id", "programme", "title", "kind", "description", "poster", "poster_thumb", "venue", "online_url",
                "starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancellation_deadline",
                "capacity", "audience", "requires_approval", "waitlist_enabled", "reminder_offsets",
                "childcare_offered", "childcare_places", "status", "created_at", "updated_at"]
REGISTRATION_FIELDS = ["id", "event", "user", "status", "children_count", "children_ages", "created_at",
                       "decided_at", "cancelled_at", "checked_in_at", "checked_in_by"]
_STATUS_AT = EVENT_FIELDS.index("status")
_CAPACITY_AT = EVENT_FIELDS.index("capacity")


def _venues() -> list[int]:
    ids = []
    for name, address, capacity, notes in VENUES:
        venue, _ = Venue.objects.get_or_create(name=name, defaults={"address": address, "capacity": capacity,
                                                                   "notes": notes})
        ids.append(venue.pk)
    return ids


def _plan_events(run: BulkRun, organisers: list[int], first_id: int) -> list[dict]:
    """Every event's facts, and how much interest it draws (its weight for registrations)."""
    rng = run.rng("events")
    programmes = dict(Programme.objects.values_list("slug", "pk"))
    slugs = list(PROGRAMME_WEIGHTS)
    venues = _venues()
    numbers: dict[str, int] = {}
    count = run.count(EVENTS)
    span = HISTORY_DAYS + AHEAD_DAYS
    planned = []
    for i in range(count):
        day = int(span * (i + rng.random()) / count) - HISTORY_DAYS
        hour, minute = rng.choice(HOURS)
        starts = run.now + timedelta(days=day, hours=hour, minutes=minute)
        slug = rng.choices(slugs, weights=[PROGRAMME_WEIGHTS[s] for s in slugs])[0]
        kind = rng.choice(KINDS[slug])
        base = rng.choice(TITLES[kind])
        numbers[base] = numbers.get(base, 0) + 1
        online = rng.random() < 0.15
        opens = starts - timedelta(days=30)
        # Set up a week or so before sign-up opens, and never after the data's "today".
        created = min(opens - timedelta(days=rng.uniform(1, 10)), run.now - timedelta(hours=rng.uniform(2, 240)))
        status = EventStatus.PUBLISHED
        if day > 20 and rng.random() < 0.3:
            status = EventStatus.DRAFT
        elif rng.random() < 0.03:
            status = EventStatus.CANCELLED
        interest = rng.lognormvariate(0, 0.8) * (4 if online else 1.5 if kind in (Kind.TRAINING, Kind.CONTEST) else 1)
        elapsed = min(max((run.now - opens) / (starts - timedelta(hours=2) - opens), 0), 1)
        childcare = rng.random() < (0.6 if slug == "support" else 0.1) and not online
        planned.append({
            "id": first_id + i, "programme": programmes[slug], "title": f"{base}（第{numbers[base]}期）",
            "kind": kind, "description": rng.choice(DESCRIPTIONS), "poster": "", "poster_thumb": "",
            "venue": None if online else rng.choice(venues),
            "online_url": f"https://meeting.example.cn/xc-{first_id + i}" if online else "",
            "starts_at": starts, "ends_at": starts + timedelta(hours=rng.choice([2, 2, 3, 4, 6])),
            "registration_opens_at": opens, "registration_closes_at": starts - timedelta(hours=2),
            "cancellation_deadline": starts - timedelta(hours=24),
            "audience": Audience.VERIFIED if online and rng.random() < 0.5 else Audience.MEMBERS,
            "requires_approval": rng.random() < (0.5 if kind == Kind.ROUNDTABLE and slug == "link" else 0.05),
            "waitlist_enabled": rng.random() < 0.9, "reminder_offsets": [24 * 60, 2 * 60],
            "childcare_offered": childcare, "childcare_places": rng.randint(4, 12) if childcare else 0,
            "status": status, "created_at": created, "organiser": rng.choice(organisers), "online": online,
            "weight": 0 if status == EventStatus.DRAFT else interest * elapsed,
            "published_at": created + min(timedelta(hours=rng.uniform(0.5, 48)), (run.now - created) / 2),
            "cancelled_at": None,
        })
        if status == EventStatus.CANCELLED:
            published = planned[-1]["published_at"]
            planned[-1]["cancelled_at"] = published + (min(starts, run.now) - published) * rng.uniform(0.2, 0.9)
    return planned


def _event_row(event: dict) -> tuple:
    updated = event["cancelled_at"] or (event["created_at"] if event["status"] == EventStatus.DRAFT
                                        else event["published_at"])
    return tuple(updated if name == "updated_at" else event[name] for name in EVENT_FIELDS)


def _event_audit(event: dict) -> list[AuditEntry]:
    row = _event_row(event)
    page = {"user": event["organiser"], "url": "/admin/events/event/"}
    draft = (*row[:_STATUS_AT], EventStatus.DRAFT, *row[_STATUS_AT + 1:])
    entries = [AuditEntry("created", event["created_at"], page, draft)]
    if event["status"] != EventStatus.DRAFT:
        published = (*row[:_STATUS_AT], EventStatus.PUBLISHED, *row[_STATUS_AT + 1:])
        entries.append(AuditEntry(EventStatus.PUBLISHED, event["published_at"], page, published))
    if event["status"] == EventStatus.CANCELLED:
        entries.append(AuditEntry(EventStatus.CANCELLED, event["cancelled_at"], page, row))
    return entries


def _registrations(run: BulkRun, event: dict, users: list[int], rng, first_id: int, notice_candidates: list):
    """One event's registrations, each with its audit events; notes the notices she was sent."""
    eid, starts, organiser = event["id"], event["starts_at"], event["organiser"]
    capacity, past = event["capacity"], starts < run.now
    opens, closes = event["registration_opens_at"], min(event["registration_closes_at"], run.now)
    times = sorted(opens + (closes - opens) * rng.random() for _ in users)
    approval = event["requires_approval"]
    cancelled = [rng.random() < 0.08 for _ in users]
    kept = 0  # seats held by registrations that stay confirmed
    places = event["childcare_places"]
    rows, audit = [], []
    for n, (uid, created) in enumerate(zip(users, times, strict=True)):
        rid = first_id + n
        sign_up = {"user": uid, "url": f"/events/{eid}/sign-up/"}
        # Decisions come before the doors open (and check-in): at the latest an hour before the start.
        latest = min(starts - timedelta(hours=1), run.now)
        decided = max(created, min(latest, created + timedelta(hours=rng.uniform(2, 72)))) if approval else created
        children, ages = 0, []
        if approval:
            first = RegistrationStatus.PENDING
            if not past and rng.random() < 0.4:
                final = RegistrationStatus.PENDING
            elif cancelled[n] or kept >= capacity or rng.random() < 0.1:
                final = RegistrationStatus.REJECTED
            else:
                final = RegistrationStatus.CONFIRMED
        else:
            first = RegistrationStatus.CONFIRMED if n < capacity else RegistrationStatus.WAITLISTED
            if cancelled[n]:
                final = RegistrationStatus.CANCELLED
            elif kept < capacity:
                final = RegistrationStatus.CONFIRMED
            else:
                final = RegistrationStatus.WAITLISTED
        if final == RegistrationStatus.CONFIRMED:
            kept += 1
            if places and rng.random() < 0.25:
                children = min(places, rng.choice([1, 1, 2]))
                ages = sorted(rng.randint(3, 10) for _ in range(children))
                places -= children
        cancelled_at = None
        if final == RegistrationStatus.CANCELLED:
            cancelled_at = created + (min(starts, run.now) - created) * rng.random()
        promoted = first == RegistrationStatus.WAITLISTED and final == RegistrationStatus.CONFIRMED
        if promoted:
            decided = created + max(latest - created, timedelta(0)) * rng.random()
        checked_in_at = checked_in_by = None
        if past and final == RegistrationStatus.CONFIRMED and rng.random() < 0.75:
            checked_in_at, checked_in_by = starts + timedelta(minutes=rng.uniform(-30, 20)), organiser
        row = (rid, eid, uid, final, children, ages, created,
               None if final == RegistrationStatus.PENDING else decided, cancelled_at, checked_in_at, checked_in_by)
        rows.append(row)
        initial = (rid, eid, uid, first, children if not approval and first == final else 0,
                   ages if not approval and first == final else [], created,
                   None if first == RegistrationStatus.PENDING else created, None, None, None)
        audit.append(AuditEntry("created", created, sign_up, initial))
        notice_candidates.append((rid, uid, eid, first, created))
        if final == RegistrationStatus.CANCELLED:
            audit.append(AuditEntry(final, cancelled_at, {"user": uid, "url": f"/events/registrations/{rid}/cancel/"},
                                    row))
        elif final != first:
            # Approved or rejected by the organiser, or moved up from the waitlist when a seat freed.
            who = ({"user": organiser, "url": "/admin/events/registration/"} if approval
                   else {"user": None, "url": "/events/registrations/cancel/"})
            audit.append(AuditEntry(final, decided, who, (*row[:9], None, None)))
            told = notices.PROMOTED if promoted else notices.APPROVED if final == RegistrationStatus.CONFIRMED else final
            notice_candidates.append((rid, uid, eid, told, decided))
        if checked_in_at is not None:
            audit.append(AuditEntry("updated", checked_in_at, {"user": organiser, "url": "/events/check-in/"}, row))
        if past and final == RegistrationStatus.CONFIRMED and created < starts - timedelta(hours=2):
            notice_candidates.append((rid, uid, eid, notices.REMINDER, starts - timedelta(hours=2)))
    return rows, audit


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="events")
    if User.objects.filter(username=STAFF[0][0]).exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("events.registrations")
    with bulk_writing(User, Event, Registration):
        organisers = list(staff_load(run, STAFF, loaded).values())
        events = _plan_events(run, organisers, ids_reserve(Event, run.count(EVENTS)))
        members = list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                       .order_by("pk").values_list("pk", flat=True))
        verified = list(User.objects.filter(Q(emailaddress__verified=True) | Q(phone_verified=True), is_active=True,
                                            is_staff=False).order_by("pk").distinct().values_list("pk", flat=True))
        pools = {Audience.MEMBERS: members, Audience.VERIFIED: verified}
        counts = shares(run.count(REGISTRATIONS), [e["weight"] for e in events],
                        [len(pools[e["audience"]]) for e in events])
        for event, k in zip(events, counts, strict=True):
            event["users"] = k
            if event["online"] or not event["waitlist_enabled"]:
                event["capacity"] = max(k, 50 if event["online"] else 10, round(k * rng.uniform(1.0, 1.5)))
            else:
                event["capacity"] = max(10, round(k * rng.uniform(0.6, 1.2)))
        loaded.add(Event, rows_copy(Event, EVENT_FIELDS, map(_event_row, events)))
        loaded.add(Event.pgh_event_model, audit_copy(
            Event, EVENT_FIELDS, (entry for event in events for entry in _event_audit(event)), rng=rng))

        first = ids_reserve(Registration, sum(counts))
        candidates: list[tuple] = []
        rows: list[tuple] = []
        audit: list[AuditEntry] = []
        written = audited = 0

        def flush() -> None:
            nonlocal written, audited
            written += rows_copy(Registration, REGISTRATION_FIELDS, rows)
            audited += audit_copy(Registration, REGISTRATION_FIELDS, audit, rng=rng)
            rows.clear()
            audit.clear()

        for event in events:
            if not event["users"]:
                continue
            users = rng.sample(pools[event["audience"]], event["users"])
            more, entries = _registrations(run, event, users, rng, first + written + len(rows), candidates)
            rows += more
            audit += entries
            if len(rows) >= COPY_BATCH:
                flush()
        flush()
        loaded.add(Registration, written)
        loaded.add(Registration.pgh_event_model, audited)
        loaded.add(Notice, rows_copy(Notice, NOTICE_FIELDS, _notices(run, events, candidates)))
    return loaded


# What each kind of registration notice says (as the kinds' templates render it in Chinese).
SUBJECTS = {
    notices.CONFIRMED: "报名成功：{title}", notices.WAITLISTED: "已进入候补名单：{title}",
    notices.PENDING: "报名已收到，等待审核：{title}", notices.PROMOTED: "候补成功，您已获得名额：{title}",
    notices.APPROVED: "报名已通过审核：{title}", notices.REJECTED: "报名未通过审核：{title}",
    notices.REMINDER: "活动提醒：{title}",
}
LINES = {
    notices.CONFIRMED: "您的名额已确认。", notices.WAITLISTED: "活动已满，您已进入候补名单，有空位时将按顺序递补并第一时间通知您。",
    notices.PENDING: "本活动的报名需主办方审核，我们会通知您审核结果。", notices.PROMOTED: "有名额空出，已为您确认报名。",
    notices.APPROVED: "主办方已通过您的报名，名额已确认。", notices.REJECTED: "很抱歉，主办方这次未能通过您的报名。",
    notices.REMINDER: "提醒您：活动即将开始。",
}


def _notices(run: BulkRun, events: list[dict], candidates: list[tuple]):
    """As many of the messages members were sent as the outbox's share allows, chosen evenly."""
    rng = run.rng("events.notices")
    pick = Pick(rng, wanted=run.count(NOTICES), total=len(candidates))
    by_id = {event["id"]: event for event in events}
    venues = dict(Venue.objects.values_list("pk", "name"))
    channels = member_channels(list({c[1] for c in candidates}))
    registration_type = ContentType.objects.get_for_model(Registration).pk
    for rid, uid, eid, what, at in candidates:
        if not pick.take():
            continue
        event = by_id[eid]
        kind = notices.KINDS[what]
        key = reminder_key(offset_minutes=120, starts_at=event["starts_at"]) if what == notices.REMINDER else ""
        place = venues[event["venue"]] if event["venue"] else "线上"
        when = timezone.localtime(event["starts_at"]).strftime("%Y-%m-%d %H:%M")
        subject = SUBJECTS[what].format(title=event["title"])
        body = f"您好，\n\n{LINES[what]}\n\n{event['title']}\n时间：{when}\n地点：{place}\n\n/events/{eid}/\n\n相城区妇联\n"
        yield notice_row(rng, now=run.now, recipient_id=uid, kind=kind.name,
                         key=notice_key(kind, notices.registration_key(rid, key)), target_type_id=registration_type, target_id=rid,
                         created_at=at, channels=channels[uid], subject=subject, body=body, url=f"/events/{eid}/")
