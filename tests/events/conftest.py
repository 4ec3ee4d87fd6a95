import pytest
from django.contrib.auth.models import Group

from tests.factories import MemberProfileFactory, UserFactory

# Created with its permissions by events/migrations/0004_event_manager_group.py.
EVENT_MANAGER_GROUP = "活动管理员"


@pytest.fixture
def member(db):
    """An approved member (林晓雯) with a verified email address."""
    return MemberProfileFactory(real_name="林晓雯").user


@pytest.fixture
def other_member(db):
    return MemberProfileFactory(real_name="周雨桐").user


@pytest.fixture
def event_manager(db):
    """A staff member in the 活动管理员 group, and nothing else."""
    user = UserFactory(username="huodong", email="huodong@fulian.example.cn", is_staff=True)
    user.groups.add(Group.objects.get(name=EVENT_MANAGER_GROUP))
    return user


@pytest.fixture
def manager_client(client, event_manager):
    client.force_login(event_manager)
    return client
