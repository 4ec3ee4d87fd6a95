"""Alibaba Cloud SMS backend, against a fake Dysmsapi endpoint on 127.0.0.1 that the SDK is pointed at."""

import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured

from members.adapter import VERIFICATION_CODE
from xiangcheng.core.sms import (
    TEMPLATES,
    SmsProviderError,
    SmsRateLimited,
    SmsRejected,
    SmsTimeout,
    send_sms,
    sms_configuration_check,
    sms_template,
)
from xiangcheng.core.sms_aliyun import PARAM_MAX_CHARS, param_shorten

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notice_template():
    """A template with a free-text parameter, declared for this test only."""
    yield sms_template("test_aliyun_notice", "{subject}. Details on the portal.", ["subject"])
    TEMPLATES.pop("test_aliyun_notice")


class FakeDysms:
    """Answers SendSms the way the provider does; records each request's query."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = {"Code": "OK", "Message": "OK", "RequestId": "REQ-OK-1", "BizId": "BIZ-1"}
        self.status = 200
        self.hold = threading.Event()  # when set as "holding", the handler waits for release
        self.holding = False
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                fake.requests.append({"path": urlsplit(self.path).path, "query": query,
                                      "action": self.headers.get("x-acs-action"),
                                      "signed": "Authorization" in self.headers})
                if fake.holding:
                    fake.release.wait(timeout=60)  # the client gives up long before
                body = json.dumps(fake.answer).encode()
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client hung up after its timeout
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def dysms(settings):
    fake = FakeDysms()
    fake.thread.start()
    settings.SMS_BACKEND = "xiangcheng.core.sms_aliyun.AliyunBackend"
    settings.SMS_ALIYUN = {"ACCESS_KEY_ID": "test-id", "ACCESS_KEY_SECRET": "test-secret", "ENDPOINT": fake.url}
    settings.SMS_SIGN_NAME = "相城女科技"
    settings.SMS_TEMPLATE_CODES = {"verification_code": "SMS_100000001", "test_aliyun_notice": "SMS_100000002"}
    yield fake
    fake.release.set()
    fake.server.shutdown()
    fake.server.server_close()


def test_success_sends_the_template_code_signature_and_json_parameters(dysms, caplog):
    caplog.set_level(logging.INFO, logger="xiangcheng.core.sms_aliyun")
    send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})
    assert len(dysms.requests) == 1
    sent = dysms.requests[0]
    assert (sent["path"], sent["action"], sent["signed"]) == ("/", "SendSms", True)
    assert sent["query"] == {
        "PhoneNumbers": "13812345678",
        "SignName": "相城女科技",
        "TemplateCode": "SMS_100000001",
        "TemplateParam": '{"code": "204816"}',
    }
    assert json.loads(sent["query"]["TemplateParam"]) == {"code": "204816"}
    assert [r.getMessage() for r in caplog.records] == [
        "SMS verification_code to 138****5678 sent by Alibaba Cloud (request id REQ-OK-1, biz id BIZ-1)"]


def test_a_long_parameter_is_shortened_to_the_providers_limit(dysms, notice_template):
    subject = "关于2026年相城区女科技工作者联盟数字金融与先进材料专题沙龙报名的补充通知说明"
    send_sms(phone="13812345678", template=notice_template, params={"subject": subject})
    sent = json.loads(dysms.requests[0]["query"]["TemplateParam"])
    assert sent == {"subject": subject[:PARAM_MAX_CHARS - 1] + "…"}
    assert len(sent["subject"]) == PARAM_MAX_CHARS
    assert param_shorten("短的\n通知") == "短的 通知"


@pytest.mark.django_db
def test_the_phone_verification_code_goes_through_the_provider(dysms, client):
    response = client.post("/accounts/signup/", {
        "email": "", "phone": "+86 139 0000 1111", "password1": "Xiangcheng-2026-safe",
        "password2": "Xiangcheng-2026-safe", "accept_privacy": "on"})
    assert response.status_code == 302
    [sent] = dysms.requests
    assert (sent["query"]["PhoneNumbers"], sent["query"]["TemplateCode"]) == ("13900001111", "SMS_100000001")
    assert list(json.loads(sent["query"]["TemplateParam"])) == ["code"]


def test_rate_limited_raises_sms_rate_limited_with_the_request_id(dysms, caplog):
    dysms.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1",
                    "RequestId": "REQ-LIMIT-7"}
    with pytest.raises(SmsRateLimited) as raised:
        send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})
    assert raised.value.request_id == "REQ-LIMIT-7"
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [(
        "WARNING",
        "SMS verification_code to 138****5678 failed at Alibaba Cloud: SmsRateLimited "
        "isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1 (request id REQ-LIMIT-7)")]


@pytest.mark.parametrize("status", [200, 400])
def test_a_rejected_template_raises_sms_rejected(dysms, status, caplog):
    dysms.status = status
    dysms.answer = {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板",
                    "RequestId": "REQ-TPL-3"}
    with pytest.raises(SmsRejected) as raised:
        send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})
    assert raised.value.request_id == "REQ-TPL-3"
    assert "REQ-TPL-3" in caplog.records[-1].getMessage()
    assert "isv.SMS_TEMPLATE_ILLEGAL" in caplog.records[-1].getMessage()


def test_a_rejected_signature_raises_sms_rejected(dysms):
    dysms.answer = {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法", "RequestId": "REQ-SIG-1"}
    with pytest.raises(SmsRejected):
        send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})


def test_another_provider_error_raises_sms_provider_error(dysms):
    dysms.status = 500
    dysms.answer = {"Code": "InternalError", "Message": "服务内部错误", "RequestId": "REQ-500"}
    with pytest.raises(SmsProviderError) as raised:
        send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})
    assert raised.value.request_id == "REQ-500"


def test_a_provider_that_does_not_answer_times_out(dysms, settings, caplog):
    settings.SMS_TIMEOUT_SECONDS = 0.3
    dysms.holding = True  # the handler waits until the test releases it, after the client gave up
    with pytest.raises(SmsTimeout):
        send_sms(phone="13812345678", template=VERIFICATION_CODE, params={"code": "204816"})
    dysms.release.set()
    assert len(dysms.requests) == 1  # given up, not retried by the SDK (the outbox retries)
    assert "SmsTimeout timeout" in caplog.records[-1].getMessage()


def test_the_default_timeout_is_well_under_the_outbox_lease(settings):
    assert settings.SMS_TIMEOUT_SECONDS == 10
    assert settings.SMS_TIMEOUT_SECONDS * 10 < settings.OUTBOX_LEASE_SECONDS


def test_a_template_without_code_or_missing_credentials_stop_the_start(dysms, settings):
    settings.SMS_TEMPLATE_CODES = {"verification_code": "SMS_100000001"}
    with pytest.raises(ImproperlyConfigured) as raised:
        sms_configuration_check()
    assert "SMS_TEMPLATE_PASSWORD_RESET_CODE" in str(raised.value)
    assert "SMS_TEMPLATE_VERIFICATION_CODE" not in str(raised.value)

    settings.SMS_ALIYUN = {**settings.SMS_ALIYUN, "ACCESS_KEY_SECRET": ""}
    with pytest.raises(ImproperlyConfigured) as raised:
        sms_configuration_check()
    assert "SMS_ALIYUN_ACCESS_KEY_SECRET" in str(raised.value)


def _start_production(extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMS_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production", "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn", "EMAIL_URL": "smtp://mail.example.cn:587",
        "SMS_BACKEND": "xiangcheng.core.sms_aliyun.AliyunBackend", "SMS_SIGN_NAME": "相城女科技",
        "SMS_ALIYUN_ACCESS_KEY_ID": "id", "SMS_ALIYUN_ACCESS_KEY_SECRET": "secret", **extra,
    })
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_with_a_template_code_missing():
    from xiangcheng.core.sms import templates_declared

    codes = {f"SMS_TEMPLATE_{name.upper()}": f"SMS_{i:09d}" for i, name in enumerate(templates_declared())}
    started = _start_production(codes)
    assert (started.returncode, started.stdout) == (0, "started\n"), started.stderr

    del codes["SMS_TEMPLATE_MEMBERSHIP_APPROVED"]
    refused = _start_production(codes)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Alibaba Cloud SMS is the SMS backend but these "
        "variables are not set: SMS_TEMPLATE_MEMBERSHIP_APPROVED")
