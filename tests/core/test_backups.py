"""Backups that restore: the archive of the database and both media folders, restored into a new
empty database and new empty folders, gives back every row and every byte — checked here
independently of the manifest the restore checks itself against."""

import io
import json
import re
import tarfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image
from psycopg import sql
from psycopg.conninfo import make_conninfo

from events.models import Event
from members.membership import profiles_approve
from members.models import MemberProfile, Status
from services.attachments import attachment_check
from services.inbox import ticket_submit
from services.models import Attachment, Category, Ticket
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory, StaffFactory
from tests.helpers import zh
from xiangcheng.core.backups import DUMP, MANIFEST, backup_create, backups_prune, restore
from xiangcheng.core.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
TABLES = """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"""


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def folders(settings, tmp_path):
    """The portal's media folders, and new empty ones to restore into."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None}}}
    return {"media": tmp_path / "media", "private": tmp_path / "private", "backups": tmp_path / "backups",
            "new_media": tmp_path / "restored" / "media", "new_private": tmp_path / "restored" / "private"}


def server_conninfo(dbname: str) -> str:
    config = connection.settings_dict
    return make_conninfo(**{key: value for key, value in {
        "dbname": dbname, "user": config["USER"], "password": config["PASSWORD"], "host": config["HOST"],
        "port": str(config["PORT"] or "")}.items() if value})


@pytest.fixture
def empty_database():
    """A new, empty database on the test server, dropped afterwards; its connection string."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_conninfo(connection.settings_dict["NAME"]), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield server_conninfo(name)
    with psycopg.connect(server_conninfo(connection.settings_dict["NAME"]), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def contents(conninfo: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and the md5 of all its rows in order, read the plain way."""
    with psycopg.connect(conninfo) as db:
        db.execute("SET TIME ZONE 'UTC'")
        result = {}
        for (table,) in db.execute(TABLES).fetchall():
            schema, name = table.split(".", 1)
            query = sql.SQL("SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') "
                            "FROM {}.{} AS t").format(sql.Identifier(schema), sql.Identifier(name))
            result[table] = tuple(db.execute(query).fetchone())
    return result


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def portal_data() -> dict:
    """Rows across the apps: an approved member with a photo (private), an event with a poster
    (public), a ticket with a private attachment, their notices and audit rows."""
    reviewer = StaffFactory(username="reviewer")
    profile = MemberProfileFactory(status=Status.PENDING)
    profile.avatar.save("a.jpg", ContentFile(jpeg("red")), save=False)
    profile.avatar_thumb.save("t.jpg", ContentFile(jpeg("blue")), save=False)
    profile.save()
    profiles_approve(profile_ids=[profile.pk], reviewer=reviewer)
    event = EventFactory(title="相城区女科技工作者沙龙")
    event.poster.save("p.jpg", ContentFile(jpeg("green")), save=False)
    event.poster_thumb.save("t.jpg", ContentFile(jpeg("yellow")), save=False)
    event.save()
    checked = attachment_check(SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf"))
    ticket = ticket_submit(member=profile.user, category=Category.POLICY, subject="人才政策咨询",
                           description="请问申报流程。", preferred_contact="email", files=[checked])
    return {"profile": profile, "event": event, "ticket": ticket}


def test_a_backup_restored_into_an_empty_database_and_folders_keeps_every_row_and_every_file(folders, empty_database):
    data = portal_data()
    # What the test set out to cover is really there: rows in each app, files in both folders,
    # notices and audit rows.
    assert (MemberProfile.objects.get().status, Event.objects.count(), Ticket.objects.count(),
            Attachment.objects.count()) == (Status.APPROVED, 1, 1, 1)
    assert Notice.objects.filter(recipient=data["profile"].user).count() == 2  # decision, ticket received
    source = contents(server_conninfo(connection.settings_dict["NAME"]))
    assert source["public.members_memberprofileaudit"][0] >= 2
    assert source["public.services_ticketaudit"][0] >= 1
    assert len(files_under(folders["private"])) == 3  # photo, its thumbnail, the attachment
    assert len(files_under(folders["media"])) == 2  # poster and its thumbnail

    archive = backup_create(destination=folders["backups"])

    assert archive.parent == folders["backups"] and archive.name.endswith(".tar")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as bundle:
        manifest = json.loads(bundle.extractfile(MANIFEST).read())
        names = set(bundle.getnames())
    assert {table: figures["rows"] for table, figures in manifest["tables"].items()} == {
        table: count for table, (count, _) in source.items()}
    assert sorted(entry["path"] for entry in manifest["files"]) == sorted(
        [f"media/{name}" for name in files_under(folders["media"])]
        + [f"private/{name}" for name in files_under(folders["private"])])
    assert names == {DUMP, MANIFEST, *(entry["path"] for entry in manifest["files"])}

    result = restore(archive=archive, database=empty_database, media_root=folders["new_media"],
                     private_root=folders["new_private"])

    assert contents(empty_database) == source
    assert files_under(folders["new_media"]) == files_under(folders["media"])
    assert files_under(folders["new_private"]) == files_under(folders["private"])
    assert (result.tables, result.rows, result.files) == (
        len(source), sum(count for count, _ in source.values()), 5)


def test_restore_refuses_a_database_that_is_not_empty_and_writes_nothing(folders):
    portal_data()
    archive = backup_create(destination=folders["backups"])
    before = contents(server_conninfo(connection.settings_dict["NAME"]))

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--database", server_conninfo(connection.settings_dict["NAME"]),
                     "--media-root", str(folders["new_media"]), "--private-root", str(folders["new_private"]))

    refusal = zh("The database is not empty (%(count)s objects): restore only into an empty database, "
                 "created for the purpose.", count="NUMBER")
    assert re.fullmatch(re.escape(refusal).replace("NUMBER", r"[1-9]\d*"), str(refused.value))
    assert contents(server_conninfo(connection.settings_dict["NAME"])) == before
    assert not folders["new_media"].exists() and not folders["new_private"].exists()


def test_restore_refuses_a_folder_that_is_not_empty_before_touching_the_database(folders, empty_database):
    portal_data()
    archive = backup_create(destination=folders["backups"])
    folders["new_private"].mkdir(parents=True)
    (folders["new_private"] / "old.txt").write_bytes(b"already here")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--database", empty_database,
                     "--media-root", str(folders["new_media"]), "--private-root", str(folders["new_private"]))

    assert str(refused.value) == zh("The folder %(folder)s is not empty: restore the files only into empty "
                                    "folders.") % {"folder": folders["new_private"]}
    assert contents(empty_database) == {}
    assert files_under(folders["new_private"]) == {"old.txt": b"already here"}


def test_a_damaged_file_in_the_archive_fails_the_restore_check(folders, empty_database, tmp_path):
    portal_data()
    archive = backup_create(destination=folders["backups"])
    # The same archive with one private file's bytes changed (same size), as a bad disk would.
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("private/") and member.name.endswith(".jpg") and "thumbs" not in member.name:
                victim = member.name
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            copy.addfile(member, io.BytesIO(data))

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(damaged), "--database", empty_database,
                     "--media-root", str(folders["new_media"]), "--private-root", str(folders["new_private"]))

    assert str(refused.value) == zh("The restore does not match the backup's manifest: %(problems)s") % {
        "problems": zh("file %(path)s differs") % {"path": victim}}


def test_the_backup_command_prints_the_archive_it_wrote(folders, capsys):
    call_command("backup", "--destination", str(folders["backups"]))
    written = capsys.readouterr().out.strip()
    assert [p.as_posix() for p in folders["backups"].iterdir()] == [written]


def test_pruning_keeps_7_daily_4_weekly_and_12_monthly_archives_and_nothing_else_is_touched(tmp_path):
    # An archive each night at 02:00 for 400 nights up to Tuesday 2 June 2026, and a second one that day.
    last = datetime(2026, 6, 2, 2, 0)
    names = [f"backup-{last - timedelta(days=d):%Y%m%d-%H%M%S}.tar" for d in range(400)]
    names.append("backup-20260602-120000.tar")
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_bytes(b"mine")

    deleted = backups_prune(folder=tmp_path)

    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(deleted) == len(names) - (len(kept) - 1)
    assert kept == sorted([
        "notes.txt",
        # the last 7 days (the newest of 2 June)
        "backup-20260602-120000.tar", "backup-20260601-020000.tar", "backup-20260531-020000.tar",
        "backup-20260530-020000.tar", "backup-20260529-020000.tar", "backup-20260528-020000.tar",
        "backup-20260527-020000.tar",
        # the newest of each of the last 4 ISO weeks (Sundays; the current week's is 2 June's)
        "backup-20260524-020000.tar", "backup-20260517-020000.tar",
        # the newest of each of the last 12 months (June and May 2026 are kept above)
        "backup-20260430-020000.tar", "backup-20260331-020000.tar", "backup-20260228-020000.tar",
        "backup-20260131-020000.tar", "backup-20251231-020000.tar", "backup-20251130-020000.tar",
        "backup-20251031-020000.tar", "backup-20250930-020000.tar", "backup-20250831-020000.tar",
        "backup-20250731-020000.tar",
    ])
