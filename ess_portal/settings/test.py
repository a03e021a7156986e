"""Test settings: the local settings with fast hashing, in-memory mail and eager tasks, and N+1 detection."""

from .local import *  # noqa: F403
from .local import INSTALLED_APPS, MIDDLEWARE, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if not REDIS_URL:
    CELERY_BROKER_URL = "memory://"
# The cache holds rate-limit counters: a private one per test process keeps tests independent.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ESS_REQUIRE_STAFF_MFA = False
LOGGING_CONFIG = None
WHITENOISE_USE_FINDERS = True

# N+1 queries fail the test that causes them (django-zeal): within one unit of work (a request, a task, a call a test
# makes into the portal's functions: tests/perf/n_plus_one.py), a related object or `.get()` fetched again from the
# same line of code for another row raises NPlusOneError. The middleware comes first so that it sees every query.
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
MIDDLEWARE = ["tests.perf.n_plus_one.per_request", *MIDDLEWARE]
ZEAL_RAISE = True
ZEAL_NPLUSONE_THRESHOLD = 2  # the second fetch from the same line is one too many
ZEAL_ALLOWLIST = [
    # User.roles reads one person's roles once (a cached property, the only line that reads them). An action
    # concerns a few people, each read once (the actor and the TAM of an absence, the replier and the case's
    # author), so zeal sees two people as an N+1. No page or list shows other people's roles.
    {"model": "accounts.User", "field": "groups"},
    # The quarterly jobs catch up one quarter per transaction, in order, so that a run stopped half-way keeps the
    # quarters it finished: each quarter's marker row is read once, a loop over missed quarters, not over rows.
    {"model": "maintenance.QuarterRollover", "field": "get()"},
    {"model": "reviews.ReviewQuarter", "field": "get()"},
    {"model": "value_reports.ValueReportRun", "field": "get()"},
    # Automatic renewals are made one contract at a time, each in its own transaction under its account's lock (a
    # concurrent run must find the renewal made): a handful a day, each contract re-read once under the lock.
    {"model": "accounts.Contract", "field": "get()"},
    # A PATCH that both schedules a review and rewrites its summary is two writes, and each service locks and
    # re-reads the review: the same row twice, not a row per row.
    {"model": "reviews.ProactiveReview", "field": "get()"},
    # django-celery-beat's own schedule pages in /config/ list the periodic jobs of a schedule, each named by its
    # schedule (PeriodicTask.__str__): its code, over the portal's handful of jobs.
    *(
        {"model": "django_celery_beat.PeriodicTask", "field": field}
        for field in ("interval", "crontab", "solar", "clocked")
    ),
    # Django admin's inline formsets check each submitted row's id with its own query (ModelChoiceField.to_python):
    # the open intervals and holidays of one calendar, the targets of one policy, the items of one release.
    *({"model": model, "field": "get()"} for model in ("accounts.OpenInterval", "accounts.Holiday")),
    *({"model": model, "field": "get()"} for model in ("cases.SlaTarget", "reviews.ReleaseItem")),
    # The same check for each choice of one kind in a configuration form: an assignment's primary and backup TAM (two
    # people), the calendar each target of a policy names. Rows of one page, not a row per row of a list.
    *({"model": model, "field": "get()"} for model in ("accounts.User", "accounts.BusinessCalendar")),
    # Django admin's delete confirmation in /config/ names every row a deletion would touch with str(), one by one;
    # an event's name includes its account. Django's page, not the portal's; the event pages and API are held to a
    # fixed number of queries by tests/perf/test_query_counts.py and the maintenance tests.
    {"model": "maintenance.MaintenanceEvent", "field": "account"},
    # allauth's sign-in by an e-mailed code reads the address signing in twice from one line of its own: to mark it
    # verified, then to check that it is. One row, read twice; the portal's own code reads addresses by filter.
    {"model": "account.EmailAddress", "field": "get()"},
    # When a new address is verified, allauth removes the person's other address (at most one: ACCOUNT_CHANGE_EMAIL)
    # reading the owner of each from one line.
    {"model": "account.EmailAddress", "field": "user"},
    # Django's session store: a request whose session a password change has ended loads the session row, then
    # deletes it (a read each). One row; the portal itself reads sessions in bulk (accounts/sessions.py).
    {"model": "sessions.Session", "field": "get()"},
]
