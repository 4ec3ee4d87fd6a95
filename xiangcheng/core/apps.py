from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xiangcheng.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .sms import sms_configuration_check

        # Web server, Celery and manage.py all set Django up: a provider backend without its
        # credentials or template codes stops each of them here instead of failing per message.
        sms_configuration_check()
