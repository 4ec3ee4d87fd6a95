"""The client address every per-IP limit keys by."""

import pytest
from django.test import RequestFactory

from xiangcheng.core.clients import client_ip


def request(remote: str = "127.0.0.1", **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_by_default_the_header_is_ignored(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_ip(request("192.0.2.1", **{"X-Forwarded-For": "203.0.113.7"})) == "192.0.2.1"


@pytest.mark.parametrize(("proxies", "header", "expected"), [
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "10.0.0.1, 203.0.113.7", "203.0.113.7"),          # the client's own entry is not trusted
    (2, "10.0.0.1, 203.0.113.7, 172.16.0.5", "203.0.113.7"),
    (1, "", "127.0.0.1"),                                   # no header: the proxy's address
    (2, "203.0.113.7", "127.0.0.1"),                        # fewer hops than proxies
    (1, "not-an-address", "127.0.0.1"),
    (1, " 2001:db8::1 ", "2001:db8::1"),
])
def test_behind_proxies_the_nth_address_from_the_right(settings, proxies, header, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(**({"X-Forwarded-For": header} if header else {}))) == expected


def test_another_header_can_be_named(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request(**{"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "198.51.100.1"})) == "203.0.113.9"
