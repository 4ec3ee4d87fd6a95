"""The 活动管理员 (event manager) group: runs events, registrations and check-in, nothing else."""

from django.db import migrations

from xiangcheng.core.roles import group_grant, group_remove

GROUP = "活动管理员"
PERMISSIONS = [
    "view_programme",
    "view_venue", "add_venue", "change_venue",
    "view_event", "add_event", "change_event",
    "view_registration", "change_registration", "checkin_registration",
    "view_notification",
]


def create_group(apps, schema_editor):
    group_grant(apps, app_label="events", name=GROUP, codenames=PERMISSIONS)


def remove_group(apps, schema_editor):
    group_remove(apps, name=GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_events_registrations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
