"""Bulk service requests for `make bench`: 20k requests and 20k responses at scale 1.0.

Requests arrive over two years, each open for two weeks to three months: the old ones expired or
were closed by their organisation, the recent ones are published (some awaiting review, a few
drafts). If the bulk data has no verified organisation yet, this loader registers 500 (each with
one bulk member as its representative); otherwise it uses those there.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from members.credit_codes import credit_code_check_character
from members.models import (
    City,
    Field,
    MemberProfile,
    Organisation,
    OrganisationStatus,
    Representative,
    Status,
)
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

from .models import Budget, RequestCategory, RequestResponse, RequestStatus, ResponseStatus, ServiceRequest

REQUESTS = 20_000
RESPONSES = 20_000
ORGANISATIONS = 500
HISTORY_DAYS = 730
TOPICS = {
    Field.ADVANCED_MATERIALS: ["先进新材料", "功能薄膜", "纳米涂层"],
    Field.CONNECTED_VEHICLES: ["车路协同", "智能座舱", "自动驾驶测试"],
    Field.INTEGRATED_CIRCUITS: ["芯片封测", "模拟芯片设计", "EDA工具"],
    Field.BIOMEDICINE: ["创新药", "医疗器械", "基因检测"],
    Field.BLOCKCHAIN: ["区块链存证", "供应链金融"],
    Field.INDUSTRIAL_INTERNET: ["工业互联网平台", "设备预测性维护"],
    Field.DIGITAL_FINANCE: ["数字金融风控", "数据合规"],
    Field.AI: ["机器视觉", "大模型应用", "智能客服"],
    Field.OTHER: ["科技服务", "品牌推广"],
}
NEEDS = {
    RequestCategory.TECHNOLOGY: "研发合作", RequestCategory.TALENT: "人才引进", RequestCategory.FINANCING: "融资对接",
    RequestCategory.TRANSFER: "成果转化", RequestCategory.PREMISES: "场地需求", RequestCategory.TRAINING: "培训需求",
    RequestCategory.OTHER: "交流合作",
}
DESCRIPTIONS = ["公司正在推进{topic}相关项目，希望与联盟里有经验的专家、团队对接，欢迎留言交流。",
                "围绕{topic}方向寻找合作伙伴，可线上沟通，也欢迎到相城区实地考察。",
                "我们在{topic}领域遇到一些难题，希望得到高校和科研院所的支持。"]
MESSAGES = ["我在这个方向有多年经验，期待进一步沟通。", "我们团队做过类似项目，可以先线上交流。",
            "可以推荐相关专家，欢迎联系。"]
ORG_FIELDS = ["id", "name", "credit_code", "kind", "industry", "size", "city", "district", "address", "description",
              "logo", "logo_thumb", "public_contact", "status", "rejection_reason", "reviewed_at", "reviewed_by",
              "women_led", "women_led_confirmed", "registered_by", "created_at", "updated_at"]
REP_FIELDS = ["id", "organisation", "user", "invited_by", "joined_at"]
REQUEST_FIELDS = ["id", "organisation", "author", "category", "title", "description", "field", "budget", "deadline",
                  "programme", "status", "rejection_reason", "pending_changes", "submitted_at", "published_at",
                  "closed_at", "created_at", "updated_at"]
RESPONSE_FIELDS = ["id", "request", "member", "message", "status", "share_email", "share_phone", "consented_at",
                   "decided_by", "org_share_email", "org_share_phone", "decided_at", "created_at"]


def _organisations(run: BulkRun, loaded: BulkLoaded, members: list[int]) -> dict[int, int]:
    """Verified organisations and one representative each: (organisation → representative)."""
    existing = dict(Representative.objects.filter(organisation__status=OrganisationStatus.VERIFIED)
                    .order_by("organisation_id", "pk").values_list("organisation_id", "user_id"))
    if existing:
        return existing
    rng = run.rng("services.requests.organisations")
    count = min(run.count(ORGANISATIONS) or 1, len(members))
    first = ids_reserve(Organisation, count)
    fields = list(TOPICS)
    rows, reps = [], {}
    for i in range(count):
        first17 = f"91320507BK{i:07d}"
        created = run.now - timedelta(days=HISTORY_DAYS + 30 - i % 30)
        industry = rng.choice(fields)
        rows.append((first + i, f"相城{TOPICS[industry][0]}科技有限公司{i:03d}", first17 + credit_code_check_character(first17),
                     "enterprise", industry, "small", rng.choice([City.SUZHOU] * 4 + [City.SHANGHAI, City.WUXI]),
                     "相城区", "苏州市相城区高铁新城", "一家专注于科技创新的企业。", "", "", "0512-6500 0000",
                     OrganisationStatus.VERIFIED, "", created + timedelta(days=1), None, "", False, members[i], created,
                     created + timedelta(days=1)))
        reps[first + i] = members[i]
    loaded.add(Organisation, rows_copy(Organisation, ORG_FIELDS, rows))
    audit_rng = run.rng("services.requests.organisations.audit")
    loaded.add(Organisation.pgh_event_model, audit_copy(Organisation, ORG_FIELDS, (
        entry for row in rows for entry in (
            AuditEntry("created", row[20], {"user": row[19]}, row[:13] + ("pending",) + row[14:]),
            AuditEntry("verified", row[15], None, row))), rng=audit_rng))
    rep_first = ids_reserve(Representative, len(reps))
    rep_rows = [(rep_first + n, org, user, None, run.now - timedelta(days=HISTORY_DAYS + 29))
                for n, (org, user) in enumerate(reps.items())]
    loaded.add(Representative, rows_copy(Representative, REP_FIELDS, rep_rows))
    loaded.add(Representative.pgh_event_model, audit_copy(Representative, REP_FIELDS, (
        AuditEntry("created", row[4], {"user": row[2]}, row) for row in rep_rows), rng=audit_rng))
    return reps


def _plan_requests(run: BulkRun, reps: dict[int, int], first: int, programme: int) -> list[tuple]:
    rng = run.rng("services.requests")
    count = run.count(REQUESTS)
    today = timezone.localdate(run.now)
    organisations = sorted(reps)
    categories = list(NEEDS)
    rows = []
    for i in range(count):
        created = run.now - timedelta(days=HISTORY_DAYS * (1 - (i + rng.random()) / count))
        org = rng.choice(organisations)
        field = rng.choice(list(TOPICS))
        category = rng.choice(categories)
        topic = rng.choice(TOPICS[field])
        deadline = timezone.localdate(created) + timedelta(days=rng.randint(14, 90))
        submitted = created + timedelta(minutes=rng.randint(1, 120))
        published = submitted + timedelta(hours=rng.uniform(2, 48))
        if deadline < today:
            status = RequestStatus.EXPIRED if rng.random() < 0.8 else RequestStatus.CLOSED
        else:
            draw = rng.random()
            status = (RequestStatus.PUBLISHED if draw < 0.85 else RequestStatus.PENDING if draw < 0.95
                      else RequestStatus.DRAFT)
        if published > run.now or status in {RequestStatus.PENDING, RequestStatus.DRAFT}:
            published = None
            status = status if status in {RequestStatus.PENDING, RequestStatus.DRAFT} else RequestStatus.PENDING
        closed = None
        if status in {RequestStatus.EXPIRED, RequestStatus.CLOSED}:
            closed = min(run.now, timezone.make_aware(datetime.combine(deadline + timedelta(days=1),
                                                                       datetime.min.time())))
        rows.append((first + i, org, reps[org], category, f"{topic}{NEEDS[category]}",
                     rng.choice(DESCRIPTIONS).format(topic=topic), field,
                     rng.choice([Budget.NONE, Budget.UNDER_10, Budget.FROM_10, Budget.FROM_50, Budget.NEGOTIABLE]),
                     deadline, programme, status, "", {},
                     submitted if status != RequestStatus.DRAFT else None, published, closed, created,
                     closed or published or created))
    return rows


def _request_audit(row: tuple) -> list[AuditEntry]:
    at = dict(zip(REQUEST_FIELDS, row, strict=True))
    who = {"user": at["author"]}
    state = {**at, "status": RequestStatus.DRAFT, "published_at": None, "closed_at": None}
    entries = [AuditEntry("created", at["created_at"], who, tuple(state[f] for f in REQUEST_FIELDS))]
    if at["submitted_at"]:
        state["status"] = RequestStatus.PENDING
        entries.append(AuditEntry("pending", at["submitted_at"], who, tuple(state[f] for f in REQUEST_FIELDS)))
    if at["published_at"]:
        state.update(status=RequestStatus.PUBLISHED, published_at=at["published_at"])
        entries.append(AuditEntry("published", at["published_at"], {"reason": "Published"},
                                  tuple(state[f] for f in REQUEST_FIELDS)))
    if at["closed_at"]:
        entries.append(AuditEntry(at["status"], at["closed_at"], None, row))
    return entries


def _plan_responses(run: BulkRun, requests: list[tuple], members: list[int], first: int) -> list[tuple]:
    rng = run.rng("services.requests.responses")
    answered = [r for r in requests if r[14] is not None]
    wanted = min(run.count(RESPONSES), len(answered) * 8)
    seen: set[tuple[int, int]] = set()
    rows = []
    while len(rows) < wanted and answered:
        request = rng.choice(answered)
        member = rng.choice(members)
        if (request[0], member) in seen or member == request[2]:
            continue
        seen.add((request[0], member))
        end = request[15] or run.now
        at = request[14] + (end - request[14]) * rng.random()
        draw = rng.random()
        status = ResponseStatus.SENT if draw < 0.5 else ResponseStatus.ACCEPTED if draw < 0.8 else ResponseStatus.DECLINED
        decided = min(run.now, at + timedelta(hours=rng.uniform(1, 72))) if status != ResponseStatus.SENT else None
        accepted = status == ResponseStatus.ACCEPTED
        rows.append((first + len(rows), request[0], member, rng.choice(MESSAGES), status, rng.random() < 0.6,
                     rng.random() < 0.3, at, request[2] if decided else None, accepted and rng.random() < 0.7,
                     accepted and rng.random() < 0.3, decided, at))
    return rows


def _response_audit(row: tuple) -> list[AuditEntry]:
    at = dict(zip(RESPONSE_FIELDS, row, strict=True))
    sent = {**at, "status": ResponseStatus.SENT, "decided_by": None, "org_share_email": False,
            "org_share_phone": False, "decided_at": None}
    entries = [AuditEntry("created", at["created_at"], {"user": at["member"]},
                          tuple(sent[f] for f in RESPONSE_FIELDS))]
    if at["decided_at"]:
        entries.append(AuditEntry(at["status"], at["decided_at"], {"user": at["decided_by"]}, row))
    return entries


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="service_requests")
    if ServiceRequest.objects.exists():
        loaded.skipped = True
        return loaded
    members = list(MemberProfile.objects.filter(status=Status.APPROVED, user__is_active=True)
                   .order_by("user_id").values_list("user_id", flat=True))
    if not members:
        return loaded
    programme = Programme.objects.values_list("pk", flat=True).get(slug="link")
    rng = run.rng("services.requests.audit")
    with bulk_writing(Organisation, Representative, ServiceRequest, RequestResponse):
        reps = _organisations(run, loaded, members)
        requests = _plan_requests(run, reps, ids_reserve(ServiceRequest, run.count(REQUESTS)), programme)
        loaded.add(ServiceRequest, rows_copy(ServiceRequest, REQUEST_FIELDS, requests))
        loaded.add(ServiceRequest.pgh_event_model, audit_copy(
            ServiceRequest, REQUEST_FIELDS, (e for r in requests for e in _request_audit(r)), rng=rng))
        answers = _plan_responses(run, requests, members[ORGANISATIONS:] or members,
                                  ids_reserve(RequestResponse, run.count(RESPONSES)))
        loaded.add(RequestResponse, rows_copy(RequestResponse, RESPONSE_FIELDS, answers))
        loaded.add(RequestResponse.pgh_event_model, audit_copy(
            RequestResponse, RESPONSE_FIELDS, (e for r in answers for e in _response_audit(r)), rng=rng))
    return loaded
