import pytest

from services.models import Category, Contact
from tests.factories import AGENT_GROUP, SUPERVISOR_GROUP, MemberProfileFactory, UserFactory


@pytest.fixture(autouse=True)
def file_dirs(settings, tmp_path):
    """Public media and private files go to temporary folders that disappear with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(private), "base_url": None}},
    }
    return {"media": tmp_path / "media", "private": private}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block left for after commit (notices, tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def member(db):
    """林晓雯: a member with a verified email address and a verified mobile number."""
    user = UserFactory(username="linxiaowen", email="linxiaowen@example.cn", phone="13912345678",
                       phone_verified=True)
    MemberProfileFactory(user=user, real_name="林晓雯")
    return user


@pytest.fixture
def other_member(db):
    user = UserFactory(username="zhouyutong", email="zhouyutong@example.cn")
    MemberProfileFactory(user=user, real_name="周雨桐")
    return user


@pytest.fixture
def agent(staff_in_group):
    """A 管家客服 agent (is_staff)."""
    return staff_in_group("kefu", AGENT_GROUP)


@pytest.fixture
def colleague(staff_in_group):
    return staff_in_group("kefu2", AGENT_GROUP)


@pytest.fixture
def supervisor(staff_in_group):
    """A 管家主管 who is not an agent herself."""
    return staff_in_group("zhuguan", SUPERVISOR_GROUP)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def ticket_data():
    """The submission form as a member fills it in."""
    return {"category": Category.FINANCE, "subject": "初创企业贷款咨询",
            "description": "公司成立两年，想了解区里的贴息贷款政策。", "preferred_contact": Contact.EMAIL}
