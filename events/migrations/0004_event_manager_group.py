"""The 活动管理员 (event manager) group: runs events, registrations and check-in, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "活动管理员"
PERMISSIONS = [
    "view_programme",
    "view_venue", "add_venue", "change_venue",
    "view_event", "add_event", "change_event",
    "view_registration", "change_registration", "checkin_registration",
    "view_notification",
]


def create_group(apps, schema_editor):
    config = apps.get_app_config("events")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="events", codename__in=PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_events_registrations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
