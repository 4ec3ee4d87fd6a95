"""Bulk organisations for `make bench`: 500 at scale 1.0, each with one or two representatives
(accounts of their own, with a verified email address), the 企业服务 staff who verify them, and
the audit trail of each registration and decision. Most are verified; the newest await
verification; a few were rejected with a reason; about a third claim a women-led badge."""

from datetime import timedelta

from allauth.account.models import EmailAddress

from xiangcheng.core import roles
from xiangcheng.core.bulk import (
    AuditEntry,
    BulkLoaded,
    BulkRun,
    audit_copy,
    bulk_writing,
    ids_reserve,
    rows_copy,
)

from .bulk import (
    CITY_WEIGHTS,
    EMAIL_FIELDS,
    FIELD_WEIGHTS,
    HISTORY_DAYS,
    PLACES,
    USER_FIELDS,
    _weighted,
    bulk_password,
    staff_load,
)
from .credit_codes import CODE_CHARACTERS, credit_code_check_character
from .models import (
    Organisation,
    OrganisationKind,
    OrganisationSize,
    OrganisationStatus,
    Representative,
    User,
    WomenLed,
)

ORGANISATIONS = 500
STAFF = [("bulk-qiye-1", [roles.ENTERPRISE_SERVICE.name]), ("bulk-qiye-2", [roles.ENTERPRISE_SERVICE.name])]
SUFFIXES = ["科技有限公司", "新材料有限公司", "智能科技有限公司", "生物医药有限公司", "信息技术有限公司", "研究院"]
WORDS = "相城元和澄阳漕湖望亭黄埭阳澄北桥太平渭塘高铁智行芯汇星联恒远瑞达博睿嘉禾华创"
REJECTIONS = ["营业执照信息与填写不一致，请核对统一社会信用代码。", "无法核实单位地址，请补充后重新提交。"]
ORGANISATION_FIELDS = ["id", "name", "credit_code", "kind", "industry", "size", "city", "district", "address",
                       "description", "logo", "logo_thumb", "public_contact", "status", "rejection_reason",
                       "reviewed_at", "reviewed_by", "women_led", "women_led_confirmed", "registered_by",
                       "created_at", "updated_at"]
REPRESENTATIVE_FIELDS = ["id", "organisation", "user", "invited_by", "joined_at"]


def rep_username(n: int) -> str:
    return f"bulkrep{n:05d}"


def credit_code(n: int) -> str:
    """The n-th bulk organisation's code: valid, unique, recognisably bulk (…BK…)."""
    digits = ""
    while len(digits) < 5 or n:
        n, r = divmod(n, len(CODE_CHARACTERS))
        digits = CODE_CHARACTERS[r] + digits
    first17 = f"91320507MABK{digits[-5:]}"
    return first17 + credit_code_check_character(first17)


