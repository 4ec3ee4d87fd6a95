import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from members.models import Category, City, Field, MemberProfile, Status, User, VisibleField
from xiangcheng.core.roles import EVENT_MANAGER, INBOX_AGENT, INBOX_SUPERVISOR, REVIEWER

# The password UserFactory gives every account.
PASSWORD = "correct-horse-42"

# The staff roles (xiangcheng.core.roles), by their group names.
REVIEWER_GROUP = REVIEWER.name  # 审核员
EVENT_MANAGER_GROUP = EVENT_MANAGER.name  # 活动管理员
AGENT_GROUP = INBOX_AGENT.name  # 管家客服
SUPERVISOR_GROUP = INBOX_SUPERVISOR.name  # 管家主管


def staff_group(name: str) -> Group:
    """The staff group of a role; the kernel re-creates every role's group after each flush."""
    return Group.objects.get(name=name)


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
