from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_kernel_rows(sender, apps=global_apps, **kwargs) -> None:
    """After every migrate and every flush (a flush passes no ``apps``): the five programmes exist, and every staff
    group holds exactly what the roles registry grants it."""
    from .programmes import programmes_ensure
    from .roles import roles_sync

    try:
        programme = apps.get_model("core", "Programme")
    except LookupError:  # migrated back before the kernel's tables exist
        return
    programmes_ensure(programme)
    roles_sync(apps)


class CoreConfig(AppConfig):
    name = "xiangcheng.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        post_migrate.connect(_ensure_kernel_rows, sender=self, dispatch_uid="core-kernel-rows")
        from .timestamps_read import timestamps_read_in_c

        connection_created.connect(timestamps_read_in_c, dispatch_uid="core-timestamps-read")
        # Every table's version, which kept staff pages name (table_versions.py).
        from .table_versions import versions_install

        post_migrate.connect(versions_install, sender=self, dispatch_uid="core-table-versions")
        # The outbox enqueues its delivery task by name; the web process must know it too. The
        # staff dashboard's monthly report (reports.py) declares its notice kind.
        from . import (
            reports,  # noqa: F401
            tasks,  # noqa: F401
        )
        from .sms import sms_configuration_check

        # Web server, Celery and manage.py all set Django up: a provider backend without its
        # credentials or template codes stops each of them here instead of failing per message.
        sms_configuration_check()

        # Retention: the outbox's finished notices (each app registers its own purges).
        from .retention import retention_purge

        retention_purge(key="notices", period="notices_days", purge="xiangcheng.core.retention.notices_purge",
                        label=_("finished notices"), order=10)

        # Stories (科创故事): their sections on home and programme pages, demo and bulk data.
        from . import story_admin, story_sections  # noqa: F401 - story_admin registers the stories' admin
        from .bulk import bulk_loader
        from .demo import demo_loader

        story_sections.register()
        demo_loader(key="stories", load="xiangcheng.core.story_demo.demo_load", order=12)
        bulk_loader(key="stories", load="xiangcheng.core.story_bulk.bulk_load", order=50)

        # Free text (XSS corpus, #13): every free-text field is saved without the invisible
        # characters that reorder or hide text (plain_text.py).
        from django.db.models.signals import pre_save

        from .plain_text import invisible_strip_on_save

        pre_save.connect(invisible_strip_on_save, dispatch_uid="core-invisible-strip")
