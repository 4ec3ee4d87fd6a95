"""Settings shared by every environment. Values that differ come from the environment."""

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# The one reader of the environment for every settings module (and Celery, and manage.py).
env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "csp",
    "xiangcheng.core.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The audit trail: Postgres triggers (pgtrigger) write every tracked change (pghistory).
    "pgtrigger",
    "pghistory",
    "xiangcheng.core",
    "members",
    "events",
    "services",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with her account read as the request arrives rather than behind a lazy proxy.
    "members.backends.SignedInMiddleware",
    # Tags every audited change made during a request with the signed-in user and the path.
    "xiangcheng.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.staff_mfa.StaffMfaMiddleware",
    # Last, so it sees the views' exceptions first: Redis down → 503, allauth's RateLimited → 429.
    "xiangcheng.core.unavailable.UnavailableMiddleware",
]

# Audit events are stamped with the time of the change itself, not the start of its transaction,
# so the changes of one transaction (a reply, then the status it moved) keep their order.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"
# An audit row copies the tracked row's timestamps as they are; it never stamps its own time on them.
PGHISTORY_EXCLUDE_FIELD_KWARGS = {"django.db.models.DateField": ["auto_now", "auto_now_add"]}
# The client address behind a reverse proxy (xiangcheng/core/clients.py): how many proxies
# append to CLIENT_IP_HEADER. 0 trusts no header and keys every per-IP limit by REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="X-Forwarded-For")

ROOT_URLCONF = "xiangcheng.urls"
WSGI_APPLICATION = "xiangcheng.wsgi.application"

# The common widgets written without the template engine (xiangcheng/core/form_renderer.py).
FORM_RENDERER = "xiangcheng.core.form_renderer.SiteFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.membership",
                "xiangcheng.core.context_processors.unread_notices",
            ],
            # {% url %} as Django's, its URLs remembered per process (xiangcheng/core/reversed_urls.py).
            "builtins": ["xiangcheng.core.templatetags.reversed_urls"],
            # Django's i18n tags, fixed texts translated once per process and language
            # (xiangcheng/core/templatetags/kept_i18n.py).
            "libraries": {"i18n": "xiangcheng.core.templatetags.kept_i18n"},
        },
    },
]

# One PostgreSQL database; psycopg 3 with its connection pool.
DATABASE_URL = env.str("DATABASE_URL", default="postgresql://postgres@localhost/xiangcheng")
DATABASES = {"default": env.db_url_config(DATABASE_URL, engine="django.db.backends.postgresql")}
# A socket folder given as ?host=/path arrives in OPTIONS; Django wants it as HOST.
if socket_dir := DATABASES["default"].setdefault("OPTIONS", {}).pop("host", None):
    DATABASES["default"]["HOST"] = socket_dir
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": 1,
    "max_size": env.int("DJANGO_DB_POOL_SIZE", default=10),
    "timeout": 10,
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# The SQL written once per process runs as statements PostgreSQL plans once per connection, from
# their first run (xiangcheng/core/prepared_statements.py); Django's own cursors never prepare.
# Off for a pooler that cannot keep prepared statements (PgBouncer before 1.21).
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
    0 if env.bool("DJANGO_DB_PREPARED_STATEMENTS", default=True) else None)


def replica_database(url: str) -> dict:
    """A read replica of the primary (a streaming-replication standby), read-only on our side too."""
    config = env.db_url_config(url, engine="django.db.backends.postgresql")
    options = config.setdefault("OPTIONS", {})
    if socket_dir := options.pop("host", None):
        config["HOST"] = socket_dir
    # A write through this alias fails even where the server would accept it.
    options["options"] = "-c default_transaction_read_only=on"
    # A replica that does not answer is given up on quickly: reports then read the primary.
    options["pool"] = {**DATABASES["default"]["OPTIONS"]["pool"], "timeout": 3}
    options["prepare_threshold"] = DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    options["connect_timeout"] = 2
    config["CONN_MAX_AGE"] = 0
    return config


