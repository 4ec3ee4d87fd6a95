"""Idempotent demo data for `make run`: invented people, real programmes and sectors."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from xiangcheng.core.demo import DEMO_PASSWORD, DemoLoaded
from xiangcheng.core.roles import ADMINISTRATOR as ADMINISTRATOR_ROLE
from xiangcheng.core.roles import REVIEWER

from .consents import consent_grant
from .models import Category, City, Consent, Field, MemberProfile, Status, User

STAFF = {"username": "reviewer", "email": "reviewer@demo.xcwomenstech.cn"}
# The federation's administrator: reads every record and the whole audit trail.
ADMINISTRATOR = {"username": "admin", "email": "admin@demo.xcwomenstech.cn"}
MEMBERS = [
    # (username, email, phone, status, profile)
    ("linxiaowen", "linxiaowen@demo.xcwomenstech.cn", None, Status.APPROVED, {
        "real_name": "林晓雯", "category": Category.RESEARCHER, "organisation": "苏州某新材料研究院",
        "job_title": "高级工程师", "field": Field.ADVANCED_MATERIALS, "city": City.SUZHOU,
        "expertise": ["新材料", "专利转化"], "bio": "从事功能薄膜材料研究十年，关注科研成果在相城落地。",
    }),
    ("zhouyiran", "zhouyiran@demo.xcwomenstech.cn", None, Status.APPROVED, {
        "real_name": "周怡然", "category": Category.ENTREPRENEUR, "organisation": "相城区一家车联网初创企业",
        "job_title": "创始人", "field": Field.CONNECTED_VEHICLES, "city": City.SUZHOU,
        "expertise": ["智能车联网", "融资"], "bio": "创业第五年，愿意和大家分享早期融资的经验。",
    }),
    ("chenmengqi", None, "13800000003", Status.PENDING, {
        "real_name": "陈梦琪", "category": Category.STUDENT, "organisation": "上海某高校",
        "job_title": "博士研究生", "field": Field.AI, "city": City.SHANGHAI,
        "expertise": ["机器学习"], "bio": "",
    }),
]
VISIBLE = ["organisation", "job_title", "field", "expertise", "city", "bio", "avatar"]


@transaction.atomic
def demo_staff(*, username: str, email: str, roles: list[str]) -> User:
    """A member of staff with a verified email, in these roles (created once)."""
    user, created = User.objects.get_or_create(username=username, defaults={"email": email, "is_staff": True})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def demo_load() -> DemoLoaded:
    """Create (or leave as they are) the demo accounts, all or none."""
    logins = []
    reviewer = demo_staff(username=STAFF["username"], email=STAFF["email"], roles=[REVIEWER.name])
    logins.append((STAFF["email"], "staff reviewer"))
    demo_staff(username=ADMINISTRATOR["username"], email=ADMINISTRATOR["email"], roles=[ADMINISTRATOR_ROLE.name])
    logins.append((ADMINISTRATOR["email"], "administrator"))

    for username, email, phone, status, fields in MEMBERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email or "", "phone": phone, "phone_verified": bool(phone)},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            if email:
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
            consent_grant(user=user, kind=Consent.Kind.DIRECTORY)
            MemberProfile.objects.create(
                user=user, status=status, submitted_at=timezone.now(), listed_in_directory=True,
                visible_fields=VISIBLE,
                reviewed_by=reviewer if status == Status.APPROVED else None,
                reviewed_at=timezone.now() if status == Status.APPROVED else None,
                **fields,
            )
        role = "approved member" if status == Status.APPROVED else "pending member"
        logins.append((email or phone, role))
    return DemoLoaded(logins=logins)
