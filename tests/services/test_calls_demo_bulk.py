"""The demo shows calls with linxiaowen's applications; bulk calls load at the scaled volumes with
the audit trail written as the triggers would have."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from services.models import Call, CallApplication, CallApplicationStatus, CallStatus
from tests.core.test_bulk import seed
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_calls_once_with_her_applications(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")

    assert sorted(Call.objects.values_list("status", flat=True)) == [CallStatus.DRAFT] + [CallStatus.PUBLISHED] * 5
    mine = CallApplication.objects.filter(member__username="linxiaowen").order_by("status")
    assert [(a.status, a.attachments.count()) for a in mine] == [(CallApplicationStatus.STARTED, 0),
                                                                 (CallApplicationStatus.SUBMITTED, 1)]
    # Three open now, one opening later, one closed (in its tab).
    assert len(client.get(reverse("services:calls")).context["page"]) == 4
    assert len(client.get(reverse("services:calls"), {"tab": "closed"}).context["page"]) == 1
    assert "2027年度青年女科学家推荐" in client.get(reverse("home")).content.decode()


def test_bulk_calls_load_the_scaled_volumes_one_application_per_member_and_call():
    seed()  # scale 0.005: 10 calls, 500 applications

    assert Call.objects.count() == 10
    assert CallApplication.objects.count() == 500
    assert not CallApplication.objects.values("call", "member").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not CallApplication.objects.filter(status=CallApplicationStatus.NOT_SHORTLISTED, reason="").exists()
    for model in (Call, CallApplication):
        assert model.pgh_event_model.objects.filter(pgh_obj__isnull=False).values("pgh_obj").distinct().count() == \
            model.objects.count()
    assert Call.pgh_event_model.objects.filter(pgh_label=audit.CREATED).count() == 10
