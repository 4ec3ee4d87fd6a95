"""SMS: only pre-approved templates, never free text.

Mainland SMS gateways send a message only from a template the provider approved beforehand,
with the sender's registered signature (签名) put in front by the gateway. So every SMS the
portal sends names one of the templates registered here (``sms_template``) and fills in its
parameters; the wording below is what is registered with the provider, and the provider's code
for each template comes from the environment (``SMS_TEMPLATE_<NAME>``).

The backend is chosen by ``settings.SMS_BACKEND``: ``ConsoleBackend`` logs the rendered text
(development), ``LocmemBackend`` keeps messages in ``outbox`` (tests); a provider backend
(``xiangcheng.core.sms_aliyun.AliyunBackend``) sends the template code and parameters through the
provider's API. A provider backend is a class with ``send(message)`` that raises the SmsError
subclasses below, and a ``check_configuration(templates)`` classmethod that start-up calls to
refuse a missing credential or template code (``sms_configuration_check``). Another provider
(Tencent Cloud SMS) is added the same way, in a module of its own.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The SMS could not be sent; the outbox records the reason and retries later.

    ``request_id`` is the provider's id for the failed call, for its support desk.
    """

    def __init__(self, message: str = "", *, request_id: str = ""):
        super().__init__(message)
        self.request_id = request_id


class SmsRateLimited(SmsError):
    """The provider refuses for now (too many messages to this number or for the account)."""


class SmsRejected(SmsError):
    """The provider refuses the template, the signature, the parameters or the number:
    retrying will not help until the configuration or the registered wording is fixed."""


class SmsTimeout(SmsError):
    """The provider did not answer in time; the message may or may not have been sent."""


class SmsProviderError(SmsError):
    """Any other failure of the provider or of the way to it."""


@dataclass(frozen=True)
class SmsTemplate:
    """One approved template: our name for it, its wording and the parameters it takes.

    ``text`` is a lazily translated string with ``{param}`` placeholders; the provider's copy
    of the template is the same wording in Chinese with ``${param}``.
    """

    name: str
    text: object
    params: tuple[str, ...] = ()

    def render(self, params: Mapping[str, str]) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.text).format(**params)


# Every template the portal may send, by name: the list to register with the provider.
TEMPLATES: dict[str, SmsTemplate] = {}


def sms_template(name: str, text, params: Sequence[str] = ()) -> SmsTemplate:
    """Declare a template (once, at import time of the module that sends it)."""
    template = SmsTemplate(name=name, text=text, params=tuple(params))
    existing = TEMPLATES.setdefault(name, template)
    if existing != template:
        raise ValueError(f"SMS template {name!r} is declared twice with different contents")
    return template


@dataclass(frozen=True)
class SmsMessage:
    """One SMS: the number, the template's name and its parameters, and the text as rendered."""

    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""


# Messages sent through LocmemBackend, read by tests the way django.core.mail.outbox is.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    """Writes each message to the log: the development backend."""

    def send(self, message: SmsMessage) -> None:
        logger.warning("SMS to %s [%s]: %s", message.phone, message.template, message.text)


class LocmemBackend:
    """Keeps each message in ``outbox``: the test backend."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def sms_backend():
    """An instance of the configured backend; one may send many messages (the outbox sends a
    chunk of notices through one)."""
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, template: SmsTemplate, params: Mapping[str, str] | None = None, backend=None) -> None:
    """Send one templated SMS through ``backend`` (a new instance of the configured one if not
    given); raises SmsError on failure."""
    params = {key: str(value) for key, value in (params or {}).items()}
    if set(params) != set(template.params):
        raise ValueError(f"SMS template {template.name!r} takes {template.params}, got {tuple(params)}")
    message = SmsMessage(phone=phone, template=template.name, params=params, text=template.render(params))
    (backend or sms_backend()).send(message)


def templates_declared() -> dict[str, SmsTemplate]:
    """Every template the portal may send: the modules that declare them (SMS_TEMPLATE_MODULES,
    named by settings so the kernel imports none of the apps) are imported first."""
    for module in settings.SMS_TEMPLATE_MODULES:
        import_module(module)
    return dict(sorted(TEMPLATES.items()))


def sms_configuration_check() -> None:
    """At start-up: a provider backend refuses to run without its credentials or with a
    declared template that has no provider code (ImproperlyConfigured)."""
    backend = import_string(settings.SMS_BACKEND)
    check = getattr(backend, "check_configuration", None)
    if check is not None:
        check(templates_declared())
