"""注销账号 end to end: she confirms on the page, a real Celery worker sends the farewell to her
email first and then erases; afterwards no table and no file holds anything of hers, what must
stay stays anonymous, and the job run again is harmless."""

import re

from django.urls import reverse

from members.models import AccountErasure, User
from members.tasks import erase_account
from services.models import Ticket
from tests.factories import PASSWORD
from tests.helpers import email_subject
from tests.worker_support import mails

from .account_deletion_support import (
    EMAIL,
    FILE_MARKERS,
    MARKERS,
    files_under,
    her_everywhere,
    markers_in_database,
    markers_in_files,
)

WORKER_DEADLINE_SECONDS = 90
ERASED = re.compile(r"Task members\.tasks\.erase_account\[[0-9a-f-]+\] succeeded in [0-9.]+s: True")


def test_a_real_worker_erases_her_data_after_sending_the_farewell(workers, settings, tmp_path, mail_dir, client):
    media, private = tmp_path / "files" / "media", tmp_path / "files" / "private"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(private), "base_url": None}}}
    worker = workers("erasure", pool="solo", concurrency=1,
                     env={"DJANGO_MEDIA_ROOT": str(media), "DJANGO_PRIVATE_MEDIA_ROOT": str(private)})
    her = her_everywhere()
    assert sorted(files_under(private)) == sorted(her.files)
    client.force_login(her.user)

    response = client.post(reverse("members:account_delete"), {"understood": "on", "password": PASSWORD,
                                                                "confirm": "1"})

    assert response.status_code == 302
    worker.wait_for(lambda: AccountErasure.objects.filter(user=her.user, erased_at__isnull=False).exists(),
                    timeout=WORKER_DEADLINE_SECONDS, what="the erasure to finish")
    worker.wait_for(lambda: ERASED.search(worker.log_path.read_text()), timeout=WORKER_DEADLINE_SECONDS,
                    what="the erasure task to report")
    # The farewell went to her address before the address was erased.
    # (The outbox sends only to a verified address, which the erasure deletes: it went first.)
    farewell = (EMAIL, email_subject("Your account has been deleted"))
    assert [mail for mail in mails(mail_dir) if mail[1] == farewell[1]] == [farewell]
    assert markers_in_database(MARKERS) == []
    assert markers_in_files([media, private], [m.encode() for m in MARKERS] + FILE_MARKERS) == []
    assert files_under(private) == []
    ticket = Ticket.objects.get(pk=her.ticket.pk)
    assert (ticket.rating, ticket.category, ticket.description) == (5, "policy", "")

    # The job again, through the worker: harmless.
    erase_account.delay(user_id=her.user.pk)
    worker.wait_for(lambda: len(ERASED.findall(worker.log_path.read_text())) == 2, timeout=WORKER_DEADLINE_SECONDS,
                    what="the second run")
    assert markers_in_database(MARKERS) == []
    assert User.objects.get(pk=her.user.pk).is_active is False
    assert mails(mail_dir).count(farewell) == 1
