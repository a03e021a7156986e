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
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .errors import NON_FIELD, DomainError


@dataclass(frozen=True)
class PageAction:
    run: Callable[[Any, Any, dict], Any]
    done: str | Callable[[Any], str]
    form: type[django_forms.Form] | None = None
    form_key: str | None = None
    form_kwargs: Callable[[Any, Any], dict] = field(default=lambda request, target: {})
    may: Callable[[Any, Any], bool] | None = None
    # A button on a row of a list (remove this holiday): its refusal is a message on the page it came from, as for
    # an action without a form, rather than the form shown again.
    refused_as_message: bool = False

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
    success_url: str | Callable[[Any], str],
) -> HttpResponse:
    """Run the named action of the page's table on ``target``: parse its form, call its service, and redirect to
    ``success_url`` (or ``success_url(result)``) with its message; on a refusal render ``page`` with the form
    showing why (a refusal of an action without a form, or of a row's button, is a message on the page it came
    from: ``success_url(target)``)."""
    action = table.get(name)
    if action is None:
        raise Http404
    if hasattr(action.may, "require"):
        action.may.require(request.user, target)

    def back(outcome) -> str:
        return success_url(outcome) if callable(success_url) else success_url

    def refused_as_message(errors: Mapping[str, list]) -> HttpResponse:
        messages.error(request, " ".join(str(text) for texts in errors.values() for text in texts))
        return redirect(back(target))

    form = action.make_form(request, target, request.POST)
    if form is not None and not form.is_valid():
        return refused_as_message(form.errors) if action.refused_as_message else page({action.form_key: form})
    try:
        result = action.run(request, target, form.cleaned_data if form is not None else {})
    except DomainError as error:
        if form is None or action.refused_as_message:
            return refused_as_message(error.errors)
        add_domain_error(form, error)
        return page({action.form_key: form})
    messages.success(request, action.done(result) if callable(action.done) else action.done)
    return redirect(back(result))


def action_view(
    table: Mapping[str, PageAction],
    *,
    fetch: Callable[..., Any],
    page: Callable[[Any, Any, dict], HttpResponse],
    back: Callable[[Any, Any], str],
):
    """The POST view of a page's action table, routed with the action's name in the path (``<str:action>``), or
    one route per action: ``view.one("hours")``. ``fetch(request, **url_kwargs)`` finds the target with its own
    403 or 404; ``page(request, target, forms)`` renders the page with a refused form; ``back(target, outcome)``
    is where a done or refused action returns (``outcome`` is the service's result, or the target on a
    refusal)."""

    def run(request, name: str, kwargs: dict) -> HttpResponse:
        target = fetch(request, **kwargs)
        return perform(
            request,
            target,
            table,
            name,
            page=lambda forms: page(request, target, forms),
            success_url=lambda outcome: back(target, outcome),
        )

    @login_required
    @require_POST
    def view(request, action: str, **kwargs):
        return run(request, action, kwargs)

    def one(name: str):
        if name not in table:
            raise KeyError(f"no action {name!r} in the table")

        @login_required
        @require_POST
        def one_view(request, **kwargs):
            return run(request, name, kwargs)

        one_view.action_table, one_view.action_name = table, name  # what answers the route, for the route tests
        return one_view

    view.action_table, view.action_name, view.one = table, None, one
    return view


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