# Reports and the dashboard may read a replica; seats, the inbox and accounts never do: the
# router sends every read and write to "default", and only an explicit
# `.using(reports_database())` (xiangcheng/core/replica.py) reaches the replica.
if DATABASE_REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL)
REPORTS_DATABASE = "replica" if "replica" in DATABASES else "default"
DATABASE_ROUTERS = ["xiangcheng.core.replica.PrimaryRouter"]

REDIS_URL = env.str("REDIS_URL", default="redis://localhost:6379/0")
CACHES = {
    "default": {
        "BACKEND": "xiangcheng.core.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "xc",
    }
}



def celery_broker_url(redis_url: str) -> str:
    """Celery (kombu) spells a Unix-socket Redis as redis+socket://path?virtual_host=db."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    db = dict(parse_qsl(parts.query)).get("db", "0")
    return f"redis+socket://{parts.path}?virtual_host={db}"


CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One queue per kind of work, so a slow report never holds up a login code and each kind can
# have its own workers (docs/operations.md, "Celery queues"). A worker started without -Q
# consumes every queue listed here (make run, make test, make bench).
CELERY_TASK_DEFAULT_QUEUE = "default"  # the periodic scans and clean-ups
# Each its own exchange and key, so a worker's banner names what it consumes.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name)
                      for name in ("default", "notifications", "reports", "matching")]
CELERY_TASK_ROUTES = {
    # The outbox: the delivery of each chunk of notices and the retry of what was left behind.
    "xiangcheng.core.tasks.deliver_notices": {"queue": "notifications"},
    "xiangcheng.core.tasks.deliver_fresh_notices": {"queue": "notifications"},
    "xiangcheng.core.tasks.retry_unsent_notices": {"queue": "notifications"},
    # Reads that summarise many rows.
    "services.tasks.send_daily_digest": {"queue": "reports"},
    "services.tasks.send_request_digest": {"queue": "reports"},  # service requests' weekly digest
    # 遇见's suggestions.
    "matching.tasks.*": {"queue": "matching"},
    # The staff dashboard: its monthly report, and the figures it shows.
    "xiangcheng.core.tasks.build_dashboard_report": {"queue": "reports"},
    "xiangcheng.core.tasks.count_dashboard_figures": {"queue": "reports"},
}
# Periodic work scans for due rows and claims each one; no long ETA/countdown tasks.
CELERY_BEAT_SCHEDULE: dict = {
    "event-reminders": {"task": "events.tasks.scan_reminders", "schedule": 60.0},
    "outbox-retry": {"task": "xiangcheng.core.tasks.retry_unsent_notices", "schedule": 120.0},
    "unverified-accounts-cleanup": {"task": "members.tasks.clean_stale_unverified_accounts",
                                    "schedule": crontab(hour=3, minute=40)},
    "inbox-daily-digest": {"task": "services.tasks.send_daily_digest",
                           "schedule": crontab(hour=8, minute=30, day_of_week="mon-fri")},
    # Service requests (相链她科企): expired after their deadline day; the weekly digest on Monday morning.
    "service-requests-expire": {"task": "services.tasks.expire_service_requests", "schedule": crontab(minute=5)},
    "service-requests-digest": {"task": "services.tasks.send_request_digest",
                                "schedule": crontab(hour=9, minute=0, day_of_week="mon")},
    # Jobs (新城招聘): published jobs whose last day has passed are closed soon after midnight.
    "jobs-close-past": {"task": "services.tasks.close_past_jobs", "schedule": crontab(minute=5)},
    # 遇见: everyone's suggestions recomputed each night (in chunks, on the matching queue).
    "matching-suggestions-nightly": {"task": "matching.tasks.refresh_all_suggestions",
                                     "schedule": crontab(hour=2, minute=30)},
    # 遇见 introductions: requests not accepted within 14 days are recorded as expired.
    "matching-introductions-expire": {"task": "matching.tasks.expire_introductions", "schedule": crontab(minute=15)},
    # Calls (相创她数智): drafts reminded in a call's last days, reviewers told when a call closes, and
    # followers told when a call opens; each scan hourly, each notice once.
    "calls-remind-unsubmitted": {"task": "services.tasks.remind_unsubmitted_call_applications",
                                 "schedule": crontab(minute=20)},
    "calls-remind-reviewers": {"task": "services.tasks.remind_call_reviewers", "schedule": crontab(minute=25)},
    "calls-announce-opened": {"task": "services.tasks.announce_opened_calls", "schedule": crontab(minute=10)},
    # The staff dashboard: the files of monthly reports whose download link has expired are deleted.
    "dashboard-reports-expire": {"task": "xiangcheng.core.tasks.expire_dashboard_reports",
                                 "schedule": crontab(minute=25)},
}
# A worker that died while sending leaves its claim; after this lease another may retry.
OUTBOX_LEASE_SECONDS = 300
# Public pages are rendered once per address and language (and, for members, per set of circles)
# for this long and shared meanwhile (xiangcheng/core/shared_pages.py); 0 renders every request.
SHARED_PAGE_KEPT_SECONDS = env.int("DJANGO_SHARED_PAGE_KEPT_SECONDS", default=30)
# A fresh row is left this long to its own after-commit task before the retry job takes it.
OUTBOX_GRACE_SECONDS = 30
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000")

# Content Security Policy: everything from this site only; no inline script or style anywhere on
# member pages (programme colours come from a generated stylesheet). Django admin ships inline
# styles in some widgets, so it is left to its own defaults.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sessions live in the database and are read from Redis (xiangcheng/core/sessions.py).
SESSION_ENGINE = "xiangcheng.core.sessions"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # Both load the signed-in account with her profile in one query (members/backends.py).
    "members.backends.ModelBackend",
    "members.adapter.PhoneAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email (verified by link) or mainland mobile (verified by code).
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email", "phone", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupConsentForm"
# "optional" for allauth, but members.adapter.EmailVerificationStage makes it mandatory for
# every account that has an email: allauth's own "mandatory" would also demand an email
# from members who join with their mobile number.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_phone": "1/m/user",
    "login": "30/m/ip",
}
ACCOUNT_USER_DISPLAY = "members.adapter.user_display"
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) and recovery codes.
# Staff reach every member's personal data: with STAFF_MFA_REQUIRED a member of staff without
# an authenticator app is sent to set one up before any admin page (members/staff_mfa.py).
# The admin's own login page is replaced by the portal's (xiangcheng/urls.py), so its rate
# limits and the two-factor step apply to staff too.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "相城区女科技工作者联盟"
STAFF_MFA_REQUIRED = env.bool("DJANGO_STAFF_MFA_REQUIRED", default=True)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[相城区女科技工作者联盟] "
# Our sign-up form requires one of email or phone, which allauth's check cannot see. The
# template library named i18n is ours on purpose (TEMPLATES); a test shows it is the only
# library name two modules share.
SILENCED_SYSTEM_CHECKS = ["account.W001", "templates.W003"]
LOGIN_REDIRECT_URL = "members:profile"
LOGIN_URL = "account_login"

# An account that claimed a mobile number and verified nothing in this many days is cleaned
# up (members/phone_numbers.py): deleted if it holds nothing else, else the number is released.
UNVERIFIED_ACCOUNT_DAYS = env.int("UNVERIFIED_ACCOUNT_DAYS", default=7)
# `manage.py seed_demo` may load the demo accounts and their published password (not in production).
DEMO_DATA_ALLOWED = True
# `manage.py seed_bulk` may load the benchmark's bulk accounts, which share a published password.
BULK_DATA_ALLOWED = True
# The benchmark's floor page (/bench/floor/, xiangcheng/core/benchmark.py): a 404 unless a
# benchmark's settings switch it on (xiangcheng/settings/bench.py); never read from the environment.
BENCH_FLOOR = False

# Member-facing rules that staff may want to tune without a code change.
PRIVACY_POLICY_VERSION = env.str("PRIVACY_POLICY_VERSION", default="2026-11")

# Notification channels. SMS goes through a backend chosen here (xiangcheng/core/sms.py):
# xiangcheng.core.sms_aliyun.AliyunBackend sends through Alibaba Cloud SMS.
SMS_BACKEND = env.str("SMS_BACKEND", default="xiangcheng.core.sms.ConsoleBackend")
# The signature (签名) registered with the provider, put in front of every message by the gateway.
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
# Each template's provider code: SMS_TEMPLATE_<NAME>=SMS_123456789 (`manage.py sms_templates`
# lists the names and the wording to register).
SMS_TEMPLATE_CODES = {
    key.removeprefix("SMS_TEMPLATE_").lower(): env.str(key)
    for key in sorted(env.ENVIRON) if key.startswith("SMS_TEMPLATE_")
}
# Connect and read timeout of one provider call, far below OUTBOX_LEASE_SECONDS.
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10)
SMS_ALIYUN = {
    "ACCESS_KEY_ID": env.str("SMS_ALIYUN_ACCESS_KEY_ID", default=""),
    "ACCESS_KEY_SECRET": env.str("SMS_ALIYUN_ACCESS_KEY_SECRET", default=""),
    "ENDPOINT": env.str("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com"),
}
# The modules that declare SMS templates (imported to list or check them all; the kernel
# imports no app by name). tests/core/test_sms_templates.py keeps this list complete.
SMS_TEMPLATE_MODULES = [
    "members.adapter",
    "members.phone_reset",
    "members.notices",
    "events.notices",
    "services.notices",
    "services.request_notices",  # service requests (相链她科企)
    # Organisations: verification decisions, invitations to represent one.
    "members.organisation_notices",
    "members.invitations",
    "services.offering_notices",
    # 遇见 交友 alone: the real-name check's decision.
    "matching.name_check_notices",
]
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@xcwomenstech.cn")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media")))
# Django serves MEDIA_URL itself only in development and tests (xiangcheng/urls.py); in production
# the reverse proxy does.
SERVE_MEDIA = False
# Files only their owner and staff may read (inbox attachments); never under MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(env.str("DJANGO_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}


def object_storages(*, endpoint_url: str, region: str, access_key: str, secret_key: str, bucket: str,
                    public_url: str, private_bucket: str, private_prefix: str, addressing_style: str) -> dict:
    """STORAGES' "default" and "private" on S3-compatible object storage (django-storages).

    Public files (posters) are read at ``public_url`` + their name, never through a signed URL;
    private files (photos, attachments) have no URL at all: the portal's views stream them.
    """
    if not (bucket and private_bucket):
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_STORAGE=s3 needs DJANGO_S3_BUCKET (public files) and DJANGO_S3_PRIVATE_BUCKET.")
    if private_bucket == bucket and not private_prefix.strip("/"):
        raise ImproperlyConfigured(
            "DJANGO_S3_PRIVATE_BUCKET is the public bucket: give the private files their own bucket, "
            "or a DJANGO_S3_PRIVATE_PREFIX that the bucket's public-read policy leaves out.")
    public = urlsplit(public_url)
    connection = {
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,  # none: boto3's own chain (instance role, AWS_* variables)
        "secret_key": secret_key or None,
        "addressing_style": addressing_style or None,
        "file_overwrite": False,  # like the file system: a name in use is never replaced
        "default_acl": None,  # the buckets' policies decide who reads what
        "querystring_auth": False,  # never a signed URL
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**connection, "bucket_name": bucket,
                        "custom_domain": f"{public.netloc}{public.path}".rstrip("/"),
                        "url_protocol": f"{public.scheme}:",
                        # Names are random and never reused: caches may keep them.
                        "object_parameters": {"CacheControl": "public, max-age=604800"}},
        },
        "private": {
            "BACKEND": "xiangcheng.core.object_storage.PrivateObjectStorage",
            "OPTIONS": {**connection, "bucket_name": private_bucket, "location": private_prefix.strip("/")},
        },
    }


# Uploaded files on the file system (one machine, or a shared folder) or, with
# DJANGO_MEDIA_STORAGE=s3, on S3-compatible object storage shared by every web node and worker.
MEDIA_STORAGE = env.str("DJANGO_MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    # By default the site's own nginx proxies /media/ to the public bucket (deploy/nginx/), so
    # pages keep one origin (and the CSP its "self").
    MEDIA_URL = env.str("DJANGO_S3_PUBLIC_URL", default=f"{SITE_URL.rstrip('/')}/media/")
    STORAGES.update(object_storages(
        endpoint_url=env.str("DJANGO_S3_ENDPOINT_URL", default=""),
        region=env.str("DJANGO_S3_REGION", default=""),
        access_key=env.str("DJANGO_S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("DJANGO_S3_SECRET_ACCESS_KEY", default=""),
        bucket=env.str("DJANGO_S3_BUCKET", default=""),
        public_url=MEDIA_URL,
        private_bucket=env.str("DJANGO_S3_PRIVATE_BUCKET", default=""),
        private_prefix=env.str("DJANGO_S3_PRIVATE_PREFIX", default=""),
        addressing_style=env.str("DJANGO_S3_ADDRESSING_STYLE", default=""),
    ))
    if (media := urlsplit(MEDIA_URL))[:2] != urlsplit(SITE_URL)[:2]:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{media.scheme}://{media.netloc}")
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"DJANGO_MEDIA_STORAGE is {MEDIA_STORAGE!r}: use filesystem or s3.")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}

# --- Backups and retention (docs/operations.md, "Backup" and "Retention") ---------------------
# `manage.py backup` writes its archives here (one .tar each: the database and both media folders).
BACKUP_DIR = Path(env.str("DJANGO_BACKUP_DIR", default=str(BASE_DIR / ".local" / "backups")))
# Where pg_dump and pg_restore are; empty: found on PATH (the development stack sets it).
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")
# How long finished rows are kept before the nightly retention job deletes them, in days
# (xiangcheng/core/retention.py; each app registers what it purges).
RETENTION = {
    # Outbox rows sent, skipped or failed (her 我的消息 lists the sent ones until then).
    "notices_days": env.int("RETENTION_NOTICES_DAYS", default=180),
    # Accounts that never verified an email address or a mobile number and hold nothing else.
    "unverified_accounts_days": env.int("RETENTION_UNVERIFIED_ACCOUNTS_DAYS", default=30),
    # Declined job applications, with their CVs.
    "declined_job_applications_days": env.int("RETENTION_DECLINED_JOB_APPLICATIONS_DAYS", default=180),
    # Call applications not shortlisted, not selected or withdrawn, with their attachments.
    "closed_call_applications_days": env.int("RETENTION_CLOSED_CALL_APPLICATIONS_DAYS", default=365),
}
CELERY_BEAT_SCHEDULE["retention"] = {"task": "xiangcheng.core.tasks.run_retention",
                                     "schedule": crontab(hour=4, minute=10)}

# --- 我的数据: exports of a member's personal data (members/data_exports.py) ----------------------
# Built on the reports queue; the download link lasts this many days, then the nightly retention
# job deletes the export and its file.
CELERY_TASK_ROUTES["members.tasks.build_data_export"] = {"queue": "reports"}
RETENTION["data_exports_days"] = env.int("RETENTION_DATA_EXPORTS_DAYS", default=7)

# --- 注销账号: deleted accounts whose erasure is still waiting (members/erasure.py) ----------------
CELERY_BEAT_SCHEDULE["account-erasures"] = {"task": "members.tasks.erase_waiting_accounts", "schedule": 300.0}
SMS_TEMPLATE_MODULES += ["members.erasure"]
