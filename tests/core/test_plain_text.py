"""Free text is saved without the invisible characters that reorder or hide it, whoever saves it;
notices send one-line subjects without them (xiangcheng.core.plain_text, outbox.Message)."""

import pytest

from members.models import MemberProfile
from services.models import Job
from tests.factories import MemberProfileFactory
from xiangcheng.core import audit
from xiangcheng.core.outbox import Message
from xiangcheng.core.plain_text import invisible_strip, invisible_strip_on_save, one_line
from xiangcheng.core.sms import SmsTemplate

pytestmark = pytest.mark.django_db

RLO, LRI, PDI, ZWSP, BOM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff"


def test_only_the_invisible_characters_go():
    assert invisible_strip(f"林{RLO}晓{ZWSP}雯{LRI}gpj.exe{PDI}{BOM}\x07") == "林晓雯gpj.exe"
    # Line breaks and tabs, Chinese punctuation, emoji and markup are kept as typed (escaped when shown).
    assert invisible_strip("第一行\n\t第二行，《材料》😀 <b>") == "第一行\n\t第二行，《材料》😀 <b>"


def test_every_free_text_field_is_cleaned_on_save_lists_too():
    profile = MemberProfileFactory(real_name=f"{RLO}林晓雯", bio=f"薄膜{ZWSP}材料\n第二行",
                                   expertise=[f"新{LRI}材料{PDI}", "AI"])
    profile.refresh_from_db()
    assert (profile.real_name, profile.bio, profile.expertise) == ("林晓雯", "薄膜材料\n第二行", ["新材料", "AI"])

    profile.organisation = f"苏州{BOM}研究院"
    profile.save(update_fields=["organisation"])
    assert MemberProfile.objects.get(pk=profile.pk).organisation == "苏州研究院"


def test_a_notice_subject_is_one_line_without_invisible_characters():
    template = SmsTemplate(name="plain_text_test", text="{subject}", params=("subject",))  # not registered
    message = Message(subject=f"岗位“研发\r\nBcc: x@example.cn{RLO}”", body=f"正文{ZWSP}\n第二行",
                      sms=(template, {"subject": f"研发\n工程师{RLO}"}))
    assert (message.subject, message.body, message.sms[1]) == (
        "岗位“研发 Bcc: x@example.cn”", "正文\n第二行", {"subject": "研发 工程师"})
    assert one_line(" a \n\n b ") == "a b"


def test_a_reason_in_the_audit_trail_is_kept_without_them():
    profile = MemberProfileFactory()
    with audit.audit_context(reason=f"材料{RLO}不全{ZWSP}"):
        profile.rejection_reason = "材料不全"
        profile.save()
    assert audit.history(profile)[-1].context["reason"] == "材料不全"


def test_texts_inside_a_json_field_are_cleaned_too():
    job = Job(title="研发", pending_changes={"title": f"研{RLO}发", "headcount": 2, "tags": [f"A{ZWSP}I"]})
    invisible_strip_on_save(sender=Job, instance=job)
    assert job.pending_changes == {"title": "研发", "headcount": 2, "tags": ["AI"]}
