"""Bulk 巾帼管家 tickets for `make bench`: 50k tickets and 150k messages at scale 1.0, with the
agents who answer them and what members were told.

Tickets arrive over three and a half years. Old ones are nearly all closed (some rated); the last
two weeks hold the queue: new, accepted, in progress, waiting for the member, answered. Each
ticket's reference continues its year's counter, so a member who submits one during the benchmark
gets the next number.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from members.bulk import member_channels, staff_load
from members.models import User
from xiangcheng.core import roles
from xiangcheng.core.bulk import (
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
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import notice_key

from .models import Category, Contact, Priority, Ticket, TicketCounter, TicketMessage, TicketStatus
from .notices import ACKNOWLEDGED, ASSIGNED, REPLIED, TICKET_KINDS, ticket_key
from .sla import DEFAULT_WORKING_DAYS, add_working_days

TICKETS = 50_000
MESSAGES = 150_000
# Ticket notices in the outbox at scale 1.0 (the other apps bring the outbox to 1M rows).
NOTICES = 120_000
HISTORY_DAYS = 1260
STAFF = [*((f"bulk-agent-{n}", [roles.INBOX_AGENT.name]) for n in range(1, 9)),
         ("bulk-supervisor", [roles.INBOX_AGENT.name, roles.INBOX_SUPERVISOR.name])]
CATEGORY_WEIGHTS = {Category.FINANCE: 18, Category.POLICY: 20, Category.TALENT: 12, Category.SPACE: 10,
                    Category.CHILDCARE: 12, Category.TECH_TRANSFER: 8, Category.SUGGESTION: 15, Category.OTHER: 5}
SUBJECTS = {
    Category.FINANCE: ["初创企业贷款咨询", "贴息贷款政策咨询", "想对接银行专属客户经理"],
    Category.POLICY: ["人才补贴申报条件", "高新技术企业认定咨询", "女性科技人才政策咨询"],
    Category.TALENT: ["招聘算法工程师", "想了解新城招聘会", "实习岗位对接"],
    Category.SPACE: ["借用路演厅", "聚力空间开放时间", "会议室预约"],
    Category.CHILDCARE: ["周末活动能否提供托管", "托管名额咨询", "托管年龄要求"],
    Category.TECH_TRANSFER: ["专利转化渠道", "寻找中试合作方", "科技成果评估"],
    Category.SUGGESTION: ["建议增加线上分享", "希望活动安排在周末", "名录搜索建议"],
    Category.OTHER: ["账号问题", "其他咨询"],
}
DESCRIPTIONS = ["公司成立两年，想了解区里有没有相关的支持政策，谢谢。", "希望工作人员能联系我，具体情况电话里说明。",
                "之前咨询过一次，还想再确认一下办理流程和需要准备的材料。", "有些活动时间冲突，希望能提供线上直播或回放。"]
REPLIES = ["您好，您的问题我们已经收到并受理，会在承诺的时间内给您答复。",
           "您好，我们已为您联系合作银行的专属客户经理，对方将在两个工作日内与您联系。",
           "您好，相关政策的申报条件和材料清单已发到您的邮箱，请查收。", "您好，请补充一下贵公司的成立时间和主营业务，方便我们对接。"]
MEMBER_REPLIES = ["好的，谢谢！", "材料已经补充，请查看。", "请问大概什么时候有结果？", "已联系上，问题解决了。"]
NOTES = ["已电话联系，下周回访。", "转交金融服务组处理。", "需主管确认后答复。"]
TICKET_FIELDS = ["id", "reference", "year", "number", "member", "category", "subject", "description",
                 "preferred_contact", "status", "priority", "assignee", "due_at", "first_response_at", "closed_at",
                 "rating", "rating_comment", "created_at", "updated_at"]
MESSAGE_FIELDS = ["id", "ticket", "author", "body", "internal", "from_staff", "created_at"]
# The steps a ticket went through to reach its status.
STEPS = {
    TicketStatus.NEW: [],
    TicketStatus.ACCEPTED: [TicketStatus.ACCEPTED],
    TicketStatus.IN_PROGRESS: [TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS],
    TicketStatus.AWAITING_INFO: [TicketStatus.ACCEPTED, TicketStatus.AWAITING_INFO],
    TicketStatus.ANSWERED: [TicketStatus.ACCEPTED, TicketStatus.ANSWERED],
    TicketStatus.CLOSED: [TicketStatus.ACCEPTED, TicketStatus.ANSWERED, TicketStatus.CLOSED],
}
MESSAGE_WEIGHT = {TicketStatus.NEW: 0, TicketStatus.ACCEPTED: 0.3, TicketStatus.IN_PROGRESS: 1,
                  TicketStatus.AWAITING_INFO: 2, TicketStatus.ANSWERED: 2.5, TicketStatus.CLOSED: 3.2}


def _status(rng, age: timedelta) -> str:
    draw = rng.random()
    if age < timedelta(days=2):
        return TicketStatus.NEW if draw < 0.5 else TicketStatus.ACCEPTED if draw < 0.75 else TicketStatus.IN_PROGRESS
    if age < timedelta(days=14):
        for status, below in ((TicketStatus.NEW, 0.05), (TicketStatus.ACCEPTED, 0.15), (TicketStatus.IN_PROGRESS, 0.4),
                              (TicketStatus.AWAITING_INFO, 0.55), (TicketStatus.ANSWERED, 0.85)):
            if draw < below:
                return status
        return TicketStatus.CLOSED
    return TicketStatus.CLOSED if draw < 0.88 else TicketStatus.ANSWERED if draw < 0.97 else TicketStatus.AWAITING_INFO


def _plan_tickets(run: BulkRun, agents: list[int], first_id: int) -> list[dict]:
    rng = run.rng("services")
    members = list(User.objects.filter(is_active=True, is_staff=False, profile__isnull=False)
                   .order_by("pk").values_list("pk", flat=True))
    numbers = dict(TicketCounter.objects.values_list("year", "last"))
    count = run.count(TICKETS)
    start = run.now - timedelta(days=HISTORY_DAYS)
    categories = list(CATEGORY_WEIGHTS)
    planned = []
    for i in range(count):
        created = start + timedelta(days=HISTORY_DAYS * (i + rng.random()) / count) - timedelta(minutes=5)
        year = timezone.localtime(created).year
        numbers[year] = numbers.get(year, 0) + 1
        category = rng.choices(categories, weights=[CATEGORY_WEIGHTS[c] for c in categories])[0]
        status = _status(rng, run.now - created)
        steps = STEPS[status]
        accepted = min(run.now - timedelta(minutes=1), created + timedelta(minutes=rng.uniform(10, 600))) if steps else None
        answered = None
        if TicketStatus.ANSWERED in steps or status == TicketStatus.AWAITING_INFO:
            answered = min(run.now - timedelta(minutes=1), accepted + timedelta(hours=rng.uniform(1, 72)))
        closed = None
        if status == TicketStatus.CLOSED:
            closed = min(run.now, answered + timedelta(days=rng.uniform(0.5, 7)))
        rated = status == TicketStatus.CLOSED and rng.random() < 0.4
        planned.append({
            "id": first_id + i, "reference": f"JG-{year}-{numbers[year]:06d}", "year": year, "number": numbers[year],
            "member": rng.choice(members), "category": category, "subject": rng.choice(SUBJECTS[category]),
            "description": rng.choice(DESCRIPTIONS),
            "preferred_contact": rng.choices([Contact.SITE, Contact.EMAIL, Contact.PHONE], weights=[7, 2, 1])[0],
            "status": status,
            "priority": rng.choices([Priority.NORMAL, Priority.HIGH, Priority.LOW, Priority.URGENT],
                                    weights=[80, 10, 7, 3])[0],
            "assignee": rng.choice(agents) if steps else None,
            "due_at": add_working_days(created, DEFAULT_WORKING_DAYS), "first_response_at": answered,
            "closed_at": closed, "rating": rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 10, 5, 5])[0] if rated else None,
            "rating_comment": "回复很及时，谢谢！" if rated and rng.random() < 0.3 else "", "created_at": created,
            "updated_at": closed or answered or accepted or created, "steps": steps, "accepted": accepted,
        })
    return planned


def _ticket_audit(ticket: dict) -> list[AuditEntry]:
    def state(**changes) -> tuple:
        values = {**ticket, **changes}
        return tuple(values[name] for name in TICKET_FIELDS)

    member = {"user": ticket["member"], "url": "/inbox/new/"}
    staff = {"user": ticket["assignee"], "url": f"/admin/services/ticket/{ticket['id']}/change/"}
    entries = [AuditEntry("created", ticket["created_at"], member, state(
        status=TicketStatus.NEW, assignee=None, first_response_at=None, closed_at=None, rating=None, rating_comment=""))]
    answered, closed = ticket["first_response_at"], ticket["closed_at"]
    for step in ticket["steps"]:
        at = {TicketStatus.ACCEPTED: ticket["accepted"], TicketStatus.IN_PROGRESS: ticket["accepted"],
              TicketStatus.CLOSED: closed}.get(step, answered)
        entries.append(AuditEntry(step, at, staff, state(
            status=step, first_response_at=answered if answered is not None and answered <= at else None,
            closed_at=closed if step == TicketStatus.CLOSED else None, rating=None, rating_comment="")))
    if ticket["rating"] is not None:
        entries.append(AuditEntry("updated", ticket["closed_at"],
                                  {"user": ticket["member"], "url": f"/inbox/{ticket['reference']}/rate/"}, state()))
    return entries


def _messages(run: BulkRun, tickets: list[dict], agents: list[int], first_id: int) -> list[tuple]:
    rng = run.rng("services.messages")
    counts = shares(run.count(MESSAGES), [MESSAGE_WEIGHT[t["status"]] for t in tickets], [8] * len(tickets))
    messages = []
    for ticket, count in zip(tickets, counts, strict=True):
        start = ticket["first_response_at"] or ticket["accepted"] or ticket["created_at"]
        end = ticket["closed_at"] or run.now
        for j in range(count):
            at = start + (end - start) * j / (count + 1)
            staff = j % 2 == 0
            internal = staff and j > 0 and rng.random() < 0.15
            author = (ticket["assignee"] or rng.choice(agents)) if staff else ticket["member"]
            body = rng.choice(NOTES if internal else REPLIES if staff else MEMBER_REPLIES)
            messages.append((first_id + len(messages), ticket["id"], author, body, internal, staff, at))
    return messages


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="services")
    if User.objects.filter(username=STAFF[0][0]).exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("services.audit")
    with bulk_writing(User, Ticket, TicketMessage):
        agents = list(staff_load(run, STAFF, loaded).values())
        tickets = _plan_tickets(run, agents, ids_reserve(Ticket, run.count(TICKETS)))
        rows = [tuple(t[name] for name in TICKET_FIELDS) for t in tickets]
        loaded.add(Ticket, rows_copy(Ticket, TICKET_FIELDS, rows))
        loaded.add(Ticket.pgh_event_model, audit_copy(
            Ticket, TICKET_FIELDS, (entry for t in tickets for entry in _ticket_audit(t)), rng=rng))
        messages = _messages(run, tickets, agents, ids_reserve(TicketMessage, run.count(MESSAGES)))
        # Staff answer in admin; the member replies on her ticket's page.
        pages = {True: {t["id"]: f"/admin/services/ticket/{t['id']}/change/" for t in tickets},
                 False: {t["id"]: f"/inbox/{t['reference']}/reply/" for t in tickets}}
        loaded.add(TicketMessage, rows_copy(TicketMessage, MESSAGE_FIELDS, messages))
        loaded.add(TicketMessage.pgh_event_model, audit_copy(
            TicketMessage, MESSAGE_FIELDS,
            (AuditEntry("created", m[6], {"user": m[2], "url": pages[m[5]][m[1]]}, m) for m in messages),
            rng=rng))
        for year, last in _counters(tickets).items():
            updated = TicketCounter.objects.filter(year=year).update(last=F("last") + last)
            if not updated:
                TicketCounter.objects.create(year=year, last=last)
        loaded.add(Notice, rows_copy(Notice, NOTICE_FIELDS, _notices(run, tickets, messages)))
    return loaded


def _counters(tickets: list[dict]) -> dict[int, int]:
    counted: dict[int, int] = {}
    for ticket in tickets:
        counted[ticket["year"]] = counted.get(ticket["year"], 0) + 1
    return counted


def _notices(run: BulkRun, tickets: list[dict], messages: list[tuple]):
    """Receipts and answers to members, assignments to agents: as many as the outbox's share allows."""
    rng = run.rng("services.notices")
    by_id = {t["id"]: t for t in tickets}
    candidates = [(ACKNOWLEDGED, t["id"], t["member"], t["created_at"], None) for t in tickets]
    candidates += [(ASSIGNED, t["id"], t["assignee"], t["accepted"], None) for t in tickets if t["assignee"]]
    candidates += [(REPLIED, m[1], by_id[m[1]]["member"], m[6], m[0]) for m in messages if m[5] and not m[4]]
    candidates.sort(key=lambda c: c[3])
    pick = Pick(rng, wanted=run.count(NOTICES), total=len(candidates))
    channels = member_channels(list({c[2] for c in candidates}))
    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    subjects = {ACKNOWLEDGED: "我们已收到您的留言 {ref}", REPLIED: "巾帼管家已答复 {ref}", ASSIGNED: "分配给您：{ref}"}
    for kind, tid, recipient, at, message in candidates:
        if not pick.take():
            continue
        ticket = by_id[tid]
        unique = f"m{message}" if message else f"{rng.getrandbits(128):032x}"
        to_member = kind != ASSIGNED
        subject = subjects[kind].format(ref=ticket["reference"])
        body = f"您好，\n\n{subject}：{ticket['subject']}\n\n/inbox/{ticket['reference']}/\n\n相城区妇联巾帼管家\n"
        yield notice_row(rng, now=run.now, recipient_id=recipient, kind=TICKET_KINDS[kind].name,
                         key=notice_key(TICKET_KINDS[kind], ticket_key(tid, recipient, unique)), target_type_id=ticket_type,
                         target_id=tid, created_at=at, channels=channels[recipient], subject=subject, body=body,
                         url=f"/inbox/{ticket['reference']}/" if to_member else "",
                         data={"message": message} if message else {})
