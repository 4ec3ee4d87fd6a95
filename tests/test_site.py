"""Site-wide: production settings pass Django's deployment checks; error pages are ours."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from tests.helpers import production_environment

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_checks():
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (2 silenced).")


def test_production_refuses_to_start_without_a_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production",
           "DJANGO_ALLOWED_HOSTS": "portal.example.cn", "EMAIL_URL": "smtp://smtp.example.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "KeyError: 'DJANGO_SECRET_KEY'" in result.stderr


@pytest.mark.django_db
def test_an_unknown_page_answers_our_404_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    with translation.override("zh-hans"):
        assert translation.gettext("Page not found") in response.content.decode()
