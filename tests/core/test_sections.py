"""Programme pages and the home page render what the apps register, in order, and nothing else."""

import pytest
from django.urls import reverse

from xiangcheng.core import sections
from xiangcheng.core.models import Programme
from xiangcheng.core.programmes import PROGRAMMES, programmes_ensure


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own sections are put back afterwards)."""
    monkeypatch.setattr(sections, "_programme_sections", {})
    monkeypatch.setattr(sections, "_home_sections", {})
    return sections


def keys(response) -> list[str]:
    return [s.key for s in response.context["sections"]]


@pytest.mark.django_db
def test_a_section_appears_on_the_programmes_it_names_in_its_order(client, registry):
    registry.programme_section(key="later", template="core/_programme_card.html",
                               context=lambda request, programme: {"n": 2}, order=20)
    registry.programme_section(key="first", template="core/_programme_card.html",
                               context=lambda request, programme: {"n": 1}, order=10)
    registry.programme_section(key="only-link", template="core/_programme_card.html",
                               context=lambda request, programme: {}, order=15, programmes=("link",))
    registry.programme_section(key="never", template="core/_programme_card.html",
                               context=lambda request, programme: None)

    assert keys(client.get(reverse("programmes:detail", args=["link"]))) == ["first", "only-link", "later"]
    assert keys(client.get(reverse("programmes:detail", args=["gather"]))) == ["first", "later"]


@pytest.mark.django_db
def test_the_apps_contribute_their_sections(client):
    assert keys(client.get(reverse("home"))) == ["events", "inbox"]
    assert keys(client.get(reverse("programmes:detail", args=["gather"]))) == ["events", "inbox", "matching"]
    assert keys(client.get(reverse("programmes:detail", args=["create"]))) == ["events"]


@pytest.mark.django_db
def test_an_unknown_programme_answers_404(client):
    assert client.get(reverse("programmes:detail", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_the_five_programmes_are_ensured_without_overwriting_staff_edits():
    Programme.objects.filter(slug="gather").update(slogan="工作人员改过的口号")
    Programme.objects.filter(slug="create").delete()

    assert programmes_ensure(Programme) == 1
    assert list(Programme.objects.values_list("slug", flat=True)) == [p[1] for p in PROGRAMMES]
    assert Programme.objects.get(slug="gather").slogan == "工作人员改过的口号"
