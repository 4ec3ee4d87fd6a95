"""Every SMS template is listed for registration with the provider."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APPS = ["members", "events", "services", "matching", "xiangcheng"]


def test_every_module_that_declares_a_template_is_listed_in_settings():
    declaring = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in APPS for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and re.search(r"\bsms_template\(", path.read_text())
        and path != ROOT / "xiangcheng" / "core" / "sms.py"
    )
    assert declaring == sorted(settings.SMS_TEMPLATE_MODULES)


def test_sms_templates_command_lists_each_template_with_its_wording(capsys, settings):
    settings.SMS_TEMPLATE_CODES = {"verification_code": "SMS_100000001"}
    call_command("sms_templates")
    out = capsys.readouterr().out
    assert "verification_code\n  SMS_TEMPLATE_VERIFICATION_CODE=SMS_100000001\n  parameters: code\n" in out
    assert "password_reset_code\n  SMS_TEMPLATE_PASSWORD_RESET_CODE=(not set)\n" in out
    assert "${code}" in out
