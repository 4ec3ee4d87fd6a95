"""Expected texts in the site's language, and small readers of rendered pages, for every app.

Expected strings go through gettext, so the assertions stay exact whether the zh_Hans
catalogue translates a message or not.
"""

import html
import re

from django.conf import settings
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext, ngettext


def zh(msgid: str, **params) -> str:
    """A message in the site's language, with its %(name)s placeholders filled in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
    return text % params if params else text


def zh_n(singular: str, plural: str, n: int, **params) -> str:
    """The singular or plural form for ``n``, in the site's language (%(n)d is ``n``)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = ngettext(singular, plural, n)
    return text % {"n": n, **params}


def label(choice) -> str:
    """A choice's label in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice.label)


def email_subject(msgid: str, **params) -> str:
    """An email's subject line as it is sent: the site's prefix, then the translated line."""
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + zh(msgid, **params)


def messages_of(response) -> list[str]:
    """The texts of the Django messages a response rendered."""
    return [str(m) for m in response.context["messages"]]


def squash(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def queries_for(client, url: str, params: dict | None = None) -> int:
    """How many database queries one successful GET of ``url`` makes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries.captured_queries)


def statements_of(client, url: str, tables: tuple[str, ...]) -> list[tuple[str, bool]]:
    """The statements one successful GET of ``url`` sends that read ``tables``, each as (the first
    of them it reads from, whether PostgreSQL had answered it by the time it was sent): statements
    sent together in one round trip (``compiled_queries.together``) are not answered yet."""
    sent = []

    def recorded(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = next((t for t in tables if f'FROM "{t}"' in sql), None)
        if table is not None:
            sent.append((table, context["cursor"].cursor.pgresult is not None))
        return result

    with connection.execute_wrapper(recorded):
        response = client.get(url)
    assert response.status_code == 200
    return sent


def audit_history(response) -> list[list[str]]:
    """The rows of the audit history section of an admin change page: when, who, what, changes,
    reason (visible text)."""
    assert response.status_code == 200
    match = re.search(r'<div class="audit-history">.*?<tbody>(.*?)</tbody>', response.content.decode(), re.S)
    assert match is not None, "the page has no audit history"
    return [[squash(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)]


def review_decisions(*profiles) -> list[tuple[int, str, str, int | None]]:
    """Every approval and rejection the audit trail holds for these profiles (every profile if
    none given), in order: (profile, decision, reason, reviewer)."""
    from members.models import MemberProfile
    from xiangcheng.core import audit

    chosen = profiles or MemberProfile.objects.order_by("pk")
    found = [(e.at, e.object_id, e.label, e.reason, e.actor_id)
             for profile in chosen for e in audit.history(profile) if e.label in {"approved", "rejected"}]
    return [(pk, label, reason, actor) for _, pk, label, reason, actor in sorted(found)]


def production_environment() -> dict[str, str]:
    """What a production process needs in its environment, nothing sent anywhere: addresses on
    example.cn and the SMS provider's backend with a code for every declared template."""
    import secrets

    from xiangcheng.core.sms import templates_declared

    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
        "EMAIL_URL": "smtp://user:pass@smtp.example.cn:587",
        "DATABASE_URL": "postgresql://portal@db.example.cn/xiangcheng",
        "REDIS_URL": "redis://cache.example.cn:6379/0",
        "SMS_BACKEND": "xiangcheng.core.sms_aliyun.AliyunBackend",
        "SMS_SIGN_NAME": "相城女科技",
        "SMS_ALIYUN_ACCESS_KEY_ID": "key-id",
        "SMS_ALIYUN_ACCESS_KEY_SECRET": "key-secret",
        **{f"SMS_TEMPLATE_{name.upper()}": f"SMS_{i:09d}" for i, name in enumerate(templates_declared())},
    }


def database_now():
    """The database's clock, which stamps the audit trail. The pinned-clock runs move the clock of
    every Python process, not the database's: a test that sets audit times against the trail's
    own reads this clock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def renders_of(client, url: str, template_name: str, data=None) -> tuple[int, str]:
    """How many times a GET of the page rendered the template (kept fragments are not rendered),
    and the page's text."""
    rendered = []

    def count(sender, template, context, **kwargs):
        if template.name == template_name:
            rendered.append(template.name)

    template_rendered.connect(count)
    try:
        response = client.get(url, data or {})
    finally:
        template_rendered.disconnect(count)
    assert response.status_code == 200
    return len(rendered), response.content.decode()
