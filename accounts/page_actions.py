"""The shape every page action takes: run the service; on success go back to the page; on a refusal show it
on the form that caused it (or as a message when the action has no form) and render the page again."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from .errors import DomainError


class FormInvalid(Exception):
    """A form of the page did not validate: the page is shown again with its errors."""


def valid(form) -> dict:
    if not form.is_valid():
        raise FormInvalid
    return form.cleaned_data


def add_domain_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def page_action(request, run: Callable[[], None], *, forms: dict, done: str, again: Callable):
    """``run`` registers the forms it uses in ``forms`` before validating them; ``done`` is where to go on
    success; ``again`` renders the page with the forms and their errors."""
    try:
        run()
    except DomainError as error:
        form = next(iter(forms.values()), None)
        if form is None:
            messages.error(request, error.message)
            return redirect(done)
        add_domain_error(form, error)
    except FormInvalid:
        pass
    else:
        return redirect(done)
    return again()
