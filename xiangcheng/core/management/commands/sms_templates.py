"""List every SMS template the portal may send, with the wording to register with the provider."""

import re

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from xiangcheng.core.sms import templates_declared


def provider_wording(text: str) -> str:
    """Our ``{param}`` placeholders in the providers' ``${param}`` spelling."""
    return re.sub(r"\{(\w+)\}", r"${\1}", text)


class Command(BaseCommand):
    help = "Lists the SMS templates to register with the provider, and the variable naming each one's code."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            for name, template in templates_declared().items():
                env = f"SMS_TEMPLATE_{name.upper()}"
                code = settings.SMS_TEMPLATE_CODES.get(name) or "(not set)"
                self.stdout.write(f"{name}\n  {env}={code}\n"
                                  f"  parameters: {', '.join(template.params) or '-'}\n"
                                  f"  wording: {provider_wording(str(template.text))}\n")
