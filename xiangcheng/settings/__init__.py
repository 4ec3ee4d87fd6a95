"""Settings modules: base (shared), local (make run), test (make test), production.

Every entry point (manage.py, wsgi, asgi, the Celery app) takes DJANGO_SETTINGS_MODULE from the
environment and, without it, the one default below: production. A server started without the
variable therefore never runs with development settings (DEBUG, console SMS, a known secret
key); it refuses to start and asks for its secrets instead. Development entry points (`make run`,
`make test`, `python -m xiangcheng.devstack`) name local or test themselves.
"""

import os

DEFAULT_SETTINGS_MODULE = "xiangcheng.settings.production"


def settings_module_default() -> None:
    """Use the default settings module unless the environment names one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
