"""Test settings: the local settings with fast hashing, in-memory mail and eager tasks."""

from .local import *  # noqa: F403
from .local import REDIS_URL

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
