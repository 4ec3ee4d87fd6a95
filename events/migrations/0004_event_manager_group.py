"""The 活动管理员 (event manager) group was created here; staff groups now come from the roles registry
(xiangcheng.core.roles), which sets every group's permissions after each migrate."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_events_registrations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = []
