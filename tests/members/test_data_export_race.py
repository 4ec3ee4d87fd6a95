"""我的数据, one export at a time under a real race: members who press "prepare" several times at
once (two tabs, a double tap) get one export, the others a clear refusal. The partial unique
constraint is the protection; with it dropped the same race writes one export per press."""

import pytest
from django.db import connection

from members.data_exports import DataExportError, export_request
from members.models import DataExport, User
from tests.concurrency import pool_for_threads, race
from tests.factories import UserFactory
from tests.members.data_export_support import private_storage_at

THREADS = 4
_pool_for_every_thread = pool_for_threads(THREADS)


@pytest.fixture
def her(settings, tmp_path):
    private_storage_at(settings, tmp_path / "private")
    return UserFactory(username="lin")


def _press(user_id: int) -> DataExport:
    return export_request(user=User.objects.get(pk=user_id))


def test_presses_at_the_same_instant_write_one_export(her):
    results, errors = race(_press, [(her.pk,)] * THREADS)

    assert len(results) == 1
    assert [type(error) for error in errors] == [DataExportError] * (THREADS - 1)
    assert DataExport.objects.filter(user=her).count() == 1


def test_without_the_constraint_the_same_race_writes_one_export_per_press(her):
    constraint = next(c for c in DataExport._meta.constraints if c.name == "data_export_one_in_flight")
    with connection.schema_editor() as editor:
        editor.remove_constraint(DataExport, constraint)
    try:
        results, errors = race(_press, [(her.pk,)] * THREADS)
        assert (len(results), errors) == (THREADS, [])
        assert DataExport.objects.filter(user=her).count() == THREADS
    finally:
        DataExport.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(DataExport, constraint)
