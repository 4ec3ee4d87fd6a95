"""The kernel's change-list rows (xiangcheng/core/changelist_rows.py) are Django's rows, cell for
cell, on every change list that uses them — worked out column by column instead of cell by cell."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.test import Client
from django.urls import reverse

from tests.access_world import ROLE_LOGINS, Clients
from xiangcheng.core.changelist_rows import rows
from xiangcheng.core.changelists import LargeChangeListMixin

pytestmark = pytest.mark.django_db

# Sorted by a column: the links must keep the list's state, as Django's do.
QUERY = "?o=-2"


def rows_shown_as_djangos(response, label) -> list[list[str]]:
    """The page's rows, rendered by the kernel's template, equal to Django's cell for cell and in the page."""
    assert "admin/large_change_list.html" in [t.name for t in response.templates], label
    cl = response.context_data["cl"]
    ours = [list(row) for row in rows(cl)]
    assert ours == [list(row) for row in results(cl)], label
    page = response.content.decode()
    for row in ours:
        assert "".join(row) in page, label
    return ours


def large_change_lists():
    return sorted((model._meta.label, model) for model, model_admin in admin.site._registry.items()
                  if isinstance(model_admin, LargeChangeListMixin))


def test_every_large_change_list_shows_djangos_rows_for_the_demo(world, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x" * 20))
    compared, with_rows = [], []
    for label, model in large_change_lists():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url + QUERY)
        assert response.status_code == 200, label
        ours = rows_shown_as_djangos(response, label)
        compared.append(label)
        if ours:
            with_rows.append(label)
    assert len(compared) == len(large_change_lists())
    assert {"members.MemberProfile", "events.Registration", "services.Ticket", "members.Organisation",
            "services.CallApplication", "matching.NameCheck"} <= set(compared)
    # The demo fills all but two of them (it has no invitations and no bookings of offerings).
    assert set(compared) - set(with_rows) == {"members.OrganisationInvitation", "services.SlotBooking"}


def test_the_audit_trail_shows_djangos_rows_for_the_demo(world, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x" * 20))
    response = client.get(reverse("admin:core_auditevent_changelist"))

    ours = rows_shown_as_djangos(response, "audit trail")
    assert len(ours) == response.context_data["cl"].list_per_page  # the demo's changes fill the first page


def test_a_linked_row_keeps_the_lists_sorting_and_filter(world):
    client = Clients()(ROLE_LOGINS["审核员"])
    url = reverse("admin:members_memberprofile_changelist")
    response = client.get(url + "?status__exact=pending&o=-2")
    cl = response.context_data["cl"]
    first = next(iter(cl.result_list))
    row = "".join(next(rows(cl)))
    change = reverse("admin:members_memberprofile_change", args=[first.pk])
    assert f'<a href="{change}?_changelist_filters=status__exact%3Dpending%26o%3D-2">' in row
    assert row.startswith('<td class="action-checkbox"><input type="checkbox" name="_selected_action" '
                          f'value="{first.pk}" class="action-select"')
    assert f'<th class="field-{cl.list_display[1]}">' in row


def test_every_change_list_answers_when_counts_are_asked_and_a_large_one_never_counts(world, django_user_model):
    # Django's "show counts" (?_facets) counts each filter choice over the list's queryset: on a
    # million registrations, on every page, and the event filter once failed doing so.
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x" * 20))
    counted = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url + "?_facets=True")
        assert response.status_code == 200, model._meta.label
        if isinstance(model_admin, LargeChangeListMixin):
            counted[model._meta.label] = response.context_data["cl"].add_facets
    assert set(counted.values()) == {False}
    assert {"events.Registration", "services.Ticket", "members.MemberProfile"} <= set(counted)
