"""Inbox staff groups: 管家客服 (agents) answer tickets; 管家主管 (supervisors) also get the
digest of unassigned tickets and manage canned replies and deadlines."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "管家客服": ["view_ticket", "change_ticket", "view_cannedreply", "view_ticketmessage",
               "view_attachment", "view_ticketchange"],
    "管家主管": ["view_ticket", "change_ticket", "supervise_ticket", "view_cannedreply", "add_cannedreply",
               "change_cannedreply", "delete_cannedreply", "view_categorysla", "change_categorysla",
               "add_categorysla", "view_ticketmessage", "view_attachment", "view_ticketchange", "view_notice"],
}


def create_groups(apps, schema_editor):
    config = apps.get_app_config("services")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="services", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
