"""Configuration pages (Django's admin) that write through the services, like every other route.

Django's form reads the input (types, required fields, which rows exist) and nothing more: what the input means,
the model's rules included, is the services' to say, in the same words as on every other route. A
``ServiceAdmin`` calls ``perform`` in the save step, once the form and its inlines have been read: ``perform``
calls the services and returns the saved object. Nothing is written during validation and Django saves nothing
itself.

A service's refusal (``DomainError``) undoes the request's transaction and the page is shown again, as for any
invalid form, with the service's words on the form. ``NotAllowed`` is a 403 and ``ReauthenticationRequired`` the
password prompt, which then replays the change.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from .actions import add_domain_error
from .errors import DomainError


class _Refused(Exception):
    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


class _ReadsOnly:
    """A model form that reads its fields into its instance and leaves the model's rules to the services."""

    def _post_clean(self):
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)


def _reading(form_class):
    return type(form_class.__name__, (_ReadsOnly, form_class), {})


def _showing(form_class, refusal: DomainError):
    """The page's form class, which adds the service's refusal to what it says once it has validated."""

    class ShowsRefusal(form_class):
        def clean(self):
            cleaned = super().clean()
            add_domain_error(self, refusal)
            return cleaned

    ShowsRefusal.__name__ = ShowsRefusal.__qualname__ = form_class.__name__
    return ShowsRefusal


class ServiceAdminMixin:
    """Put before the ModelAdmin class (``class XAdmin(ServiceAdminMixin, admin.ModelAdmin)``) and define
    ``perform``."""

    def perform(self, request, form, formsets, change: bool):  # pragma: no cover - each admin says what it does
        """Call the services with the validated ``form`` (and ``formsets``, the inlines); return the saved object."""
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        """Rows change through their services; deleting one from here would go round them."""
        return False

    def save_model(self, request, obj, form, change):
        """Django saves nothing here: ``perform`` runs in ``save_related``, once the inlines are valid too."""

    def save_related(self, request, form, formsets, change):
        try:
            saved = self.perform(request, form, formsets, change)
        except DomainError as error:
            raise _Refused(error) from error
        if saved is not None and saved is not form.instance:
            form.instance.pk = saved.pk  # Django names and links the saved object through the form's instance
            form.instance._state.adding = False

    def construct_change_message(self, request, form, formsets, add=False):
        return super().construct_change_message(request, form, [], add)  # the services wrote the inline rows

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # The transaction of the attempt is undone; the same request is shown again, its form saying why.
            request.service_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = _reading(super().get_form(request, obj, change=change, **kwargs))
        refusal = getattr(request, "service_refusal", None)
        return form if refusal is None else _showing(form, refusal)


class ServiceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    pass


def kept_rows(formsets, model) -> list[dict]:
    """The validated rows of ``model``'s inline that the page keeps (filled in, not ticked for deletion)."""
    formset = next(formset for formset in formsets if formset.model is model)
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def row_action(service: Callable, noun: str, description: str):
    """An admin action that calls ``service(actor=..., <noun>=row)`` for each selected row; a row the service
    refuses is named with the reason, the others go ahead."""

    @admin.action(description=description)
    def act(model_admin, request, queryset):
        for row in queryset:
            try:
                service(actor=request.user, **{noun: row})
            except DomainError as error:
                model_admin.message_user(request, f"{row}: {error.message}", messages.WARNING)

    act.__name__ = f"{service.__name__}_selected"
    return act
