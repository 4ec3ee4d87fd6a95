from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiangcheng.core.models import Programme


@pytest.mark.django_db
def test_home_shows_the_five_programmes_in_chinese(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    names = [p.name for p in response.context["programmes"]]
    assert names == ["相聚她平台", "相助她空间", "相汇她同盟", "相链她科企", "相创她数智"]
    html = response.content.decode()
    for name in names:
        assert name in html
    assert Programme.objects.count() == 5


@pytest.mark.django_db
def test_home_shows_the_next_three_upcoming_events():
    from django.test import Client

    from tests.events.factories import EventFactory

    now = timezone.now()
    soon = [EventFactory(title=f"沙龙{i}", starts_at=now + timedelta(days=i), ends_at=now + timedelta(days=i, hours=2))
            for i in (4, 1, 3, 2)]
    EventFactory(title="草稿", status="draft", starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=7))
    response = Client().get(reverse("home"))
    [events] = [s.context["events"] for s in response.context["sections"] if s.key == "events"]
    assert [e.title for e in events] == ["沙龙1", "沙龙2", "沙龙3"]
    assert soon[0].title not in response.content.decode()
