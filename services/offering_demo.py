"""Idempotent demo offerings: the four the federation runs, two with time slots over the next two
weeks, two by appointment. The organisations' demo login of 企业服务 staff keeps them."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from xiangcheng.core.demo import DemoLoaded
from xiangcheng.core.models import Programme

from .models import Category, Offering, OfferingMode, OfferingSlot

DAYS = 14
# (programme, title, provider, mode, category, description, slot times, places per slot, weekdays)
OFFERINGS = [
    ("link", "女企业家专属金融服务", "合作银行相城支行 · 女企业家 VIP 通道", OfferingMode.SLOTS, Category.FINANCE,
     "合作银行的专属客户经理一对一面谈，帮助女企业家梳理融资需求，介绍贴息贷款、科技贷和个人金融服务。"
     "每个时段 45 分钟，一位企业家。地点：高铁新城北河泾街道新时代文明实践所二楼洽谈室。",
     [time(10, 0), time(14, 30)], 1, (1, 3)),
    ("support", "LADIES 聚力空间", "相城区妇联 · 北河泾街道新时代文明实践所", OfferingMode.SLOTS, Category.SPACE,
     "LADIES 聚力空间向联盟成员开放：安静的共享办公桌、小型会议角和母婴室。"
     "按半天预约座位，每个时段 8 个座位，请带好会员电子证。",
     [time(9, 0), time(13, 30)], 8, (0, 1, 2, 3, 4)),
    ("support", "儿童公益托管中心", "相城区妇联 · 儿童公益托管中心", OfferingMode.APPOINTMENT, Category.CHILDCARE,
     "为参加联盟活动、加班或出差的女科技工作者提供临时儿童托管（1–14 岁），由持证保育员照看。"
     "请写明孩子年龄和希望托管的日期，工作人员会与您确认。",
     [], 0, ()),
    ("link", "创业辅导", "相城区创业导师团", OfferingMode.APPOINTMENT, Category.OTHER,
     "创业导师一对一辅导：商业计划、股权结构、知识产权和申报政策。请简单介绍您的项目和想讨论的问题，"
     "工作人员会为您匹配导师并约定时间。",
     [], 0, ()),
]


def _slots(offering: Offering, times: list[time], places: int, weekdays: tuple[int, ...]) -> None:
    """Its slots on those weekdays of the next two weeks, each created once."""
    today = timezone.localdate()
    for day in range(1, DAYS + 1):
        date = today + timedelta(days=day)
        if date.weekday() not in weekdays:
            continue
        for start in times:
            starts_at = timezone.make_aware(datetime.combine(date, start))
            OfferingSlot.objects.get_or_create(
                offering=offering, starts_at=starts_at,
                defaults={"ends_at": starts_at + timedelta(minutes=45 if places == 1 else 180), "capacity": places})


@transaction.atomic
def demo_load() -> DemoLoaded:
    programmes = {p.slug: p for p in Programme.objects.all()}
    for slug, title, provider, mode, category, description, times, places, weekdays in OFFERINGS:
        offering, _created = Offering.objects.get_or_create(title=title, defaults={
            "programme": programmes[slug], "provider": provider, "mode": mode, "category": category,
            "description": description, "published": True})
        if mode == OfferingMode.SLOTS:
            _slots(offering, times, places, weekdays)
    return DemoLoaded(logins=[])
