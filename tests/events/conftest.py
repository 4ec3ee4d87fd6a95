import pytest

from tests.factories import EVENT_MANAGER_GROUP, MemberProfileFactory


@pytest.fixture
def member(db):
    """An approved member (林晓雯) with a verified email address."""
    return MemberProfileFactory(real_name="林晓雯").user


@pytest.fixture
def other_member(db):
    return MemberProfileFactory(real_name="周雨桐").user


@pytest.fixture
def event_manager(staff_in_group):
    """A staff member in the 活动管理员 group, and nothing else."""
    return staff_in_group("huodong", EVENT_MANAGER_GROUP)


@pytest.fixture
def manager_client(client, event_manager):
    client.force_login(event_manager)
    return client
