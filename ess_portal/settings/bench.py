"""Benchmark settings: production as it is, served over plain HTTP on loopback, plus one baseline view.

Used only by ``bench/run.py``. Everything comes from ``production``; the runner turns off what plain HTTP on
127.0.0.1 cannot have through the environment variables production already reads (``SECURE_SSL_REDIRECT``,
``SECURE_HSTS_SECONDS``). The one change here is the URL configuration: ``bench.urls`` is the portal's, plus an
authenticated hello-world JSON view that is the baseline of the API benchmark and exists under no other settings.
``bench`` is an app here only, for its ``seed_bench`` command (nothing imports ``bench``).
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
