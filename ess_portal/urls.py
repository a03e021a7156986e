from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from accounts import security_views
from audit import api as audit_api
from cases import api as cases_api
from intake import api as intake_api
from intake import telephony_api
from integrations import api as integrations_api
from maintenance import api as maintenance_api
from maintenance import views as maintenance_views
from reviews import api as reviews_api
from value_reports import api as value_reports_api

from . import views


class ApiRouter(DefaultRouter):
    include_format_suffixes = False  # JSON only; no /accounts.json twins of every route


router = ApiRouter(use_regex_path=False)
router.register("accounts", maintenance_api.AccountWithCreditsViewSet, basename="account")
router.register("events", maintenance_api.MaintenanceEventViewSet, basename="event")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("escalations", cases_api.EscalationViewSet, basename="escalation")
router.register("triage", intake_api.TriageViewSet, basename="triage")
router.register("calls", telephony_api.CallViewSet, basename="call")
router.register("releases", reviews_api.ReleaseViewSet, basename="release")
router.register("previews", reviews_api.PreviewViewSet, basename="preview")
router.register("reviews", reviews_api.ReviewViewSet, basename="review")
router.register("contracts", accounts_api.ContractViewSet, basename="contract")
router.register("tiers", accounts_api.TierViewSet, basename="tier")
router.register("calendars", accounts_api.BusinessCalendarViewSet, basename="calendar")
router.register("absences", accounts_api.TamAbsenceViewSet, basename="absence")
router.register("invitations", accounts_api.InvitationViewSet, basename="invitation")
router.register("audit-events", audit_api.AuditEventViewSet, basename="audit-event")
router.register("tokens", integrations_api.ApiTokenViewSet, basename="api-token")
router.register("webhook-endpoints", integrations_api.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", integrations_api.WebhookMessageViewSet, basename="webhook-delivery")
router.register("value-reports", value_reports_api.ValueReportViewSet, basename="value-report")
router.register("renewals", value_reports_api.RenewalViewSet, basename="renewal")

api_urlpatterns = [
    path("me/", accounts_api.me, name="me"),
    path("me/emails/", security_views.my_emails, name="me-emails"),
    path("limits/", accounts_api.limits, name="limits"),
    path("accounts/<slug:slug>/renewal-notices/", value_reports_api.renewal_notices, name="renewal-notices"),
    *router.urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("status/jobs/", views.job_status, name="job-status"),
    # allauth's pages for one's address and sessions, their writes done by the portal's services
    path("accounts/email/", security_views.email_page, name="account_email"),
    path("accounts/sessions/", security_views.sessions_page, name="usersessions_list"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("accounts.urls")),
    path("customers/", include("accounts.customer_urls")),
    path("maintenance/", include("maintenance.urls")),
    path("cases/", include("cases.urls")),
    path("intake/", include("intake.urls")),
    path("integrations/", include("integrations.urls")),
    path("reviews/", include("reviews.urls")),
    path("value-reports/", include("value_reports.urls")),
    path("renewals/", include("value_reports.renewal_urls")),
    path("feeds/<str:token>.ics", maintenance_views.calendar_feed, name="calendar-feed"),
    path("configuration/sla/", include("cases.policy_urls")),
    path("configuration/", include("accounts.configuration_pages.urls")),
    path("config/", admin.site.urls),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "ess_portal.errors.permission_denied"
handler404 = "ess_portal.errors.page_not_found"
handler500 = "ess_portal.errors.server_error"
