"""Offerings, their slots and bookings, for the offering tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from services.models import Category, Offering, OfferingMode, OfferingSlot, SlotBooking
from tests.factories import MemberProfileFactory
from xiangcheng.core.models import Programme


def programme(slug: str = "link") -> Programme:
    return Programme.objects.get(slug=slug)


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    programme = factory.LazyFunction(programme)
    title = factory.Sequence(lambda n: f"女企业家专属金融服务{n:03d}")
    provider = "合作银行相城支行"
    description = "合作银行的专属客户经理一对一面谈。"
    mode = OfferingMode.SLOTS
    category = Category.FINANCE
    published = True


class OfferingSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferingSlot

    offering = factory.SubFactory(OfferingFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=45))
    capacity = 1


class SlotBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlotBooking

    slot = factory.SubFactory(OfferingSlotFactory)
    member = factory.LazyFunction(lambda: MemberProfileFactory().user)
