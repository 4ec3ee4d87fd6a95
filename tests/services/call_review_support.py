"""Calls and applications for the review side's tests, made directly with the ORM (published,
submitted …)."""

from datetime import date, timedelta

from django.utils import timezone

from services.models import Call, CallApplication, CallApplicationStatus, CallAttachment, CallKind, CallLevel
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from xiangcheng.core.roles import ADMINISTRATOR, CALL_REVIEWER

S = CallApplicationStatus


def call(*, title: str = "2027年度青年女科学家推荐", opens_on: date | None = None, closes_on: date | None = None,
         places: int | None = None, kind: str = CallKind.TALENT, field: str = "", status: str = "published") -> Call:
    today = timezone.localdate()
    return Call.objects.create(
        kind=kind, title=title, organiser="江苏省妇联", level=CallLevel.PROVINCIAL, field=field,
        summary="面向45岁以下女性科技工作者。", eligibility="联盟正式会员。", requirements="个人陈述与代表性成果。",
        opens_on=opens_on or today - timedelta(days=10), closes_on=closes_on or today + timedelta(days=10),
        places=places, status=status, published_at=timezone.now())


def applicant(name: str = "林晓雯"):
    user = UserFactory()
    MemberProfileFactory(user=user, real_name=name)
    return user


def application(the_call: Call, *, status: str = S.SUBMITTED, member=None, statement: str = "十年功能薄膜研究。",
                reason: str = "") -> CallApplication:
    return CallApplication.objects.create(
        call=the_call, member=member or applicant(), statement=statement, status=status, reason=reason,
        submitted_at=timezone.now() if status != S.STARTED else None)


def attachment(of: CallApplication, name: str = "代表作.pdf", content: bytes = b"%PDF-1.4\n%%EOF\n") -> CallAttachment:
    from django.core.files.base import ContentFile

    found = CallAttachment(application=of, name=name, content_type="application/pdf", size=len(content))
    found.file.save(name, ContentFile(content), save=True)
    return found


def reviewer(username: str = "shenbao"):
    return StaffFactory(username=username, groups=[CALL_REVIEWER.name])


def administrator(username: str = "guanli"):
    return StaffFactory(username=username, groups=[ADMINISTRATOR.name])
