"""Venues, events and registrations for the events tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, EventStatus, Kind, Registration, RegistrationStatus, Venue
from tests.factories import MemberProfileFactory
from xiangcheng.core.models import Programme


def programme(slug: str = "gather") -> Programme:
    """One of the five programmes. A transactional test's flush removes the migration's rows,
    so they are re-created here when missing."""
    names = {"gather": ("相聚她平台", 1, "聚"), "support": ("相助她空间", 2, "助"),
             "alliance": ("相汇她同盟", 3, "汇"), "link": ("相链她科企", 4, "链"),
             "create": ("相创她数智", 5, "创")}
    name, order, icon = names[slug]
    obj, _ = Programme.objects.get_or_create(
        slug=slug, defaults={"name": name, "slogan": name, "description": name, "order": order, "icon": icon})
    return obj


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"LADIES 聚力空间 {n}号厅")
    address = "苏州市相城区北河泾街道新时代文明实践所"
    capacity = 80


class EventFactory(factory.django.DjangoModelFactory):
    """A published salon ten days ahead whose sign-up is open now."""

    class Meta:
        model = Event

    programme = factory.LazyFunction(programme)
    title = factory.Sequence(lambda n: f"产业资源对接沙龙 第{n}期")
    kind = Kind.SALON
    description = "与园区企业面对面交流产业资源。"
    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=10)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=2))
    registration_opens_at = factory.LazyAttribute(lambda e: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda e: e.starts_at - timedelta(hours=1))
    cancellation_deadline = factory.LazyAttribute(lambda e: e.starts_at - timedelta(days=1))
    capacity = 30
    status = EventStatus.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration written directly (no rules, no messages): for pages and counts."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.LazyFunction(lambda: MemberProfileFactory().user)
    status = RegistrationStatus.CONFIRMED
    decided_at = factory.LazyFunction(timezone.now)
