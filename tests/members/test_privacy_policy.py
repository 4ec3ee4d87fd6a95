"""The privacy policy page says how long finished records are kept, from the retention job's own
registry and settings, and points to 我的数据 and 注销账号."""

import re

import pytest
from django.urls import reverse
from django.utils.text import capfirst

from tests.factories import UserFactory
from tests.helpers import zh, zh_n
from xiangcheng.core.retention import retention_purges

pytestmark = pytest.mark.django_db

PLAIN = re.compile(r"<[^>]+>")


def kept_lines(html: str) -> list[str]:
    listing = re.search(r'<ul class="retention">(.*?)</ul>', html, re.S).group(1)
    return [PLAIN.sub("", item).strip() for item in re.findall(r"<li>(.*?)</li>", listing, re.S)]


def kept(label: str, days: int) -> str:
    return zh_n("%(name)s: deleted after %(days)s day", "%(name)s: deleted after %(days)s days", days,
                name=capfirst(zh(label)), days=days)


def test_the_policy_lists_each_retention_period_as_the_settings_set_it(client, settings):
    settings.RETENTION = {**settings.RETENTION, "data_exports_days": 3, "unverified_accounts_days": 1}

    response = client.get(reverse("members:privacy"))

    assert response.status_code == 200
    lines = kept_lines(response.content.decode())
    assert len(lines) == len(retention_purges())
    assert kept("personal data exports", 3) in lines
    assert kept("unverified sign-ups", 1) in lines
    assert kept("finished notices", settings.RETENTION["notices_days"]) in lines


def test_a_member_reads_links_to_her_data_and_to_deleting_her_account(client):
    client.force_login(UserFactory())

    html = client.get(reverse("members:privacy")).content.decode()

    assert f'href="{reverse("members:my_data")}"' in html
    assert f'href="{reverse("members:account_delete")}"' in html
    assert zh("A copy of your data") in html and zh("How long we keep it") in html
