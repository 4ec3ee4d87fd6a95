"""Development: `make run`. Embedded Postgres and Redis are pointed to by the environment."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo's staff logins work without an authenticator app unless asked for; `make run` says so.
STAFF_MFA_REQUIRED = env.bool("DJANGO_STAFF_MFA_REQUIRED", default=False)
# Uploaded photos and posters from /media/, as the reverse proxy serves them in production.
SERVE_MEDIA = True
