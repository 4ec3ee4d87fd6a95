"""Bulk jobs (新城招聘) for `make bench`: 20k jobs and 50k applications at scale 1.0.

Jobs were posted over two years; those whose last day is still ahead are published (the public
list), the rest closed. The first approved members each applied for a few jobs, so 我的求职 has
rows for the members the benchmark signs in. Jobs belong to the verified organisations already
loaded; if there are none, this loader registers a few hundred verified ones of its own.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from members.credit_codes import CODE_CHARACTERS, credit_code_check_character
from members.models import Field, Organisation, OrganisationStatus, Status, User
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

from .models import JOBS_PROGRAMME, Application, ApplicationStatus, Education, Job, JobStatus

JOBS = 20_000
APPLICATIONS = 50_000
ORGANISATIONS = 300  # registered here only when no verified organisation exists
HISTORY_DAYS = 730
# The first approved members (those the benchmark signs in) applied for this many jobs each.
ACTIVE_APPLICANTS = 200
TITLES = ["新材料研发工程师", "算法工程师", "知识产权专员", "数字金融产品经理", "生物医药实验员", "集成电路版图设计工程师",
          "区块链开发工程师", "工业互联网实施顾问", "车联网测试工程师", "数据分析师", "科技项目申报专员", "嵌入式软件工程师"]
LOCATIONS = ["相城区高铁新城", "相城区元和街道", "相城区漕湖街道", "苏州工业园区", "浦东新区", "新吴区", ""]
CITIES = ["suzhou"] * 6 + ["shanghai", "wuxi", "nanjing", "hangzhou"]
DESCRIPTIONS = ["负责相关方向的研发与测试，参与项目申报与成果转化。欢迎女性科技人才加入。",
                "提供系统培训与弹性排班，有相关经验者优先。", "参与核心产品设计，与高校和科研院所合作开展项目。"]
MESSAGES = ["我有相关方向的研发经验，希望有机会加入贵单位。", "对该岗位很感兴趣，附上简历供参考。", "希望了解岗位的具体要求，谢谢。"]
JOB_FIELDS = ["id", "organisation", "programme", "title", "city", "location", "salary_min", "salary_max", "education",
              "headcount", "description", "closes_on", "status", "rejection_reason", "pending_changes",
              "changes_submitted_at", "submitted_at", "reviewed_at", "reviewed_by", "published_at", "created_by",
              "created_at", "updated_at"]
APPLICATION_FIELDS = ["id", "job", "member", "message", "cv", "cv_name", "status", "created_at", "updated_at"]


ORGANISATION_AUDIT = ["id", "name", "credit_code", "status", "reviewed_at", "reviewed_by", "rejection_reason",
                      "women_led", "women_led_confirmed"]


def _organisations(run: BulkRun, loaded: BulkLoaded, rng) -> list[int]:
    """The verified organisations to post jobs under (a few of this loader's own if none)."""
    verified = list(Organisation.objects.filter(status=OrganisationStatus.VERIFIED).order_by("pk")
                    .values_list("pk", flat=True))
    if verified:
        return verified
    draw = run.rng("jobs.organisations")
    fields = [f.value for f in Field]
    registered = run.now - timedelta(days=HISTORY_DAYS + 10)
    organisations = []
    for n in range(1, run.count(ORGANISATIONS) + 2):
        first = "91320507" + "".join(draw.choice(CODE_CHARACTERS) for _ in range(9))
        organisations.append(Organisation(
            name=f"苏州相城科创企业{n:04d}有限公司", credit_code=first + credit_code_check_character(first),
            kind="enterprise", industry=draw.choice(fields), size="small", city="suzhou", district="相城区",
            address="相城区高铁新城", description="科技型中小企业。", public_contact="0512-00000000",
            status=OrganisationStatus.VERIFIED, reviewed_at=registered + timedelta(days=2)))
    created = Organisation.objects.bulk_create(organisations)
    loaded.add(Organisation, len(created))
    rows = [tuple(getattr(o, "pk" if name == "id" else name) for name in ORGANISATION_AUDIT) for o in created]
    loaded.add(Organisation.pgh_event_model, audit_copy(Organisation, ORGANISATION_AUDIT, (
        entry for row in rows for entry in (
            AuditEntry("created", registered, {"url": "/members/organisations/new/"},
                       (*row[:3], OrganisationStatus.PENDING, None, *row[5:])),
            AuditEntry(OrganisationStatus.VERIFIED, row[4], {"url": "/admin/members/organisation/"}, row))),
        rng=rng))
    return [o.pk for o in created]


def _jobs(run: BulkRun, organisations: list[int], programme: int, first_id: int) -> list[tuple]:
    rng = run.rng("jobs")
    today = timezone.localdate(run.now)
    count = run.count(JOBS)
    rows = []
    for i in range(count):
        created = run.now - timedelta(days=HISTORY_DAYS * (1 - (i + rng.random()) / count))
        published = created + timedelta(hours=rng.uniform(2, 48))
        closes_on = timezone.localdate(created) + timedelta(days=rng.randint(20, 90))
        status = JobStatus.PUBLISHED if closes_on >= today else JobStatus.CLOSED
        low = rng.choice([None, 6000, 8000, 10000, 15000, 20000])
        rows.append((first_id + i, rng.choice(organisations), programme, rng.choice(TITLES), rng.choice(CITIES),
                     rng.choice(LOCATIONS), low, low * 2 if low else None, rng.choice(list(Education.values)),
                     rng.randint(1, 5), rng.choice(DESCRIPTIONS), closes_on, status, "", {}, None, created,
                     published, None, min(published, run.now), None, created, published))
    return rows


def _job_audit(row: tuple) -> list[AuditEntry]:
    created_at, published_at, status = row[16], row[19], row[12]
    entries = [AuditEntry("created", created_at, {"url": "/jobs/organisation/"}, (*row[:12], JobStatus.PENDING, *row[13:])),
               AuditEntry(JobStatus.PUBLISHED, published_at, {"url": "/admin/services/job/"},
                          (*row[:12], JobStatus.PUBLISHED, *row[13:]))]
    if status == JobStatus.CLOSED:
        # The beat job closes it a few minutes after its last day ends in Xiangcheng.
        closed_at = timezone.make_aware(datetime.combine(row[11] + timedelta(days=1), time(0, 5)))
        entries.append(AuditEntry(JobStatus.CLOSED, closed_at, {"task": "services.tasks.close_past_jobs"}, row))
    return entries


def _applications(run: BulkRun, jobs: list[tuple], first_id: int) -> list[tuple]:
    rng = run.rng("jobs.applications")
    members = list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                   .order_by("pk").values_list("pk", flat=True)[:max(ACTIVE_APPLICANTS * 10, 1)])
    wanted = run.count(APPLICATIONS)
    if not members or not jobs:
        return []
    taken: set[tuple[int, int]] = set()
    rows = []
    statuses = list(ApplicationStatus.values)
    attempts = 0
    while len(rows) < wanted and attempts < wanted * 3:
        attempts += 1
        # The first members apply most: each of the benchmark's members has a few rows.
        member = members[len(rows) % min(ACTIVE_APPLICANTS, len(members))] if len(rows) < ACTIVE_APPLICANTS * 5 \
            else rng.choice(members)
        job = rng.choice(jobs)
        if (job[0], member) in taken:
            continue
        taken.add((job[0], member))
        applied = min(run.now, job[19] + timedelta(hours=rng.uniform(1, 24 * 20)))
        status = rng.choice(statuses)
        rows.append((first_id + len(rows), job[0], member, rng.choice(MESSAGES), "", "", status, applied, applied))
    return rows


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="jobs")
    if Job.objects.exists():
        loaded.skipped = True
        return loaded
    rng = run.rng("jobs.audit")
    programme = Programme.objects.get(slug=JOBS_PROGRAMME).pk
    with bulk_writing(Organisation, Job, Application):
        organisations = _organisations(run, loaded, rng)
        jobs = _jobs(run, organisations, programme, ids_reserve(Job, run.count(JOBS)))
        loaded.add(Job, rows_copy(Job, JOB_FIELDS, jobs))
        loaded.add(Job.pgh_event_model, audit_copy(Job, JOB_FIELDS, (e for row in jobs for e in _job_audit(row)),
                                                   rng=rng))
        applications = _applications(run, jobs, ids_reserve(Application, run.count(APPLICATIONS)))
        loaded.add(Application, rows_copy(Application, APPLICATION_FIELDS, applications))
        loaded.add(Application.pgh_event_model, audit_copy(
            Application, APPLICATION_FIELDS,
            (AuditEntry("created", row[7], {"user": row[2], "url": f"/jobs/{row[1]}/apply/"}, row)
             for row in applications), rng=rng))
    return loaded
