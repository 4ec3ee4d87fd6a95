from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking the outbox's writes to a table of millions of notices.
    atomic = False

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0009_audit_newest_first'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='notice',
            index=models.Index(condition=models.Q(('read_at__isnull', True), ('staff_only', False), ('state', 'sent')),
                               fields=['recipient'], name='notice_unread'),
        ),
    ]
