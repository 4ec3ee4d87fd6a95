"""Demo organisations for `make run`: three verified (one with a confirmed women-led badge) and
one awaiting verification, each with its own representative's account, and the 企业服务 staff
who verify them. Invented names; the district's real sectors. Idempotent."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from xiangcheng.core.audit import audit_context
from xiangcheng.core.demo import DEMO_PASSWORD, DemoLoaded
from xiangcheng.core.roles import ENTERPRISE_SERVICE

from .consents import consent_grant
from .credit_codes import credit_code_check_character
from .demo import demo_staff
from .models import (  # noqa: I001
    City,
    Consent,
    Field,
    Organisation,
    OrganisationKind,
    OrganisationSize,
    OrganisationStatus,
    Representative,
    User,
    WomenLed,
)

STAFF = {"username": "qiye", "email": "qiye@demo.xcwomenstech.cn"}


def code(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + credit_code_check_character(first17)


ORGANISATIONS = [
    # (representative username, email, status, women-led (claimed, confirmed), organisation)
    ("rep-xincai", "hr@xincai.demo.xcwomenstech.cn", OrganisationStatus.VERIFIED, (WomenLed.FOUNDER, True), {
        "name": "苏州相城薄膜新材料有限公司", "credit_code": code("91320507MA1XC0001"),
        "kind": OrganisationKind.ENTERPRISE, "industry": Field.ADVANCED_MATERIALS, "size": OrganisationSize.SMALL,
        "city": City.SUZHOU, "district": "相城区", "address": "元和街道科技园 3 号楼",
        "description": "专注功能薄膜材料研发与中试，与长三角多所高校开展成果转化合作。",
        "public_contact": "0512-6500 0001"}),
    ("rep-chelian", "hr@chelian.demo.xcwomenstech.cn", OrganisationStatus.VERIFIED, (WomenLed.NO, False), {
        "name": "相城智行车联网科技有限公司", "credit_code": code("91320507MA1XC0002"),
        "kind": OrganisationKind.ENTERPRISE, "industry": Field.CONNECTED_VEHICLES, "size": OrganisationSize.MEDIUM,
        "city": City.SUZHOU, "district": "相城区", "address": "高铁新城南天成路 58 号",
        "description": "智能网联汽车测试与车路协同解决方案提供商。", "public_contact": "jobs@chelian.example.cn"}),
    ("rep-yanjiuyuan", "office@yjy.demo.xcwomenstech.cn", OrganisationStatus.VERIFIED, (WomenLed.EXECUTIVE, False), {
        "name": "苏州某人工智能研究院", "credit_code": code("12320507MB1XC0003"),
        "kind": OrganisationKind.INSTITUTE, "industry": Field.AI, "size": OrganisationSize.SMALL,
        "city": City.SUZHOU, "district": "相城区", "address": "漕湖街道春兴路 9 号",
        "description": "面向工业场景的机器视觉与大模型应用研究。", "public_contact": "0512-6500 0003"}),
    ("rep-shuzi", "hr@shuzi.demo.xcwomenstech.cn", OrganisationStatus.PENDING, (WomenLed.FOUNDER, False), {
        "name": "相城数字金融服务有限公司", "credit_code": code("91320507MA1XC0004"),
        "kind": OrganisationKind.FINANCIAL, "industry": Field.DIGITAL_FINANCE, "size": OrganisationSize.MICRO,
        "city": City.SUZHOU, "district": "相城区", "address": "澄阳街道数字金融产业园",
        "description": "为科技型中小企业提供供应链金融与数字化风控服务。", "public_contact": "0512-6500 0004"}),
]


@transaction.atomic
def demo_load() -> DemoLoaded:
    logins = []
    staff = demo_staff(username=STAFF["username"], email=STAFF["email"], roles=[ENTERPRISE_SERVICE.name])
    logins.append((STAFF["email"], "staff, 企业服务 (verifies organisations)"))
    now = timezone.now()
    for username, email, status, (women_led, confirmed), fields in ORGANISATIONS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            consent_grant(user=user, kind=Consent.Kind.PRIVACY_POLICY)
        if not Organisation.objects.filter(credit_code=fields["credit_code"]).exists():
            with audit_context(actor=user):
                organisation = Organisation.objects.create(registered_by=user, women_led=women_led, **fields)
                Representative.objects.create(organisation=organisation, user=user)
            if status != OrganisationStatus.PENDING:
                with audit_context(actor=staff, reason="" if status == OrganisationStatus.VERIFIED else "demo"):
                    Organisation.objects.filter(pk=organisation.pk).update(
                        status=status, reviewed_at=now, reviewed_by=staff, women_led_confirmed=confirmed)
        logins.append((email, f"represents {fields['name']} ({status.label})"))
    return DemoLoaded(logins=logins)
