import pytest
from django.contrib.auth.models import Group

from tests.factories import MemberProfileFactory, UserFactory

REVIEWER_GROUP = "审核员"


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reviewer(db):
    """A staff member in the 审核员 group created by the data migration."""
    user = UserFactory(username="reviewer", email="reviewer@fulian.example.cn", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    return user


@pytest.fixture
def staff_without_group(db):
    return UserFactory(username="clerk", email="clerk@fulian.example.cn", is_staff=True)


@pytest.fixture
def make_phone_user(db):
    """A member who joined with her mobile number (no email), who can log in with a password.

    (UserFactory only saves the password it sets when it also saves an email address.)"""

    def make(phone: str, *, verified: bool = True, password: str = "correct-horse-42"):
        user = UserFactory(email="", phone=phone, phone_verified=verified)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    return make


@pytest.fixture
def pending_profile(db):
    return MemberProfileFactory(status="pending", real_name="林晓雯")


@pytest.fixture
def phone_member_profile(db):
    """A member who joined with her mobile number: no email, phone verified."""
    user = UserFactory(username="phoneuser", email="", phone="13912345678", phone_verified=True)
    return MemberProfileFactory(user=user, status="pending", real_name="周雨桐")

