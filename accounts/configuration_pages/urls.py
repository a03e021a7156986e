from django.urls import path

from . import calendar_views, contract_views, people_views, views

app_name = "config"

urlpatterns = [
    path("", views.index, name="index"),
    path("tiers/", views.tier_list, name="tiers"),
    path("tiers/new/", views.tier_edit, name="tier-new"),
    path("tiers/<int:pk>/", views.tier_edit, name="tier"),
    path("limits/", views.limits, name="limits"),
    path("calendars/", calendar_views.calendar_list, name="calendars"),
    path("calendars/new/", calendar_views.calendar_new, name="calendar-new"),
    path("calendars/preview/", calendar_views.calendar_preview_partial, name="calendar-preview"),
    path("calendars/<int:pk>/", calendar_views.calendar_detail, name="calendar"),
    path("calendars/<int:pk>/details/", calendar_views.calendar_action.one("details"), name="calendar-details"),
    path("calendars/<int:pk>/hours/", calendar_views.calendar_action.one("hours"), name="calendar-hours"),
    path("calendars/<int:pk>/holidays/", calendar_views.calendar_action.one("holiday-add"), name="holiday-add"),
    path(
        "calendars/<int:pk>/holidays/remove/",
        calendar_views.calendar_action.one("holiday-remove"),
        name="holiday-remove",
    ),
    path(
        "calendars/<int:pk>/holidays/import/",
        calendar_views.calendar_action.one("holidays-import"),
        name="holidays-import",
    ),
    path("people/", people_views.people_list, name="people"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/roles/", people_views.person_action.one("roles"), name="person-roles"),
    path("people/<int:pk>/details/", people_views.person_action.one("details"), name="person-details"),
    path("people/<int:pk>/access/", people_views.person_action.one("access"), name="person-access"),
    path("accounts/", contract_views.account_list, name="accounts"),
    path("accounts/new/", contract_views.account_new, name="account-new"),
    path("accounts/<slug:slug>/", contract_views.account_detail, name="account"),
    path("accounts/<slug:slug>/details/", contract_views.account_action.one("details"), name="account-details"),
    path("accounts/<slug:slug>/tams/", contract_views.account_action.one("tams"), name="account-tams"),
    path(
        "accounts/<slug:slug>/contracts/",
        contract_views.account_contract_action.one("contract-new"),
        name="contract-new",
    ),
    path(
        "accounts/<slug:slug>/change-tier/",
        contract_views.account_contract_action.one("change-tier"),
        name="change-tier",
    ),
    path("contracts/<int:pk>/end/", contract_views.contract_action.one("end"), name="contract-end"),
    path("contracts/<int:pk>/cancel/", contract_views.contract_action.one("cancel"), name="contract-cancel"),
]
