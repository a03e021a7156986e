"""Releases and their items. Vendor staff write them (``may_manage_releases``); every customer reads the published
ones."""

import datetime as dt

from django.db import IntegrityError, transaction

from accounts.models import User
from core.errors import DomainError

from ..models import ItemKind, Release, ReleaseItem, ReleaseKind
from ..modules import join_modules, split_modules
from ..versions import parse_version
from .common import choice, text
from .rules import may_manage_releases

__all__ = [
    "release_create",
    "release_item_add",
    "release_item_remove",
    "release_item_update",
    "release_publish",
    "release_update",
    "release_values",
]


RELEASE_DEFAULTS = {"product": "KwikTag", "actual_date": None, "notes": "", "published": False}


def release_values(release: Release) -> dict:
    """The release's fields as ``release_update`` takes them: what an edit starts from."""
    return {
        "product": release.product,
        "version": release.version,
        "kind": release.kind,
        "planned_date": release.planned_date,
        "actual_date": release.actual_date,
        "notes": release.notes,
        "published": release.published,
    }


def _release_fields(
    *, product: str, version: str, kind: str, planned_date, actual_date, notes: str, published: bool
) -> dict:
    """A release's fields as staff give them, checked."""
    product = text(product, model=Release, field="product", required="Name the product.")
    try:
        parse_version(version)
    except ValueError as error:
        raise DomainError(str(error), field="version") from error
    choice(kind, choices=ReleaseKind, field="kind", message="Choose patch, minor or major.")
    if planned_date is None:
        raise DomainError("Give the planned release date.", field="planned_date")
    return {
        "product": product,
        "version": version.strip(),
        "kind": kind,
        "planned_date": planned_date,
        "actual_date": actual_date,
        "notes": text(notes, model=Release, field="notes"),
        "published": bool(published),
    }


def _save_release(release: Release) -> Release:
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError as error:
        raise DomainError(f"{release.product} {release.version} already exists.", field="version") from error
    return release


def release_create(
    *,
    actor: User,
    version: str,
    kind: str,
    planned_date: dt.date | None,
    product: str = "KwikTag",
    actual_date: dt.date | None = None,
    notes: str = "",
    published: bool = False,
) -> Release:
    """Vendor staff add a release: a version unique per product (compared as numbers), a kind and a planned
    date. It starts as a draft unless published at once; only published releases are shown to customers."""
    may_manage_releases.require(actor)
    fields = _release_fields(
        product=product,
        version=version,
        kind=kind,
        planned_date=planned_date,
        actual_date=actual_date,
        notes=notes,
        published=published,
    )
    return _save_release(Release(**fields))


def release_update(*, actor: User, release: Release, **changes) -> Release:
    """Vendor staff change a release; ``changes`` are the fields ``release_create`` takes, with the same defaults.
    A release that has previews stays a patch release and stays published (its customers have seen it)."""
    may_manage_releases.require(actor, release)
    fields = _release_fields(**{**RELEASE_DEFAULTS, **changes})
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.previews.exists():
            if not fields["published"]:
                raise DomainError("This release has previews: it cannot go back to draft.", field="published")
            if fields["kind"] != ReleaseKind.PATCH:
                raise DomainError("This release has previews: it stays a patch release.", field="kind")
        for name, value in fields.items():
            setattr(release, name, value)
        return _save_release(release)


def release_publish(*, actor: User, release: Release) -> Release:
    """Vendor staff publish a draft: every customer sees it, and a patch release asks for previews."""
    may_manage_releases.require(actor, release)
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.published:
            raise DomainError("The release is already published.", field="published")
        release.published = True
        release.save(update_fields=["published", "updated_at"])
    return release


def _item_fields(*, kind: str, title: str, description: str, modules: str) -> dict:
    choice(kind, choices=ItemKind, field="kind", message="Choose feature or fix.")
    title = text(title, model=ReleaseItem, field="title", required="Give the item a title.")
    modules = join_modules(split_modules(modules))
    if len(modules) > 300:
        raise DomainError("Name at most 300 characters of modules.", field="modules")
    description = text(description, model=ReleaseItem, field="description")
    return {"kind": kind, "title": title, "description": description, "modules": modules}


def release_item_add(
    *, actor: User, release: Release, kind: str, title: str, description: str = "", modules: str = ""
) -> ReleaseItem:
    """Vendor staff add a feature or fix to a release, with the modules it affects (comma-separated)."""
    may_manage_releases.require(actor, release)
    fields = _item_fields(kind=kind, title=title, description=description, modules=modules)
    return ReleaseItem.objects.create(release=release, **fields)


def release_item_update(
    *, actor: User, item: ReleaseItem, kind: str, title: str, description: str = "", modules: str = ""
) -> ReleaseItem:
    """Vendor staff correct an item of a release."""
    may_manage_releases.require(actor, item)
    for name, value in _item_fields(kind=kind, title=title, description=description, modules=modules).items():
        setattr(item, name, value)
    item.save()
    return item


def release_item_remove(*, actor: User, item: ReleaseItem) -> None:
    """Vendor staff remove an item; previews that showed it no longer list it."""
    may_manage_releases.require(actor, item)
    item.delete()
