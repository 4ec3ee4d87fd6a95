"""The demo shows jobs: six published, one awaiting review, with applications; the gate's CV use."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from services.models import Application, Job, JobStatus
from xiangcheng.core.files import CV, FileRejected, file_check

from .helpers import minimal_pdf, png_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_demo_posts_jobs_once_and_the_link_programme_lists_them(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    call_command("seed_demo")

    assert sorted(Job.objects.values_list("status", flat=True)) == [JobStatus.PENDING] + [JobStatus.PUBLISHED] * 6
    assert Application.objects.count() == 2
    assert len(client.get(reverse("services:jobs")).context["page"]) == 6
    page = client.get(reverse("programmes:detail", args=["link"])).content.decode()
    assert "新材料研发工程师" in page


def test_the_cv_use_takes_a_pdf_as_it_is_and_refuses_an_image():
    checked = file_check(upload("cv.pdf", minimal_pdf(), "application/pdf"), use=CV)
    assert (checked.content_type, checked.content.read()) == ("application/pdf", minimal_pdf())
    with pytest.raises(FileRejected) as refused:
        file_check(upload("cv.png", png_bytes(), "image/png"), use=CV)
    assert refused.value.code == "wrong_format"
