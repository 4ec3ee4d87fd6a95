"""Calls (相创她数智) for the calls tests: a published call open around a given day, applicants."""

from datetime import date, timedelta

from django.utils import timezone

from services.models import Call, CallKind, CallLevel, CallStatus
from tests.factories import MemberProfileFactory, UserFactory


def a_call(*, opens_on: date | None = None, closes_on: date | None = None, status: str = CallStatus.PUBLISHED,
           **fields) -> Call:
    today = timezone.localdate()
    values = {"kind": CallKind.TALENT, "title": "青年女科学家推荐", "organiser": "江苏省妇女联合会",
              "level": CallLevel.PROVINCIAL, "summary": "推荐青年女科学家。", "eligibility": "联盟正式会员。",
              "requirements": "个人陈述与成果证明。", "opens_on": opens_on or today - timedelta(days=3),
              "closes_on": closes_on or today + timedelta(days=10), "status": status,
              "published_at": timezone.now() if status != CallStatus.DRAFT else None}
    values.update(fields)
    return Call.objects.create(**values)


def calls_bulk(count: int, **fields) -> list[Call]:
    today = timezone.localdate()
    return Call.objects.bulk_create([
        Call(kind=CallKind.CONTEST, title=f"大赛{n}", organiser="相城区妇女联合会", level=CallLevel.DISTRICT,
             summary="大赛", eligibility="会员", requirements="作品", opens_on=today - timedelta(days=1),
             closes_on=today + timedelta(days=n + 1), status=CallStatus.PUBLISHED, published_at=timezone.now(),
             **fields)
        for n in range(count)])


def approved(username: str, real_name: str = "会员"):
    user = UserFactory(username=username)
    MemberProfileFactory(user=user, real_name=real_name)
    return user
