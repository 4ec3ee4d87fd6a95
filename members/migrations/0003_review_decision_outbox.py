"""A review decision is also the outbox row of the member's notice (claimed, sent once)."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0002_reviewer_group")]

    operations = [
        migrations.AddField(
            model_name="reviewdecision", name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="created at"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="reviewdecision", name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        # Decisions made before the outbox existed were notified already.
        migrations.AddField(
            model_name="reviewdecision", name="sent_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="sent at"),
        ),
        migrations.RunSQL("UPDATE members_reviewdecision SET sent_at = decided_at", migrations.RunSQL.noop),
        migrations.AddField(
            model_name="reviewdecision", name="skipped",
            field=models.BooleanField(default=False, help_text="Not sent because it no longer applied when its turn came.", verbose_name="skipped"),
        ),
        migrations.AddField(
            model_name="reviewdecision", name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="reviewdecision", name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
    ]
