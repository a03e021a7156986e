"""Settings of the Celery workers the fault tests start (``DJANGO_SETTINGS_MODULE=tests.ops.worker_settings``):
the development settings with DEBUG off, and Redis handing an unacknowledged message out again after two
seconds instead of an hour, so the message of a killed worker comes back while the test waits."""

from ess_portal.settings.local import *  # noqa: F403

DEBUG = False
VISIBILITY_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": VISIBILITY_TIMEOUT}
