"""The organisation's workbench (企业工作台): only its representatives (404 for anyone else), the
status and reason, edits (name or code of a verified one sends it back), removing another
representative and leaving (confirmation first; the last one cannot leave), and the registry of
links the other apps add."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy

from members import workbench
from members.models import Organisation, OrganisationStatus, Representative
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import renders_of, zh

from .organisation_factories import a_code, organisation_with

pytestmark = pytest.mark.django_db


def url(organisation, suffix=""):
    return f"/members/organisations/{organisation.pk}/{suffix}"


@pytest.fixture
def mine():
    user = UserFactory()
    return user, organisation_with(user)


@pytest.mark.parametrize(("method", "suffix"), [
    ("get", ""), ("get", "edit/"), ("post", "edit/"), ("post", "invite/"), ("get", "leave/"), ("post", "leave/"),
])
def test_another_persons_organisation_is_404(client, mine, method, suffix):
    _user, organisation = mine
    client.force_login(UserFactory())
    assert getattr(client, method)(url(organisation, suffix), {}).status_code == 404


def test_removing_a_representative_of_another_organisation_is_404(client, mine):
    user, organisation = mine
    other_rep = Representative.objects.get(organisation=organisation_with())
    Representative.objects.create(organisation=organisation, user=UserFactory())
    client.force_login(user)
    assert client.get(url(organisation, f"representatives/{other_rep.pk}/remove/")).status_code == 404
    assert client.post(url(organisation, f"representatives/{other_rep.pk}/remove/")).status_code == 404
    assert Representative.objects.filter(pk=other_rep.pk).exists()
    # Nor her own row: she leaves through "leave".
    own = Representative.objects.get(organisation=organisation, user=user)
    assert client.post(url(organisation, f"representatives/{own.pk}/remove/")).status_code == 404


def test_the_workbench_shows_status_reason_and_details(client):
    user = UserFactory()
    organisation = organisation_with(user, status=OrganisationStatus.REJECTED)
    client.force_login(user)
    page = client.get(url(organisation)).content.decode()
    assert zh("Not verified") in page and "资料不全" in page and organisation.credit_code in page


def test_the_badge_shows_only_once_staff_confirmed_it(client):
    user = UserFactory()
    organisation = organisation_with(user, women_led="founder", status=OrganisationStatus.VERIFIED)
    client.force_login(user)
    badge = f'<span class="badge badge-success org-badge">{zh("Founded by a woman")}</span>'
    assert badge not in client.get(url(organisation)).content.decode()
    Organisation.objects.filter(pk=organisation.pk).update(women_led_confirmed=True)
    assert badge in client.get(url(organisation)).content.decode()


def test_what_the_workbench_says_of_the_organisation_is_rendered_once_for_its_representatives(client):
    user, colleague = UserFactory(), UserFactory()
    organisation = organisation_with(user, status=OrganisationStatus.VERIFIED, description="新材料研发")
    Representative.objects.create(organisation=organisation, user=colleague)

    client.force_login(user)
    first, page = renders_of(client, url(organisation), workbench.HEAD_TEMPLATE)
    client.force_login(colleague)
    again, colleagues_page = renders_of(client, url(organisation), workbench.HEAD_TEMPLATE)

    assert (first, again) == (1, 0)
    assert organisation.credit_code in colleagues_page and "新材料研发" in colleagues_page
    assert zh("Verified") in colleagues_page
    # Each sees herself as "you" in the list of representatives, rendered for her.
    assert page.count(f'({zh("you")})') == colleagues_page.count(f'({zh("you")})') == 1

    # A change to what it shows, even one written without the model's save, is shown at once.
    Organisation.objects.filter(pk=organisation.pk).update(description="功能薄膜材料", status=OrganisationStatus.REJECTED,
                                                           rejection_reason="资料不全")
    changed, page = renders_of(client, url(organisation), workbench.HEAD_TEMPLATE)
    assert changed == 1
    assert "功能薄膜材料" in page and "新材料研发" not in page and zh("Not verified") in page and "资料不全" in page


def edit_data(organisation, **changes):
    data = {f: getattr(organisation, f) for f in ["name", "credit_code", "kind", "industry", "size", "city",
                                                   "district", "address", "description", "public_contact",
                                                   "women_led"]}
    data.update(changes)
    return data


def test_editing_the_description_of_a_verified_organisation_keeps_it_verified(client):
    user = UserFactory()
    organisation = organisation_with(user, status=OrganisationStatus.VERIFIED)
    client.force_login(user)
    assert client.post(url(organisation, "edit/"), edit_data(organisation, description="新的介绍")).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.description, organisation.status) == ("新的介绍", OrganisationStatus.VERIFIED)


@pytest.mark.parametrize("field", ["name", "credit_code"])
def test_changing_name_or_code_of_a_verified_organisation_sends_it_back_to_review(client, field):
    user = UserFactory()
    organisation = organisation_with(user, status=OrganisationStatus.VERIFIED)
    client.force_login(user)
    new = {"name": "新名字有限公司", "credit_code": a_code()}[field]
    assert client.post(url(organisation, "edit/"), edit_data(organisation, **{field: new})).status_code == 302
    organisation.refresh_from_db()
    assert (getattr(organisation, field), organisation.status) == (new, OrganisationStatus.PENDING)


def test_an_edit_of_a_rejected_organisation_sends_it_back_to_review(client):
    user = UserFactory()
    organisation = organisation_with(user, status=OrganisationStatus.REJECTED)
    client.force_login(user)
    client.post(url(organisation, "edit/"), edit_data(organisation, address="补充后的地址"))
    organisation.refresh_from_db()
    assert (organisation.status, organisation.rejection_reason) == (OrganisationStatus.PENDING, "")


def test_an_edit_to_a_code_another_organisation_holds_is_a_form_error(client, mine):
    user, organisation = mine
    taken = organisation_with().credit_code
    client.force_login(user)
    response = client.post(url(organisation, "edit/"), edit_data(organisation, credit_code=taken))
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"] == [
        zh("This organisation is already registered: ask its representative to invite you.")]


def test_removing_another_representative_asks_first_then_removes(client, mine):
    user, organisation = mine
    colleague = Representative.objects.create(organisation=organisation, user=UserFactory())
    client.force_login(user)
    page = client.get(url(organisation, f"representatives/{colleague.pk}/remove/"))
    assert page.status_code == 200 and zh("Remove this representative?") in page.content.decode()
    assert Representative.objects.filter(pk=colleague.pk).exists()
    response = client.post(url(organisation, f"representatives/{colleague.pk}/remove/"))
    assert (response.status_code, response.url) == (302, url(organisation))
    assert list(organisation.representatives.values_list("user", flat=True)) == [user.pk]
    # The removed colleague no longer sees it.
    client.force_login(colleague.user)
    assert client.get(url(organisation)).status_code == 404


def test_leaving_asks_first_then_she_no_longer_sees_it(client, mine):
    user, organisation = mine
    Representative.objects.create(organisation=organisation, user=UserFactory())
    client.force_login(user)
    assert zh("Leave this organisation?") in client.get(url(organisation, "leave/")).content.decode()
    response = client.post(url(organisation, "leave/"))
    assert (response.status_code, response.url) == (302, "/members/organisations/")
    assert client.get(url(organisation)).status_code == 404
    assert organisation.representatives.count() == 1


def test_the_last_representative_cannot_leave(client, mine):
    user, organisation = mine
    client.force_login(user)
    response = client.post(url(organisation, "leave/"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [zh(
        "You are its only representative, so you cannot leave. Invite a colleague first, then leave.")]
    assert list(organisation.representatives.values_list("user", flat=True)) == [user.pk]


def test_the_workbench_lists_the_links_registered_by_other_apps(client, mine, monkeypatch):
    user, organisation = mine
    monkeypatch.setattr(workbench, "LINKS", {})
    workbench.workbench_link(key="second", label=gettext_lazy("Edit details"), url_name="members:organisation_edit",
                             order=20)
    workbench.workbench_link(key="first", label=gettext_lazy("Leave this organisation"),
                             url_name="members:organisation_leave", order=10)
    assert workbench.workbench_links(organisation_pk=organisation.pk) == [
        (zh("Leave this organisation"), url(organisation, "leave/")), (zh("Edit details"), url(organisation, "edit/"))]
    client.force_login(user)
    page = client.get(url(organisation)).content.decode()
    assert f'<a class="button button-ghost" href="{url(organisation, "edit/")}">{zh("Edit details")}</a>' in page
    with pytest.raises(ValueError, match="registered twice"):
        workbench.workbench_link(key="first", label="x", url_name="members:organisation", order=1)


def test_the_workbench_costs_the_same_queries_with_5_or_50_representatives(client, mine):
    user, organisation = mine

    def queries() -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(organisation)).status_code == 200
        return len(captured)

    for _ in range(4):
        Representative.objects.create(organisation=organisation, user=MemberProfileFactory().user)
    few = queries()
    for _ in range(45):
        Representative.objects.create(organisation=organisation, user=UserFactory())
    assert queries() == few


def test_her_organisations_list_only_hers(client, mine):
    user, organisation = mine
    other = organisation_with(name="别人的公司")
    client.force_login(user)
    page = client.get("/members/organisations/").content.decode()
    assert organisation.name in page and other.name not in page
