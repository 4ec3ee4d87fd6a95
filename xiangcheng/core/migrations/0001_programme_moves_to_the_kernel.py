"""Programme moves from events to the kernel: same rows, same ids, the table renamed.

The model's state is created here without touching the database, the existing table is renamed,
and its content type (with the permissions staff groups hold) follows it.
"""

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="events", model="programme").first()
    if old is None:
        return
    ContentType.objects.filter(app_label="core", model="programme").delete()
    old.app_label = "core"
    old.save(update_fields=["app_label"])


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="programme").update(app_label="events")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0006_outbox_channels_sent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Programme",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("name", models.CharField(max_length=20, unique=True, verbose_name="name")),
                        ("slug", models.SlugField(max_length=30, unique=True, verbose_name="slug")),
                        ("slogan", models.CharField(max_length=60, verbose_name="slogan")),
                        ("description", models.TextField(verbose_name="description")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                        ("colour", models.CharField(
                            default="#c2185b", help_text="A hex colour such as #c2185b, used for the programme's card.",
                            max_length=7, verbose_name="colour")),
                        ("icon", models.CharField(help_text="One character shown on the card.", max_length=4,
                                                  verbose_name="icon")),
                    ],
                    options={
                        "verbose_name": "programme",
                        "verbose_name_plural": "programmes",
                        "ordering": ["order", "pk"],
                        "constraints": [models.CheckConstraint(
                            condition=models.Q(("colour__regex", "^#[0-9a-fA-F]{6}$")),
                            name="programme_colour_hex")],
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE events_programme RENAME TO core_programme",
                    "ALTER TABLE core_programme RENAME TO events_programme",
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
