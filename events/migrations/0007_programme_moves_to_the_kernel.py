"""Events now point at the kernel's Programme (the same table, renamed; no data moves)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_outbox_channels_sent"),
        ("core", "0001_programme_moves_to_the_kernel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="programme",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events",
                                            to="core.programme", verbose_name="programme"),
                ),
                migrations.DeleteModel(name="Programme"),
            ],
            database_operations=[],
        ),
    ]
