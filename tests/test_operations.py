"""How the processes start: one settings default for every entry point, and the production
settings refuse what would be unsafe there (development SMS backends, media served by Django,
demo data).

Each check runs the real entry point in a fresh interpreter with only the environment given,
as a server would start it.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import production_environment

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = production_environment()
# Which settings each entry point loaded, and the broker its Celery app would use.
PROBE = ("from django.conf import settings; from xiangcheng import celery_app; "
         "print(settings.SETTINGS_MODULE, settings.DEBUG, celery_app.conf.broker_url)")
ENTRY_POINTS = {
    "manage.py": ["manage.py", "shell", "--no-imports", "-c", PROBE],
    "celery": ["-c", "from xiangcheng.celery import app; app.loader.import_default_modules(); " + PROBE],
    "wsgi": ["-c", "import xiangcheng.wsgi; " + PROBE],
    "asgi": ["-c", "import xiangcheng.asgi; " + PROBE],
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_without_the_variable_every_entry_point_loads_the_production_settings(entry):
    result = run(ENTRY_POINTS[entry], PRODUCTION_ENV)
    assert (result.returncode, result.stdout.strip()) == (
        0, "xiangcheng.settings.production False redis://cache.example.cn:6379/0"), result.stderr


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_an_entry_point_started_with_no_environment_refuses_to_start_rather_than_run_in_debug(entry):
    result = run(ENTRY_POINTS[entry], {"PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "Set the DJANGO_SECRET_KEY environment variable" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_variable_chooses_the_same_settings_for_every_entry_point(entry):
    result = run(ENTRY_POINTS[entry], {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.local"})
    assert (result.returncode, result.stdout.strip()) == (
        0, "xiangcheng.settings.local True redis://cache.example.cn:6379/0"), result.stderr


# What a worker has ready before its first request, and that it has not connected to anything.
READY = ("import sys, xiangcheng.wsgi; from django.urls import get_resolver; from django.db import connection; "
         "print(get_resolver()._populated, 'events.views' in sys.modules, connection.connection is None)")


def test_a_web_worker_imports_every_view_before_its_first_request_without_connecting():
    result = run(["-c", READY], PRODUCTION_ENV)
    assert (result.returncode, result.stdout.strip()) == (0, "True True True"), result.stderr


def test_a_web_worker_reads_the_release_of_its_kept_fragments_before_its_first_request():
    probe = ("import xiangcheng.wsgi; from xiangcheng.core.fragments import release; "
             "print(release.cache_info().currsize, release.cache_info().misses)")
    result = run(["-c", probe], PRODUCTION_ENV)
    assert (result.returncode, result.stdout.strip()) == (0, "1 1"), result.stderr


def test_a_web_worker_freezes_what_start_up_made_out_of_the_garbage_collectors_walks():
    probe = ("import gc, xiangcheng.wsgi; "
             "print(gc.get_freeze_count() > 100_000, len(gc.get_objects()) < gc.get_freeze_count() // 100)")
    result = run(["-c", probe], PRODUCTION_ENV)
    assert (result.returncode, result.stdout.strip()) == (0, "True True"), result.stderr


@pytest.mark.parametrize("backend", [None, "xiangcheng.core.sms.ConsoleBackend", "xiangcheng.core.sms.LocmemBackend"],
                         ids=["unset", "console", "locmem"])
def test_production_refuses_to_start_with_a_development_sms_backend(backend):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SMS_BACKEND"}
    if backend:
        env["SMS_BACKEND"] = backend
    result = run(["manage.py", "check"], {**env, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"})
    assert result.returncode == 1
    shown = backend or "xiangcheng.core.sms.ConsoleBackend"
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: SMS_BACKEND is '{shown}', a development backend that "
        "sends nothing. Set SMS_BACKEND to the SMS provider's backend in production.")


def test_production_starts_with_a_provider_sms_backend():
    result = run(["manage.py", "check"], {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"})
    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (2 silenced)."), \
        result.stderr


# --- /media/ ----------------------------------------------------------------------------------

MEDIA_PROBE = ("from django.urls import Resolver404, resolve\n"
               "try:\n    print(resolve('/media/avatars/a.jpg').url_name)\n"
               "except Resolver404:\n    print('not routed')")


@pytest.mark.parametrize(("module", "routed"), [
    ("xiangcheng.settings.production", "not routed"),
    ("xiangcheng.settings.local", "media"),
])
def test_django_serves_media_in_development_and_never_in_production(module, routed):
    result = run(["manage.py", "shell", "--no-imports", "-c", MEDIA_PROBE], {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": module})
    assert (result.returncode, result.stdout.strip()) == (0, routed), result.stderr


@pytest.mark.django_db
def test_in_tests_an_uploaded_photo_is_served_from_the_media_folder_of_the_moment(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "avatars").mkdir(parents=True)
    (tmp_path / "media" / "avatars" / "a.jpg").write_bytes(b"photo")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "b.pdf").write_bytes(b"private")

    photo = client.get("/media/avatars/a.jpg")

    assert (photo.status_code, b"".join(photo.streaming_content)) == (200, b"photo")
    assert client.get("/media/b.pdf").status_code == 404
    assert client.get("/media/../private/b.pdf").status_code == 400  # a path out of the folder is refused


# --- demo data ---------------------------------------------------------------------------------

def test_seed_demo_refuses_to_run_with_production_settings():
    result = run(["manage.py", "seed_demo"], {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "CommandError: seed_demo refuses to run with xiangcheng.settings.production: demo accounts with a "
        "published password must not reach a production database.")
    assert result.stdout == ""


@pytest.mark.django_db
def test_seed_demo_writes_nothing_where_demo_data_is_not_allowed(settings):
    from django.core.management import CommandError, call_command

    from members.models import User

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert User.objects.count() == 0
