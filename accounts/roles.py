"""The portal's roles, held as Django auth groups (a customer user's account is data, not a group).

A user may hold several roles (support staff flagged TAM-level, say); the home page and the
navigation follow the highest one in ``ROLE_PRIORITY``.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "Admin", "Admin"
    TAM = "TAM", "Technical Account Manager"
    TAM_LEVEL = "TAM-level resource", "TAM-level resource"
    SUPPORT = "Support staff", "Support staff"
    CUSTOMER = "Customer user", "Customer user"


ROLE_PRIORITY = [Role.ADMIN, Role.TAM, Role.TAM_LEVEL, Role.SUPPORT, Role.CUSTOMER]
STAFF_ROLES = frozenset({Role.ADMIN, Role.TAM, Role.TAM_LEVEL, Role.SUPPORT})


def install_role_groups(sender=None, **kwargs):
    """Create the role groups after migrate; the Admin group holds every permission."""
    from django.contrib.auth.models import Group, Permission

    names = [role.value for role in Role]
    existing = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
    Group.objects.bulk_create([Group(name=name) for name in names if name not in existing], ignore_conflicts=True)
    admin_group = Group.objects.get(name=Role.ADMIN.value)
    admin_group.permissions.set(Permission.objects.all())
