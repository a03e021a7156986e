"""Business calendars: the list, a new calendar, and one calendar's page (its name and zone, its week as a grid with a
live preview, its holidays added by hand or imported by country and region). Each change is one route calling its
calendar service."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.actions import PageAction, action_view, perform_form
from core.errors import DomainError
from core.wording import zone_words

from .. import services
from ..models import BusinessCalendar
from ..quarters import vendor_today
from .calendar_forms import (
    CalendarDetailsForm,
    HolidayForm,
    HolidayImportForm,
    HolidayLookupForm,
    HolidayRemoveForm,
    NewCalendarForm,
    WeekHoursForm,
    subdivision_choices,
)
from .preview import calendar_preview, week_summary
from .views import require_configuration_area

SUPPORT_WEEK = {day: [(dt.time(6), dt.time(18))] for day in range(5)}  # what a new calendar's grid starts from


def weekly_of(calendar: BusinessCalendar) -> dict[int, list[tuple[dt.time, dt.time]]]:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for interval in calendar.intervals.all():
        weekly.setdefault(interval.weekday, []).append((interval.opens, interval.closes))
    return weekly


@login_required
@require_GET
def calendar_list(request):
    require_configuration_area(request.user)
    calendars = (
        BusinessCalendar.objects.prefetch_related("intervals")
        .annotate(holiday_count=Count("holidays", distinct=True), tier_count=Count("tiers", distinct=True))
        .order_by("name")
    )
    rows = [
        {"calendar": calendar, "zone": zone_words(calendar.time_zone), "hours": week_summary(weekly_of(calendar))}
        for calendar in calendars
    ]
    return render(request, "config/calendars.html", {"rows": rows})


@login_required
def calendar_new(request):
    """A calendar's name, zone and week, saved together (``calendar_save``, then ``calendar_set_hours``)."""
    require_configuration_area(request.user)
    initial, slots = WeekHoursForm.initial_for(SUPPORT_WEEK)
    form = NewCalendarForm(request.POST or None, initial={**initial, "time_zone": "America/Denver"}, slots=slots)
    if request.method == "POST":

        def create(data):
            with transaction.atomic():
                calendar = services.calendar_save(
                    actor=request.user,
                    name=data["name"],
                    time_zone=data["time_zone"],
                    description=data["description"],
                )
                return services.calendar_set_hours(actor=request.user, calendar=calendar, weekly=data["weekly"])

        calendar, form = perform_form(request, form, create)
        if calendar is not None:
            messages.success(request, f"{calendar.name} created. Add its holidays below.")
            return redirect("config:calendar", calendar.pk)
    preview = None if form.is_bound else _preview("America/Denver", SUPPORT_WEEK, [])
    return render(request, "config/calendar_new.html", {"form": form, "preview": preview})


def _preview(zone: str, weekly: dict, holidays: list[dt.date]):
    return calendar_preview(time_zone=zone, weekly=weekly, holidays=holidays, now=timezone.now())


def _upcoming_holidays(calendar: BusinessCalendar | None) -> list[dt.date]:
    if calendar is None:
        return []
    since = vendor_today() - dt.timedelta(days=1)
    return list(calendar.holidays.filter(date__gte=since).values_list("date", flat=True))


def _calendar(request, pk) -> BusinessCalendar:
    require_configuration_area(request.user)
    return get_object_or_404(BusinessCalendar.objects.prefetch_related("intervals"), pk=pk)


def _found_holidays(calendar: BusinessCalendar, lookup: HolidayLookupForm) -> list[dict] | None:
    """The looked-up holidays, each saying whether the calendar already has its date; None before a lookup."""
    if not lookup.is_bound or not lookup.is_valid():
        return None
    try:
        found = services.public_holidays(**lookup.cleaned_data)
    except DomainError as error:
        lookup.add_error(error.field if error.field in lookup.fields else None, error.message)
        return None
    existing = set(calendar.holidays.values_list("date", flat=True))
    return [{"date": day, "name": name, "kept": day in existing} for day, name in found]


