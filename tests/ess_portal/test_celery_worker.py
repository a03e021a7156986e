"""A real Celery worker process, consuming from Redis, executes a task sent by the test."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from ess_portal.celery import app
from ess_portal.tasks import ping


@pytest.mark.redis
def test_a_real_worker_executes_a_task_through_redis(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ess_portal.settings.local", "REDIS_URL": settings.REDIS_URL}
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ess_portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        result = ping.apply_async(queue=queue)
        assert result.get(timeout=60) == "pong"
    finally:
        app.conf.task_always_eager = previous
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
