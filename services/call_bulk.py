"""Bulk calls (相创她数智) for `make bench`: 2,000 calls and 100,000 applications at scale 1.0.

Calls were published over two years, a few weeks open each; those whose last day is still ahead
are the open list, the rest the closed tab; one in fifty was cancelled. The first approved members
(those the benchmark signs in) each applied to a few calls, so 我的申报 has rows for them;
applications to closed calls went through the review's steps, those to open calls are drafts or
submitted.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from members.models import Field, Status, User
from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
)
from xiangcheng.core.models import Programme

from .call_demo import ELIGIBILITY, REQUIREMENTS
from .call_models import CREATE_PROGRAMME
from .models import Call, CallApplication, CallApplicationStatus, CallKind, CallLevel, CallStatus

CALLS = 2_000
APPLICATIONS = 100_000
APPLICANTS = 20_000  # the first approved members, among whom the applications are spread
HISTORY_DAYS = 730
TITLES = ["青年女科学家推荐", "未来女科学家计划评选", "互联网营销师大赛", "数字化发展培训选拔", "科技女性思维营",
          "巾帼建功标兵推荐", "女性科技创新创业大赛", "科企互助成长营学员选拔"]
ORGANISERS = {CallLevel.NATIONAL: "全国妇联", CallLevel.PROVINCIAL: "江苏省妇女联合会",
              CallLevel.CITY: "苏州市妇女联合会", CallLevel.DISTRICT: "相城区妇女联合会"}
STATEMENTS = ["从事相关方向研发多年，牵头完成成果转化，希望参加评选。", "带领团队完成数字化转型项目，申请参加。",
              "正在整理材料。"]
CLOSED_STEPS = [CallApplicationStatus.SUBMITTED, CallApplicationStatus.SHORTLISTED,
                CallApplicationStatus.NOT_SHORTLISTED, CallApplicationStatus.RECOMMENDED,
                CallApplicationStatus.SELECTED, CallApplicationStatus.AWARDED, CallApplicationStatus.NOT_SELECTED,
                CallApplicationStatus.WITHDRAWN, CallApplicationStatus.STARTED]
OPEN_STEPS = [CallApplicationStatus.STARTED, CallApplicationStatus.SUBMITTED, CallApplicationStatus.SUBMITTED,
              CallApplicationStatus.WITHDRAWN]
CALL_FIELDS = ["id", "kind", "title", "organiser", "level", "programme", "field", "summary", "eligibility",
               "requirements", "opens_on", "closes_on", "places", "status", "review_started_at", "published_at",
               "created_by", "created_at", "updated_at"]
APPLICATION_FIELDS = ["id", "call", "member", "statement", "status", "reason", "staff_notes", "submitted_at",
                      "decided_at", "created_at", "updated_at"]
STATUS_AT = CALL_FIELDS.index("status")
CLOSES_AT = CALL_FIELDS.index("closes_on")


def _calls(run: BulkRun, programme: int, first_id: int) -> list[tuple]:
    rng = run.rng("calls")
    count = run.count(CALLS)
    fields = ["", "", *Field.values]
    rows = []
    for i in range(count):
        created = run.now - timedelta(days=HISTORY_DAYS * (1 - (i + rng.random()) / count))
        opens_on = timezone.localdate(created) + timedelta(days=rng.randint(1, 10))
        closes_on = opens_on + timedelta(days=rng.randint(14, 45))
        published = created + timedelta(hours=rng.uniform(1, 24))
        status = CallStatus.CANCELLED if i % 50 == 49 else CallStatus.PUBLISHED
        level = rng.choice(list(CallLevel.values))
        review = (timezone.make_aware(datetime.combine(closes_on + timedelta(days=2), time(9)))
                  if closes_on < timezone.localdate(run.now) - timedelta(days=2) and status == CallStatus.PUBLISHED
                  else None)
        rows.append((first_id + i, rng.choice(list(CallKind.values)), f"{rng.choice(TITLES)}（第{i + 1}期）",
                     ORGANISERS[level], level, programme, rng.choice(fields),
                     "区妇联负责初审并择优推荐。", ELIGIBILITY, REQUIREMENTS, opens_on, closes_on,
                     rng.choice([None, 1, 2, 3, 5, 10]), status, review, min(published, run.now), None, created,
                     published))
    return rows


def _call_audit(row: tuple) -> list[AuditEntry]:
    created_at, published_at = row[17], row[15]
    entries = [AuditEntry("created", created_at, {"url": "/admin/services/call/add/"},
                          (*row[:STATUS_AT], CallStatus.DRAFT, None, *row[STATUS_AT + 2:])),
               AuditEntry(CallStatus.PUBLISHED, published_at, {"url": "/admin/services/call/"},
                          (*row[:STATUS_AT], CallStatus.PUBLISHED, None, *row[STATUS_AT + 2:]))]
    if row[STATUS_AT] == CallStatus.CANCELLED:
        entries.append(AuditEntry(CallStatus.CANCELLED, published_at + timedelta(days=3),
                                  {"url": "/admin/services/call/", "reason": "主办方取消"}, row))
    elif row[STATUS_AT + 1] is not None:
        entries.append(AuditEntry("updated", row[STATUS_AT + 1], {"url": "/admin/services/callapplication/"}, row))
    return entries


def _applications(run: BulkRun, calls: list[tuple], first_id: int) -> list[tuple]:
    rng = run.rng("calls.applications")
    members = list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                   .order_by("pk").values_list("pk", flat=True)[:run.count(APPLICANTS) or 1])
    if not members or not calls:
        return []
    today = timezone.localdate(run.now)
    wanted = min(run.count(APPLICATIONS), len(members) * len(calls))
    rows = []
    for i in range(wanted):
        # Member i % m applies to her k-th call, k = i // m: the first members each have a few rows,
        # and no member applies twice to one call.
        m = i % len(members)
        call = calls[(i // len(members) + 7 * m) % len(calls)]
        opens = timezone.make_aware(datetime.combine(call[CLOSES_AT - 1], time(9)))
        started = min(run.now, opens + timedelta(hours=rng.uniform(1, 24 * 10)))
        closed = call[CLOSES_AT] < today
        status = rng.choice(CLOSED_STEPS if closed else OPEN_STEPS)
        submitted = (started + timedelta(hours=rng.uniform(1, 48))
                     if status not in (CallApplicationStatus.STARTED, CallApplicationStatus.WITHDRAWN) else None)
        submitted = min(submitted, run.now) if submitted else None
        decided = (call[STATUS_AT + 1] + timedelta(days=rng.randint(1, 20))
                   if call[STATUS_AT + 1] and status not in (CallApplicationStatus.STARTED,
                                                              CallApplicationStatus.SUBMITTED,
                                                              CallApplicationStatus.WITHDRAWN) else None)
        decided = min(decided, run.now) if decided else None
        reason = "材料不完整，未通过初审。" if status == CallApplicationStatus.NOT_SHORTLISTED else ""
        rows.append((first_id + i, call[0], members[m], rng.choice(STATEMENTS), status, reason, "", submitted,
                     decided, started, decided or submitted or started))
    return rows


def _application_audit(row: tuple) -> list[AuditEntry]:
    """Started by her; then its last step (submitted or withdrawn by her, a decision by staff)."""
    member, status, decided = row[2], row[4], row[8]
    entries = [AuditEntry("created", row[9], {"user": member, "url": f"/calls/{row[1]}/apply/"},
                          (*row[:4], CallApplicationStatus.STARTED, "", "", None, None, *row[9:]))]
    if status != CallApplicationStatus.STARTED:
        context = {"url": "/admin/services/callapplication/"} if decided else {"user": member,
                                                                              "url": f"/calls/{row[1]}/apply/"}
        entries.append(AuditEntry(status, row[10], context, row))
    return entries


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="calls")
    if Call.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("calls.audit")
    programme = Programme.objects.get(slug=CREATE_PROGRAMME).pk
    with bulk_writing(Call, CallApplication):
        calls = _calls(run, programme, ids_reserve(Call, run.count(CALLS)))
        loaded.add(Call, rows_copy(Call, CALL_FIELDS, calls))
        loaded.add(Call.pgh_event_model, audit_copy(Call, CALL_FIELDS, (e for row in calls for e in _call_audit(row)),
                                                    rng=rng))
        applications = _applications(run, calls, ids_reserve(CallApplication, run.count(APPLICATIONS)))
        loaded.add(CallApplication, rows_copy(CallApplication, APPLICATION_FIELDS, applications))
        loaded.add(CallApplication.pgh_event_model, audit_copy(
            CallApplication, APPLICATION_FIELDS, (e for row in applications for e in _application_audit(row)),
            rng=rng))
    return loaded