def bulk_load(run: BulkRun) -> BulkLoaded:
    loaded = BulkLoaded(key="organisations")
    if User.objects.filter(username=rep_username(1)).exists():
        loaded.skipped = True
        return loaded
    count = run.count(ORGANISATIONS)
    rng = run.rng("organisations")
    password = bulk_password(run.seed)
    with bulk_writing(User, Organisation, Representative):
        staff = list(staff_load(run, STAFF, loaded).values())
        second = [rng.random() < 0.2 for _ in range(count)]
        first_user = ids_reserve(User, count + sum(second))
        first_org = ids_reserve(Organisation, count)
        first_rep = ids_reserve(Representative, count + sum(second))
        users, emails, organisations, reps, user_audit, org_audit, rep_audit = [], [], [], [], [], [], []
        start = run.now - timedelta(days=HISTORY_DAYS)
        n_user = 0
        for i in range(count):
            oid = first_org + i
            registered = start + (timedelta(days=HISTORY_DAYS) - timedelta(hours=2)) * ((i + rng.random()) / count)
            recent = run.now - registered < timedelta(days=14)
            draw = rng.random()
            status = (OrganisationStatus.PENDING if recent or draw < 0.04
                      else OrganisationStatus.REJECTED if draw < 0.08 else OrganisationStatus.VERIFIED)
            people = []
            for _ in range(2 if second[i] else 1):
                n_user += 1
                uid = first_user + n_user - 1
                email = f"{rep_username(n_user)}@example.cn"
                joined = registered - timedelta(minutes=rng.uniform(1, 60)) if not people else \
                    registered + (run.now - registered) * rng.random()
                user = (uid, rep_username(n_user), email, None, False, password, "", "", True, False, False,
                        joined, joined)
                users.append(user)
                emails.append((uid, email, True, True))
                user_audit.append(AuditEntry("created", joined, {"user": None, "url": "/accounts/signup/"}, user))
                people.append((uid, joined))
            founder = people[0][0]
            field = _weighted(rng, FIELD_WEIGHTS)
            women_led = rng.choice([WomenLed.FOUNDER, WomenLed.EXECUTIVE]) if rng.random() < 0.33 else WomenLed.NO
            reviewed = reviewer = None
            reason = ""
            if status != OrganisationStatus.PENDING:
                reviewed = min(run.now - timedelta(minutes=1), registered + timedelta(days=rng.uniform(0.2, 6)))
                reviewer = rng.choice(staff)
                reason = rng.choice(REJECTIONS) if status == OrganisationStatus.REJECTED else ""
            confirmed = bool(women_led) and status == OrganisationStatus.VERIFIED and rng.random() < 0.7
            name = "苏州" + "".join(rng.sample(WORDS, 2)) + rng.choice(SUFFIXES) + f"（{i + 1}）"
            kind = OrganisationKind.INSTITUTE if name.endswith("研究院") else OrganisationKind.ENTERPRISE
            row = (oid, name, credit_code(i + 1), kind, field, rng.choice(list(OrganisationSize)),
                   _weighted(rng, CITY_WEIGHTS), "相城区", rng.choice(PLACES) + f"科技园 {rng.randint(1, 30)} 号楼",
                   "专注于本领域的研发与成果转化，欢迎合作。", "", "", f"0512-6{i:07d}"[:14], status, reason,
                   reviewed, reviewer, women_led, confirmed, founder, registered, reviewed or registered)
            organisations.append(row)
            pending = (*row[:13], OrganisationStatus.PENDING, "", None, None, women_led, False, *row[19:21], registered)
            org_audit.append(AuditEntry("created", registered, {"user": founder,
                                                                "url": "/members/organisations/register/"}, pending))
            if reviewed is not None:
                org_audit.append(AuditEntry(status, reviewed, {"user": reviewer, "url": "/admin/members/organisation/",
                                                               **({"reason": reason} if reason else {})}, row))
            for k, (uid, joined) in enumerate(people):
                rep = (first_rep + len(reps), oid, uid, None if k == 0 else founder, max(joined, registered))
                reps.append(rep)
                rep_audit.append(AuditEntry("created", rep[4], {"user": uid}, rep))
        loaded.add(User, rows_copy(User, USER_FIELDS, users))
        loaded.add(EmailAddress, rows_copy(EmailAddress, EMAIL_FIELDS, emails))
        loaded.add(Organisation, rows_copy(Organisation, ORGANISATION_FIELDS, organisations))
        loaded.add(Representative, rows_copy(Representative, REPRESENTATIVE_FIELDS, reps))
        loaded.add(User.pgh_event_model, audit_copy(User, USER_FIELDS, user_audit, rng=rng))
        loaded.add(Organisation.pgh_event_model, audit_copy(Organisation, ORGANISATION_FIELDS, org_audit, rng=rng))
        loaded.add(Representative.pgh_event_model,
                   audit_copy(Representative, REPRESENTATIVE_FIELDS, rep_audit, rng=rng))
    return loaded
