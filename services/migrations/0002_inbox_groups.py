"""Inbox staff groups: 管家客服 (agents) answer tickets; 管家主管 (supervisors) also get the
digest of unassigned tickets and manage canned replies and deadlines."""

from django.db import migrations

from xiangcheng.core.roles import group_grant, group_remove

GROUPS = {
    "管家客服": ["view_ticket", "change_ticket", "view_cannedreply", "view_ticketmessage",
               "view_attachment", "view_ticketchange"],
    "管家主管": ["view_ticket", "change_ticket", "supervise_ticket", "view_cannedreply", "add_cannedreply",
               "change_cannedreply", "delete_cannedreply", "view_categorysla", "change_categorysla",
               "add_categorysla", "view_ticketmessage", "view_attachment", "view_ticketchange", "view_notice"],
}


def create_groups(apps, schema_editor):
    for name, codenames in GROUPS.items():
        group_grant(apps, app_label="services", name=name, codenames=codenames)


def remove_groups(apps, schema_editor):
    for name in GROUPS:
        group_remove(apps, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
