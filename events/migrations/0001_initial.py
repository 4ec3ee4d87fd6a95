from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Programme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=20, unique=True, verbose_name="name")),
                ("slug", models.SlugField(max_length=30, unique=True, verbose_name="slug")),
                ("slogan", models.CharField(max_length=60, verbose_name="slogan")),
                ("description", models.TextField(verbose_name="description")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("colour", models.CharField(default="#c2185b", help_text="A hex colour such as #c2185b, used for the programme's card.", max_length=7, verbose_name="colour")),
                ("icon", models.CharField(help_text="One character shown on the card.", max_length=4, verbose_name="icon")),
            ],
            options={"verbose_name": "programme", "verbose_name_plural": "programmes", "ordering": ["order", "pk"]},
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(condition=models.Q(colour__regex="^#[0-9a-fA-F]{6}$"), name="programme_colour_hex"),
        ),
    ]
