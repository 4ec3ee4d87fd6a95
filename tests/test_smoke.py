import pytest
from django.urls import reverse

from events.models import Programme


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