def _calendar_page(request, calendar: BusinessCalendar, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    weekly = weekly_of(calendar)
    initial, slots = WeekHoursForm.initial_for(weekly)
    lookup = forms.get("lookup_form") or HolidayLookupForm(
        request.GET if "country" in request.GET else None, initial={"year": vendor_today().year + 1}
    )
    found = _found_holidays(calendar, lookup) if "lookup_form" not in forms else None
    this_year = dt.date(vendor_today().year, 1, 1)
    context = {
        "calendar": calendar,
        "zone": zone_words(calendar.time_zone),
        "details_form": CalendarDetailsForm(
            initial={"name": calendar.name, "time_zone": calendar.time_zone, "description": calendar.description}
        ),
        "hours_form": WeekHoursForm(initial=initial, slots=slots),
        "preview": _preview(calendar.time_zone, weekly, _upcoming_holidays(calendar)),
        "holiday_form": HolidayForm(),
        "lookup_form": lookup,
        "found": found,
        "regions": subdivision_choices(lookup["country"].value() or "US"),
        "holidays": calendar.holidays.filter(date__gte=this_year).order_by("date"),
        "past_holidays": calendar.holidays.filter(date__lt=this_year).count(),
        **forms,
    }
    return render(request, "config/calendar.html", context, status=status)


def _import_holidays(request, calendar: BusinessCalendar, data: dict) -> int:
    """Import the ticked public holidays of a country (and region) for a year; dates already there stay as they are."""
    picked = services.public_holidays_ticked(
        country=data["country"], subdivision=data["subdivision"], year=data["year"], dates=data["date"]
    )
    return services.calendar_import_holidays(actor=request.user, calendar=calendar, holidays=picked)


def _remove_holiday(request, calendar: BusinessCalendar, data: dict) -> dt.date:
    services.calendar_remove_holiday(actor=request.user, calendar=calendar, day=data["date"])
    return data["date"]


# What one calendar's page can change, each by one calendar service.
CALENDAR_ACTIONS = {
    "details": PageAction(
        form=CalendarDetailsForm,
        form_key="details_form",
        run=lambda request, calendar, data: services.calendar_save(actor=request.user, calendar=calendar, **data),
        done=lambda saved: f"{saved.name} saved.",
    ),
    "hours": PageAction(
        form=WeekHoursForm,
        form_key="hours_form",
        run=lambda request, calendar, data: services.calendar_set_hours(
            actor=request.user, calendar=calendar, weekly=data["weekly"]
        ),
        done=lambda saved: f"Open hours of {saved.name} saved: {week_summary(weekly_of(saved))}.",
    ),
    # A holiday by hand (a date the calendar already has is renamed).
    "holiday-add": PageAction(
        form=HolidayForm,
        form_key="holiday_form",
        run=lambda request, calendar, data: services.calendar_add_holiday(
            actor=request.user, calendar=calendar, day=data["date"], name=data["name"]
        ),
        done=lambda saved: f"{saved.date:%b %-d, %Y} is a holiday of {saved.calendar.name}.",
    ),
    "holiday-remove": PageAction(
        form=HolidayRemoveForm,
        form_key="holiday_remove_form",
        refused_as_message=True,
        run=_remove_holiday,
        done=lambda day: f"{day:%b %-d, %Y} is no longer a holiday.",
    ),
    "holidays-import": PageAction(
        form=HolidayImportForm,
        form_key="lookup_form",
        run=_import_holidays,
        done=lambda added: f"Added {added} holiday{'s' if added != 1 else ''} to the calendar.",
    ),
}


@login_required
@require_GET
def calendar_detail(request, pk):
    return _calendar_page(request, _calendar(request, pk))


calendar_action = action_view(
    CALENDAR_ACTIONS,
    fetch=lambda request, pk: _calendar(request, pk),
    page=_calendar_page,
    back=lambda calendar, outcome: reverse("config:calendar", args=[calendar.pk]),
)


@login_required
@require_GET
def calendar_preview_partial(request):
    """The preview of the week being edited (an htmx partial): the grid as typed, in the zone typed (a new calendar)
    or the calendar's own, with the calendar's holidays."""
    require_configuration_area(request.user)
    grid = WeekHoursForm(request.GET)
    calendar_pk = request.GET.get("calendar", "")
    calendar = BusinessCalendar.objects.filter(pk=calendar_pk).first() if calendar_pk.isdigit() else None
    zone = request.GET.get("time_zone") or (calendar.time_zone if calendar else "")
    if not grid.is_valid():
        problems = [f"{grid.fields[name].label}: {text}" for name, texts in grid.errors.items() for text in texts]
        return render(request, "config/partials/calendar_preview.html", {"problems": problems})
    preview = _preview(zone, grid.cleaned_data["weekly"], _upcoming_holidays(calendar))
    return render(request, "config/partials/calendar_preview.html", {"preview": preview, "problems": preview.problems})
