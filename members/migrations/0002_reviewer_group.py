"""The 审核员 (reviewer) group: may read member profiles and approve or reject them, nothing more."""

from django.db import migrations

from xiangcheng.core.roles import group_grant, group_remove

GROUP = "审核员"
PERMISSIONS = ["view_memberprofile", "review_memberprofile", "view_reviewdecision"]


def create_group(apps, schema_editor):
    group_grant(apps, app_label="members", name=GROUP, codenames=PERMISSIONS)


def remove_group(apps, schema_editor):
    group_remove(apps, name=GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
