import pytest

from tests.factories import PASSWORD, REVIEWER_GROUP, MemberProfileFactory, UserFactory


@pytest.fixture
def media_root(settings, tmp_path):
    """Public uploaded files go to a temporary folder that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_root(settings, tmp_path):
    """Private files (member photos) go to a temporary folder that disappears with the test."""
    private = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(private), "base_url": None}},
    }
    return private


@pytest.fixture
def reviewer(staff_in_group):
    """A staff member in the 审核员 group created by the data migration."""
    return staff_in_group("reviewer", REVIEWER_GROUP)


@pytest.fixture
def make_phone_user(db):
    """A member who joined with her mobile number (no email), who can log in with a password.

    (UserFactory only saves the password it sets when it also saves an email address.)"""

    def make(phone: str, *, verified: bool = True, password: str = PASSWORD):
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

