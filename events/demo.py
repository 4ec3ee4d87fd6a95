"""Idempotent demo venues and events for `make run`, drawn from the alliance's activities."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.models import User
from xiangcheng.core.demo import DemoLoaded
from xiangcheng.core.models import Programme

from .booking import sign_up
from .mixer_demo import mixers_create
from .models import Audience, Event, EventStatus, Kind, Venue

VENUES = [
    ("LADIES 聚力空间", "相城区高铁新城北河泾街道新时代文明实践所", 40,
     "一楼入口右转，设有儿童公益托管角。"),
    ("长三角女企业家联盟创新实践基地", "相城区菁英荟人才公寓 6 楼", 60, "乘电梯至 6 楼，出电梯左手边。"),
]

# (title, programme slug, kind, venue index or None, days from today, hours long, capacity,
#  childcare places, needs approval, description)
EVENTS = [
    ("产业资源对接沙龙", "gather", Kind.SALON, 1, 5, 2, 30, 0, False,
     "邀请区内女性科技企业与金融机构、园区代表面对面交流，现场对接产业链上下游资源。"),
    ("女企业家产业分享会", "gather", Kind.SHARING, 0, 9, 2, 3, 4, False,
     "三位女企业家分享创业路上的选择与坚持；现场提供儿童公益托管，妈妈们可以安心参加。"),
    ("科企会客厅：智能车联网专场", "link", Kind.ROUNDTABLE, 1, 12, 3, 25, 0, True,
     "面向车联网、汽车电子领域的女性领办企业，交流技术成果转化与合作机会。报名需审核。"),
    ("科技女性思维营", "alliance", Kind.CAMP, 0, 16, 4, 20, 6, False,
     "用一个下午练习结构化思考与公开表达，结识不同领域的女科技工作者。"),
    ("数字化发展培训（第一期）", "create", Kind.TRAINING, None, 7, 2, 200, 0, False,
     "线上课程：中小企业数字化转型的路径、工具与案例。"),
    ("互联网营销师培训及大赛", "create", Kind.CONTEST, 1, 30, 6, 50, 8, False,
     "培训与比赛结合：直播营销、内容策划实操，优胜者获推荐参加市级赛事。"),
    ("女企业家季度分享活动", "gather", Kind.SHARING, 0, -20, 2, 30, 0, False,
     "围绕人才选用育留、搭建共享平台展开讨论。"),
]


@transaction.atomic
def demo_load() -> DemoLoaded:
    venues = []
    for name, address, capacity, notes in VENUES:
        venue, _ = Venue.objects.get_or_create(
            name=name, defaults={"address": address, "capacity": capacity, "notes": notes})
        venues.append(venue)
    today = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    created = 0
    for title, slug, kind, venue_ix, days, hours, capacity, care, approval, description in EVENTS:
        if Event.objects.filter(title=title).exists():
            continue
        starts = today + timedelta(days=days)
        Event.objects.create(
            programme=Programme.objects.get(slug=slug), title=title, kind=kind, description=description,
            venue=venues[venue_ix] if venue_ix is not None else None,
            online_url="" if venue_ix is not None else "https://meeting.example.cn/xc-digital-1",
            starts_at=starts, ends_at=starts + timedelta(hours=hours),
            registration_opens_at=starts - timedelta(days=40), registration_closes_at=starts - timedelta(hours=2),
            cancellation_deadline=starts - timedelta(hours=24), capacity=capacity,
            audience=Audience.VERIFIED if venue_ix is None else Audience.MEMBERS,
            requires_approval=approval, childcare_offered=care > 0, childcare_places=care,
            status=EventStatus.PUBLISHED,
        )
        created += 1
    # 遇见 联谊活动: one mixer for each circle 遇见 registers (events/mixer_demo.py).
    created += mixers_create(venue=venues[0])
    # 林晓雯 has booked the first salon: her confirmation is in 我的消息 once the worker sends it.
    member = User.objects.filter(username="linxiaowen").first()
    first = Event.objects.filter(status=EventStatus.PUBLISHED, title=EVENTS[0][0]).first()
    if member is not None and first is not None:
        sign_up(event_id=first.pk, user=member)
    return DemoLoaded(summary=f"Demo events created: {created}")
