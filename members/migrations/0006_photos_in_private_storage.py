"""Member photos move from public media to the private storage, served only by a view that
checks who asks. Existing files are moved under the same name: copied first, the public copy
deleted only once the private one exists, so running it again (or after a failure) is safe."""

import logging

from django.core.files.storage import storages
from django.db import migrations, models

import members.models

logger = logging.getLogger(__name__)


def _move_photos(source_alias: str, target_alias: str):
    def move(apps, schema_editor):
        source, target = storages[source_alias], storages[target_alias]
        profiles = apps.get_model("members", "MemberProfile").objects.exclude(avatar="", avatar_thumb="")
        moved = 0
        for pair in profiles.values_list("avatar", "avatar_thumb"):
            for name in filter(None, pair):
                if not source.exists(name):
                    continue
                if not target.exists(name):
                    with source.open(name, "rb") as content:
                        if target.save(name, content) != name:
                            raise RuntimeError(f"{name} could not keep its name in the {target_alias} storage")
                source.delete(name)
                moved += 1
        logger.info("Moved %d member photo files from %s to %s storage", moved, source_alias, target_alias)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0005_decision_notices_move_to_the_kernel"),
    ]

    operations = [
        migrations.AlterField(
            model_name="memberprofile",
            name="avatar",
            field=models.ImageField(blank=True, storage=members.models.photo_storage,
                                    upload_to=members.models._avatar_path, verbose_name="photo"),
        ),
        migrations.AlterField(
            model_name="memberprofile",
            name="avatar_thumb",
            field=models.ImageField(blank=True, storage=members.models.photo_storage,
                                    upload_to=members.models._thumb_path, verbose_name="photo thumbnail"),
        ),
        migrations.RunPython(_move_photos("default", "private"), _move_photos("private", "default"),
                             elidable=True),
    ]
