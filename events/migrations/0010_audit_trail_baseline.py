"""Existing events and registrations enter the audit trail with their state now (``baseline``), so
the first change after this migration shows what it changed from."""

from django.db import migrations

from xiangcheng.core.audit import record_baseline


def baseline(apps, schema_editor):
    record_baseline(apps, "events", "Event")
    record_baseline(apps, "events", "Registration")


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0009_audit_trail"),
    ]

    operations = [
        migrations.RunPython(baseline, migrations.RunPython.noop),
    ]
