"""The 审核员 (reviewer) group: may read member profiles and approve or reject them, nothing more."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "审核员"
PERMISSIONS = ["view_memberprofile", "review_memberprofile", "view_reviewdecision"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    config = apps.get_app_config("members")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="members", codename__in=PERMISSIONS)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
