import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import Account, User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        self.groups.set(Group.objects.filter(name__in=[Role(r).value for r in extracted]))
        self.is_staff = Role.ADMIN in extracted
        self.__dict__.pop("roles", None)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
            # A person of the portal has proved their address (by accepting the invitation): it counts.
            EmailAddress.objects.get_or_create(
                user=instance, email=instance.email, defaults={"primary": True, "verified": True}
            )


def customer_user(account, **kwargs):
    return UserFactory(account=account, roles=[Role.CUSTOMER], **kwargs)


def support_hours_calendar():
    """The seeded default (data migration): Mon-Fri 06:00-18:00 America/Denver."""
    from accounts.models import BusinessCalendar

    return BusinessCalendar.objects.get(name="Support hours")


def tier(name):
    from accounts.models import Tier

    return Tier.objects.get(name=name)


def flush_mail():
    """Deliver what is waiting in the outbox, then forget it: the next assertions see only new mail."""
    from django.core import mail

    from core.outbox import outbox_deliver

    outbox_deliver()
    mail.outbox.clear()
