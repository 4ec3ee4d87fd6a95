"""Demo mixers for `make run` (loaded with the events demo): one event for each circle 遇见 registers
(xiangcheng.core.audiences). sunyue@ (交友) sees both on the event list; linxiaowen@ and zhouyiran@
(遇见 for networking) see the networking one only; visitors and the pending member see neither. A
circle that is not registered gets no event; a second load creates nothing."""

from datetime import timedelta

from django.utils import timezone

from xiangcheng.core.audiences import restricted
from xiangcheng.core.models import Programme

from .models import Event, EventStatus, Kind, Venue

# audience key: (title, kind, days from today, hours long, capacity, description)
MIXERS = {
    "meet": ("遇见·行业交流下午茶", Kind.SALON, 6, 2, 24,
             "遇见参与者的线下交流会：芯片、新材料、车联网方向的女科技工作者围坐交流，导师与新人结对聊选题与职业发展。"),
    "friends": ("遇见·太湖边徒步联谊", Kind.OTHER, 11, 4, 20,
                "交友圈专场：沿太湖边轻松徒步，分组破冰、合影留念，由联盟工作人员全程陪同。"),
}


def mixers_create(*, venue: Venue) -> int:
    """The mixers not yet created, at ``venue`` on 相聚她平台 (遇见's programme); how many were made."""
    programme = Programme.objects.get(slug="gather")
    today = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    created = 0
    for key, (title, kind, days, hours, capacity, description) in MIXERS.items():
        if restricted(key) is None or Event.objects.filter(title=title).exists():
            continue
        starts = today + timedelta(days=days)
        Event.objects.create(
            programme=programme, title=title, kind=kind, description=description, venue=venue,
            starts_at=starts, ends_at=starts + timedelta(hours=hours),
            registration_opens_at=starts - timedelta(days=30), registration_closes_at=starts - timedelta(hours=2),
            cancellation_deadline=starts - timedelta(hours=24), capacity=capacity, audience=key,
            status=EventStatus.PUBLISHED,
        )
        created += 1
    return created
