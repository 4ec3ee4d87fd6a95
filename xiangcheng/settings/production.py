"""Production: every secret and address comes from the environment; no defaults for secrets."""

from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SMS_BACKEND, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# Staff always need two-factor authentication in production, whatever the environment says.
STAFF_MFA_REQUIRED = True
# The development and test backends would log login codes (or keep them in memory) and send
# nothing: a production process refuses to start with either.
DEVELOPMENT_SMS_BACKENDS = {"xiangcheng.core.sms.ConsoleBackend", "xiangcheng.core.sms.LocmemBackend"}
if SMS_BACKEND in DEVELOPMENT_SMS_BACKENDS:
    raise ImproperlyConfigured(
        f"SMS_BACKEND is {SMS_BACKEND!r}, a development backend that sends nothing. "
        "Set SMS_BACKEND to the SMS provider's backend in production."
    )
# Uploads under MEDIA_URL are served by the reverse proxy (docs/operations.md), never by Django.
SERVE_MEDIA = False
# Demo accounts with a published password must never reach the real database.
DEMO_DATA_ALLOWED = False
BULK_DATA_ALLOWED = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer probes each node's health endpoints over plain HTTP (docs/operations.md).
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def _email_from_url(url: str) -> dict:
    """EMAIL_URL=smtp://user:password@host:587 (smtp+ssl:// for implicit TLS)."""
    parts = urlparse(url)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtp+ssl" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
        "EMAIL_USE_TLS": parts.scheme == "smtp",
    }


globals().update(_email_from_url(env.str("EMAIL_URL")))
EMAIL_TIMEOUT = 30  # well under the outbox lease, so a hung send is not sent twice
