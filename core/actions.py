"""One pattern for posted actions: a table per page, each entry naming its form, the service it calls and who
may see it offered.

    EVENT_ACTIONS = {
        "confirm": PageAction(run=lambda request, event, data: services.event_confirm(actor=request.user, event=event),
                              done="Event confirmed.", may=services.may_confirm),
        "cancel": PageAction(form=CancelForm, form_key="cancel_form", run=..., done="Event cancelled."),
    }

    return perform(request, event, EVENT_ACTIONS, action, page=lambda forms: render(...), success_url=...)

The service is the authority: it raises ``NotAllowed`` (403) or ``DomainError`` (shown on the action's form).
``may`` is the service's own predicate, used to offer or hide the action on the page. When it is a
``core.permissions.Rule`` (the same object the service requires), ``perform`` asks it before reading the form,
so a user the service would refuse gets its 403 whatever they posted.
A form parses input (types, required fields); it holds no rule and writes nothing.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from .errors import NON_FIELD, DomainError


@dataclass(frozen=True)
class PageAction:
    run: Callable[[Any, Any, dict], Any]
    done: str | Callable[[Any], str]
    form: type[django_forms.Form] | None = None
    form_key: str | None = None
    form_kwargs: Callable[[Any, Any], dict] = field(default=lambda request, target: {})
    may: Callable[[Any, Any], bool] | None = None

    def make_form(self, request, target, data=None):
        if self.form is None:
            return None
        if data is None:
            return self.form(**self.form_kwargs(request, target))
        return self.form(data, request.FILES or None, **self.form_kwargs(request, target))


def add_domain_error(form: django_forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: each message on its field when the form has one, else on top."""
    for name, texts in error.errors.items():
        for text in texts:
            form.add_error(name if name in form.fields and name != NON_FIELD else None, text)


def offered(user, target, table: Mapping[str, PageAction]) -> dict[str, bool]:
    """Which actions the page offers this user (the services' own predicates)."""
    return {name: action.may(user, target) if action.may else True for name, action in table.items()}


def perform(
    request,
    target,
    table: Mapping[str, PageAction],
    name: str,
    *,
    page: Callable[[dict], HttpResponse],
    success_url: str,
) -> HttpResponse:
    """Run the named action of the page's table on ``target``: parse its form, call its service, and redirect to
    ``success_url`` with its message; on a refusal render ``page`` with the form showing why (a refusal without
    a form is a message on the page it came from)."""
    action = table.get(name)
    if action is None:
        raise Http404
    if hasattr(action.may, "require"):
        action.may.require(request.user, target)
    form = action.make_form(request, target, request.POST)
    if form is not None and not form.is_valid():
        return page({action.form_key: form})
    try:
        result = action.run(request, target, form.cleaned_data if form is not None else {})
    except DomainError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect(success_url)
        add_domain_error(form, error)
        return page({action.form_key: form})
    messages.success(request, action.done(result) if callable(action.done) else action.done)
    return redirect(success_url)


def perform_form(request, form: django_forms.Form, run: Callable[[dict], Any]):
    """For a page with a single form: validate it and call the service. Returns (result, None) on success, or
    (None, form) with the refusal shown on it."""
    if not form.is_valid():
        return None, form
    try:
        return run(form.cleaned_data), None
    except DomainError as error:
        add_domain_error(form, error)
        return None, form


def perform_form_on_page(
    request,
    form: django_forms.Form,
    run: Callable[[dict], Any],
    *,
    page: Callable[[dict], HttpResponse],
    form_key: str,
    done: str | Callable[[Any], str],
    success_url: str | Callable[[Any], str],
) -> HttpResponse:
    """``perform_form`` for one form of a page that holds several: on a refusal render ``page`` with this form (under
    ``form_key``) showing why; on success redirect to ``success_url`` with the ``done`` message."""
    result, refused = perform_form(request, form, run)
    if refused is not None:
        return page({form_key: refused})
    messages.success(request, done(result) if callable(done) else done)
    return redirect(success_url(result) if callable(success_url) else success_url)
