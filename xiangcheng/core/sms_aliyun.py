"""Alibaba Cloud SMS (阿里云短信服务, Dysmsapi 2017-05-25) as the SMS backend.

``SMS_BACKEND=xiangcheng.core.sms_aliyun.AliyunBackend``. Credentials, the registered signature
(签名), the endpoint and each template's provider code come from the environment (see
settings: SMS_ALIYUN, SMS_SIGN_NAME, SMS_TEMPLATE_CODES). The provider's template holds the
wording; we send its code and the parameters as JSON (TemplateParam).

Failures become the kernel's SmsError subclasses, each logged with the provider's request id;
the outbox catches them and retries. The SDK's own retries are off (the outbox retries), and
connect and read timeouts are each SMS_TIMEOUT_SECONDS, far below the outbox lease, so a hung
call is given up before another worker may claim the same row.
"""

import json
import logging
from collections.abc import Mapping

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ThrottlingException
from darabonba.runtime import RuntimeOptions
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from requests.exceptions import Timeout
from Tea.exceptions import TeaException, UnretryableException

from .sms import (
    SmsMessage,
    SmsProviderError,
    SmsRateLimited,
    SmsRejected,
    SmsTemplate,
    SmsTimeout,
)

logger = logging.getLogger(__name__)

# The provider refuses a variable longer than this (notification templates: 35 characters).
PARAM_MAX_CHARS = 35

RATE_LIMITED = {
    "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.MONTH_LIMIT_CONTROL",
    "Throttling.User", "Throttling.Api", "Throttling",
}
REJECTED = {
    "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_SIGN_ILLEGAL",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS", "isv.INVALID_JSON_PARAM", "isv.PARAM_LENGTH_LIMIT",
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_CONTENT_ILLEGAL", "isv.DENY_IP_RANGE",
}


def template_code_env(name: str) -> str:
    """The environment variable that holds a template's provider code."""
    return f"SMS_TEMPLATE_{name.upper()}"


def param_shorten(value: str) -> str:
    """A value the provider accepts: at most PARAM_MAX_CHARS characters, an ellipsis marking a cut."""
    value = " ".join(value.split())  # line breaks are refused inside a variable
    if len(value) <= PARAM_MAX_CHARS:
        return value
    return value[: PARAM_MAX_CHARS - 1].rstrip() + "…"


def masked(phone: str) -> str:
    """The number as logs show it: enough to tell messages apart, not to call her."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "***"


def _endpoint_and_protocol(endpoint: str) -> tuple[str, str]:
    """``https://dysmsapi.aliyuncs.com`` (or a bare host, taken as HTTPS) → host, protocol."""
    scheme, sep, host = endpoint.partition("://")
    if not sep:
        return endpoint, "HTTPS"
    return host.rstrip("/"), scheme.upper()


def _timed_out(exc: BaseException | None) -> bool:
    """The SDK re-raises the HTTP library's Timeout as its own RetryError; the original is the
    exception it was raised while handling."""
    while exc is not None:
        if isinstance(exc, Timeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class AliyunBackend:
    """Sends each message with SendSms; raises SmsRateLimited, SmsRejected, SmsTimeout or
    SmsProviderError."""

    @classmethod
    def check_configuration(cls, templates: Mapping[str, SmsTemplate]) -> None:
        conf = settings.SMS_ALIYUN
        missing = [env for env, key in (("SMS_ALIYUN_ACCESS_KEY_ID", "ACCESS_KEY_ID"),
                                         ("SMS_ALIYUN_ACCESS_KEY_SECRET", "ACCESS_KEY_SECRET"))
                   if not conf.get(key)]
        if not settings.SMS_SIGN_NAME:
            missing.append("SMS_SIGN_NAME")
        missing += [template_code_env(name) for name in templates if not settings.SMS_TEMPLATE_CODES.get(name)]
        if missing:
            raise ImproperlyConfigured(
                "Alibaba Cloud SMS is the SMS backend but these variables are not set: " + ", ".join(missing))
        if settings.SMS_TIMEOUT_SECONDS >= settings.OUTBOX_LEASE_SECONDS:
            raise ImproperlyConfigured("SMS_TIMEOUT_SECONDS must be well below OUTBOX_LEASE_SECONDS.")

    def __init__(self) -> None:
        conf = settings.SMS_ALIYUN
        host, protocol = _endpoint_and_protocol(conf["ENDPOINT"])
        timeout_ms = int(settings.SMS_TIMEOUT_SECONDS * 1000)
        self.timeout_ms = timeout_ms
        self.client = Client(open_api_models.Config(
            access_key_id=conf["ACCESS_KEY_ID"], access_key_secret=conf["ACCESS_KEY_SECRET"],
            endpoint=host, protocol=protocol, connect_timeout=timeout_ms, read_timeout=timeout_ms,
        ))

    def send(self, message: SmsMessage) -> None:
        code = settings.SMS_TEMPLATE_CODES.get(message.template)
        if not code:
            raise SmsRejected(f"no provider code for template {message.template!r} "
                              f"({template_code_env(message.template)})")
        request = sms_models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.SMS_SIGN_NAME,
            template_code=code,
            template_param=json.dumps(
                {key: param_shorten(value) for key, value in message.params.items()}, ensure_ascii=False),
        )
        runtime = RuntimeOptions(connect_timeout=self.timeout_ms, read_timeout=self.timeout_ms, autoretry=False)
        try:
            response = self.client.send_sms_with_options(request, runtime)
        except ThrottlingException as exc:
            raise self._failure(message, SmsRateLimited, exc.code, exc.message, exc.request_id) from exc
        except UnretryableException as exc:
            reason = getattr(exc.inner_exception, "message", "") or str(exc.inner_exception)
            if _timed_out(exc.inner_exception):
                raise self._failure(message, SmsTimeout, "timeout", reason, "") from exc
            raise self._failure(message, SmsProviderError, "connection", reason, "") from exc
        except TeaException as exc:
            # The provider answered 4xx/5xx: its code says why.
            request_id = getattr(exc, "request_id", "") or (exc.data or {}).get("RequestId", "")
            raise self._failure(message, self._kind(exc.code), exc.code, exc.message, request_id) from exc
        body = response.body
        if body.code != "OK":
            # Business refusals come back as HTTP 200 with a code other than OK.
            raise self._failure(message, self._kind(body.code), body.code, body.message, body.request_id)
        logger.info("SMS %s to %s sent by Alibaba Cloud (request id %s, biz id %s)",
                    message.template, masked(message.phone), body.request_id, body.biz_id)

    @staticmethod
    def _kind(code: str | None) -> type:
        if code in RATE_LIMITED:
            return SmsRateLimited
        if code in REJECTED:
            return SmsRejected
        return SmsProviderError

    @staticmethod
    def _failure(message: SmsMessage, kind: type, code, text, request_id) -> Exception:
        request_id = request_id or ""
        logger.warning("SMS %s to %s failed at Alibaba Cloud: %s %s: %s (request id %s)",
                       message.template, masked(message.phone), kind.__name__, code, text, request_id or "none")
        return kind(f"{code}: {text}", request_id=request_id)
