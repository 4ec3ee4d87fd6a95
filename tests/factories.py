import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Category, City, Field, MemberProfile, Status, User, VisibleField


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

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
