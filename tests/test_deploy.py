"""The configuration in deploy/ stays in step with the code: every variable the settings read is
in the environment template, nginx takes the largest form the file gate accepts and never serves
the private files, every proxied request carries the client's address the way the portal reads
it, gunicorn's configuration loads, and every Celery queue has its worker unit."""

import math
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from bench.stack import WORKER_NICENESS
from services.attachments import MAX_FILES
from tests.helpers import production_environment
from xiangcheng.core import files
from xiangcheng.core.sms import templates_declared

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "xiangcheng.conf").read_text()
ENV_TEMPLATE = (DEPLOY / "env.example").read_text()
# The settings a production process loads, and gunicorn's; test.py and local.py are not deployed.
READERS = [ROOT / "xiangcheng" / "settings" / "base.py", ROOT / "xiangcheng" / "settings" / "production.py",
           DEPLOY / "gunicorn.conf.py"]


def template_values() -> dict[str, str]:
    """Each variable of the template, set or shown commented out with its default."""
    return dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", ENV_TEMPLATE, re.M))


def nginx_directives(text: str = NGINX) -> str:
    """The configuration without its comments."""
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def server_blocks() -> list[str]:
    """The text of each top-level ``server { … }`` block."""
    text, blocks = nginx_directives(), []
    for match in re.finditer(r"^server \{", text, re.M):
        depth, i = 0, match.start()
        while True:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
            if depth == 0 and text[i - 1] == "}":
                break
        blocks.append(text[match.start():i])
    return blocks


# --- the environment template ------------------------------------------------------------------

def test_the_environment_template_lists_every_variable_the_settings_read():
    read = set()
    for path in READERS:
        read |= set(re.findall(r"""(?:env\.\w+|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""", path.read_text()))
    read |= {f"SMS_TEMPLATE_{name.upper()}" for name in templates_declared()}
    read.add("DJANGO_SETTINGS_MODULE")

    listed = set(template_values())

    assert read - listed == set()
    assert listed - read == set()


def test_the_template_runs_the_production_settings_behind_one_proxy():
    values = template_values()
    assert values["DJANGO_SETTINGS_MODULE"] == "xiangcheng.settings.production"
    # nginx appends once (below); a layer-7 load balancer in front would make it 2 (docs/operations.md).
    assert values["DJANGO_TRUSTED_PROXY_COUNT"] == "1"


# --- nginx -------------------------------------------------------------------------------------

def test_nginx_takes_the_largest_form_the_portal_accepts_and_no_more():
    largest_file_form = MAX_FILES * files.ATTACHMENT.max_bytes  # an inbox message with its files
    limit_mb = math.ceil(largest_file_form / files.MB) + 1  # and a megabyte for its text and framing
    uses = [files.AVATAR, files.POSTER, files.ATTACHMENT]

    assert re.findall(r"client_max_body_size (\d+)m;", nginx_directives()) == [str(limit_mb)]
    assert all(use.max_bytes < limit_mb * files.MB for use in uses)


def test_nginx_serves_the_posters_folder_and_never_the_private_one():
    values = template_values()
    served = re.findall(r"^\s*(?:alias|root) (\S+);", nginx_directives(), re.M)

    assert served == [values["DJANGO_MEDIA_ROOT"] + "/"]
    assert not any(path.startswith(values["DJANGO_PRIVATE_MEDIA_ROOT"]) for path in served)
    assert values["DJANGO_S3_PRIVATE_BUCKET"] not in NGINX


def test_every_proxied_request_carries_the_client_address_and_scheme_as_the_portal_reads_them():
    headers = {"X-Forwarded-For": "$proxy_add_x_forwarded_for", "X-Forwarded-Proto": "$scheme"}
    proxied = 0
    for server in server_blocks():
        server_level = re.sub(r"location [^{]*\{[^}]*\}", "", server)
        for location in re.findall(r"location [^{]*\{[^}]*\}", server):
            if "proxy_pass http://xiangcheng_web" not in location:
                continue
            proxied += 1
            # nginx inherits the server's proxy_set_header lines only into a location that sets none.
            own = re.findall(r"proxy_set_header (\S+) (\S+);", location)
            given = dict(own or re.findall(r"proxy_set_header (\S+) (\S+);", server_level))
            assert {name: given.get(name) for name in headers} == headers, location

    assert proxied == 3  # pages, and /health/ on each port


def test_the_health_probe_over_plain_http_reaches_the_portal_and_nothing_else_does():
    plain = next(s for s in server_blocks() if re.search(r"listen 80 ", s))
    locations = dict(re.findall(r"location (\S+) \{([^}]*)\}", plain))

    assert set(locations) == {"/health/", "/"}
    assert "proxy_pass http://xiangcheng_web;" in locations["/health/"]
    assert "deny all;" in locations["/health/"]
    assert locations["/"].split() == ["return", "301", "https://portal.example.cn$request_uri;"]
    assert "portal.example.cn" in template_values()["DJANGO_ALLOWED_HOSTS"].split(",")


# --- gunicorn, systemd ----------------------------------------------------------------------------

def test_gunicorn_loads_its_configuration_and_the_application_with_the_production_settings():
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py",
                             "xiangcheng.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_queue_has_its_worker_unit_and_one_beat_runs():
    unit = (DEPLOY / "systemd" / "xiangcheng-worker@.service").read_text()
    worker = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    enabled = re.findall(r"xiangcheng-worker@(\w+)", (ROOT / "docs" / "operations.md").read_text())

    assert worker[worker.index("-Q") + 1] == "%i"  # the instance name is its queue
    assert set(enabled) == {q.name for q in settings.CELERY_TASK_QUEUES}
    beat = re.findall(r"^ExecStart=.* beat .*$", "".join(p.read_text() for p in (DEPLOY / "systemd").iterdir()), re.M)
    assert len(beat) == 1


def test_a_worker_runs_below_the_web_and_the_benchmark_runs_it_as_deployed():
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").iterdir()}
    niceness = {name: re.findall(r"^Nice=(-?\d+)$", text, re.M) for name, text in units.items()}
    assert niceness == {"xiangcheng-worker@.service": [str(WORKER_NICENESS)], "xiangcheng-web.service": [],
                        "xiangcheng-beat.service": []}
