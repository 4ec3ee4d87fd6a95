"""The five programmes of the district plan 数智相城 科技她创. Staff may edit them later."""

from django.db import migrations

from xiangcheng.core.programmes import PROGRAMMES, programmes_ensure


def create(apps, schema_editor):
    programmes_ensure(apps.get_model("events", "Programme"))


def remove(apps, schema_editor):
    apps.get_model("events", "Programme").objects.filter(
        slug__in=[p[1] for p in PROGRAMMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
