import importlib

import factory
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone

from members.models import Category, City, Field, MemberProfile, Status, User, VisibleField
from xiangcheng.core.roles import group_grant

# The password UserFactory gives every account.
PASSWORD = "correct-horse-42"

# The staff groups the data migrations create, as they define them: name -> (app, codenames).
_reviewer = importlib.import_module("members.migrations.0002_reviewer_group")
_event_manager = importlib.import_module("events.migrations.0004_event_manager_group")
_inbox = importlib.import_module("services.migrations.0002_inbox_groups")
STAFF_GROUPS = {
    _reviewer.GROUP: ("members", _reviewer.PERMISSIONS),
    _event_manager.GROUP: ("events", _event_manager.PERMISSIONS),
    **{name: ("services", codenames) for name, codenames in _inbox.GROUPS.items()},
}
REVIEWER_GROUP = _reviewer.GROUP  # 审核员
EVENT_MANAGER_GROUP = _event_manager.GROUP  # 活动管理员
AGENT_GROUP = "管家客服"
SUPERVISOR_GROUP = "管家主管"


def staff_group(name: str) -> Group:
    """The staff group its data migration created; re-created the same way when a transactional
    test's flush removed it."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        app_label, codenames = STAFF_GROUPS[name]
        group = group_grant(apps, app_label=app_label, name=name, codenames=codenames)
    return group


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if not create:
            return
        if self.email:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        self.save()  # keeps the password set above, with or without an email


class MemberProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    user = factory.SubFactory(UserFactory)
    real_name = factory.Sequence(lambda n: f"会员{n:03d}")
    category = Category.RESEARCHER
    organisation = factory.Sequence(lambda n: f"苏州研究院{n}")
    job_title = "工程师"
    field = Field.ADVANCED_MATERIALS
    city = City.SUZHOU
    expertise = factory.LazyFunction(lambda: ["新材料"])
    bio = "研究功能薄膜。"
    status = Status.APPROVED
    submitted_at = factory.LazyFunction(timezone.now)
    listed_in_directory = True
    visible_fields = factory.LazyFunction(lambda: [v.value for v in VisibleField])


class StaffFactory(UserFactory):
    """Federation staff (is_staff) at a fulian address; ``groups=[...]`` names staff groups."""

    email = factory.LazyAttribute(lambda u: f"{u.username}@fulian.example.cn")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(staff_group(name) for name in extracted))
