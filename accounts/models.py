import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from .querysets import AccountQuerySet
from .roles import ROLE_PRIORITY, STAFF_ROLES, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone, e.g. America/Denver.")


class Account(models.Model):
    """A customer organisation. Customer users belong to exactly one account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address. Roles are auth groups (see ``accounts.roles``)."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="America/Denver",
        validators=[validate_time_zone],
        help_text="Times are shown to this user in this zone.",
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The customer account of a customer user; empty for vendor staff.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def primary_role(self) -> Role | None:
        return next((role for role in ROLE_PRIORITY if role in self.roles), None)

    @property
    def is_customer_user(self) -> bool:
        return Role.CUSTOMER in self.roles and self.account_id is not None

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_tam(self) -> bool:
        return Role.TAM in self.roles

    @property
    def is_tam_level(self) -> bool:
        """Every TAM, plus staff flagged TAM-level, may stand in for a TAM."""
        return Role.TAM in self.roles or Role.TAM_LEVEL in self.roles

    @property
    def is_support(self) -> bool:
        return Role.SUPPORT in self.roles

    @property
    def is_portal_admin(self) -> bool:
        return Role.ADMIN in self.roles
