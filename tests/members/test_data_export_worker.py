"""我的数据 built by a real Celery worker on the reports queue: she asks on her page, the worker
builds the ZIP into the shared private storage, the page then offers the download, and she is told."""

from django.urls import reverse

from members.models import DataExport, DataExportStatus
from xiangcheng.core.models import Notice

from .data_export_support import PDF_CV, everything, json_in, member_with_data, private_storage_at, zip_of

WORKER_DEADLINE_SECONDS = 60


def test_the_real_worker_builds_her_export(client, workers, settings, tmp_path):
    folder = private_storage_at(settings, tmp_path / "shared-private")
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = workers("reports", pool="solo", concurrency=1, queues=("reports",),
                     env={"DJANGO_PRIVATE_MEDIA_ROOT": str(folder)})
    her = member_with_data(username="lin", real_name="林晓雯", marker="HER-4411")
    client.force_login(her.user)

    response = client.post(reverse("members:data_export_new"))

    assert response["Location"] == "/members/data/"
    worker.wait_for(lambda: DataExport.objects.get().status == DataExportStatus.READY,
                    timeout=WORKER_DEADLINE_SECONDS, what="the export to be built")
    export = DataExport.objects.get()
    assert (export.progress, (folder / export.file.name).exists()) == (100, True)
    page = client.get("/members/data/").content.decode()
    assert '<meta http-equiv="refresh"' not in page
    assert reverse("members:data_export_file", args=[export.pk]) in page
    assert Notice.objects.filter(kind="members.data_export_ready", recipient=her.user).count() == 1
    archive = zip_of(b"".join(client.get(reverse("members:data_export_file", args=[export.pk])).streaming_content))
    assert archive.read(f"files/job_applications/{her.cv_name}") == PDF_CV
    assert json_in(archive, "tickets.json")[0]["subject"] == "贴息申请 HER-4411"
    assert "INTERNAL-7731" not in everything(archive)
