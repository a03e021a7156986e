"""Request size limits, enforced before the body is kept: a whole request, each uploaded file, the fields of a
form or a JSON body, and the number of files; each refusal is a 413 that says which limit, on a page and in the
API, and nothing of the request is stored. The settings come from environment variables; gunicorn holds the
request line and the headers (a real gunicorn started with the project's config)."""

import datetime as dt
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from accounts.models import TamAbsence
from cases.models import Attachment, Case

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_limits(settings):
    settings.ESS_MAX_REQUEST_BYTES = 20_000
    settings.ESS_MAX_UPLOAD_BYTES = 4_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3_000
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    return settings


def open_case(client, **extra):
    data = {"subject": "Scanner offline", "description": "It stopped", "severity": 3, **extra}
    return client.post("/cases/new/", data)


def a_file(size: int, name: str = "log.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


def nothing_stored():
    return not Case.objects.exists() and not Attachment.objects.exists()


def test_a_request_within_the_limits_goes_through(small_limits, client_for, alice, ess):
    response = open_case(client_for(alice), attachments=[a_file(3_000), a_file(3_000, "b.txt")])
    assert response.status_code == 302
    assert Attachment.objects.count() == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"attachments": [a_file(21_000)]}, "The request is too large: at most"),
        ({"attachments": [a_file(4_001, "huge.log")]}, "“huge.log” is larger than"),
        ({"attachments": [a_file(10), a_file(10, "b.txt"), a_file(10, "c.txt")]}, "Too many files at once: at most 2"),
        ({"description": "y" * 3_500}, "The form is too large"),
    ],
    ids=["whole-request", "one-file", "number-of-files", "form-fields"],
)
def test_a_page_refuses_what_passes_a_limit_with_a_413_and_stores_nothing(
    small_limits, client_for, alice, ess, extra, message
):
    response = open_case(client_for(alice), **extra)
    assert response.status_code == 413
    html = response.content.decode()
    assert message in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert "Nothing was saved" in html
    assert nothing_stored()


def test_the_api_answers_a_413_in_json(small_limits, client_for, alice, ess):
    client = client_for(alice)
    big = client.post("/api/v1/cases/", {"subject": "x", "description": "y" * 3_500}, content_type="application/json")
    assert big.status_code == 413
    assert big.json() == {"detail": big.json()["detail"], "code": "request_too_large"}
    assert big.json()["detail"].startswith("The form is too large")
    upload = client.post("/api/v1/cases/", {"subject": "x", "file": a_file(4_001, "huge.log")})
    assert upload.status_code == 413 and "“huge.log” is larger than" in upload.json()["detail"]
    assert nothing_stored()


def test_a_file_in_a_patch_is_refused_while_the_api_reads_it(small_limits, client_for, tam):
    """PUT and PATCH bodies are read by the API view itself: the limit stops them there, the same way."""
    now = timezone.now()
    absence = TamAbsence.objects.create(
        tam=tam, starts_at=now + dt.timedelta(days=3), ends_at=now + dt.timedelta(days=4)
    )
    client = client_for(tam)
    body = encode_multipart(BOUNDARY, {"note": "away", "file": a_file(4_001, "huge.log")})
    response = client.patch(f"/api/v1/absences/{absence.pk}/", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 413
    absence.refresh_from_db()
    assert absence.note == ""


def test_the_limits_come_from_the_environment_with_sane_defaults(monkeypatch):
    for name in ("MAX_REQUEST_BYTES", "MAX_UPLOAD_BYTES", "MAX_FORM_BYTES", "MAX_FILES_PER_REQUEST"):
        monkeypatch.delenv(name, raising=False)
    defaults = runpy.run_path(str(ROOT / "ess_portal" / "settings" / "base.py"))
    assert defaults["ESS_MAX_REQUEST_BYTES"] == 50 * 1024 * 1024
    assert defaults["ESS_MAX_UPLOAD_BYTES"] == 25 * 1024 * 1024
    assert defaults["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 5 * 1024 * 1024
    assert defaults["DATA_UPLOAD_MAX_NUMBER_FILES"] == 20
    assert defaults["FILE_UPLOAD_HANDLERS"][0] == "ess_portal.request_limits.LimitedUploadHandler"
    assert "ess_portal.request_limits.RequestSizeLimitMiddleware" in defaults["MIDDLEWARE"]
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("MAX_FILES_PER_REQUEST", "3")
    chosen = runpy.run_path(str(ROOT / "ess_portal" / "settings" / "base.py"))
    assert (chosen["ESS_MAX_UPLOAD_BYTES"], chosen["DATA_UPLOAD_MAX_NUMBER_FILES"]) == (1234, 3)
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(Exception, match="invalid literal"):  # a typo stops the start
        runpy.run_path(str(ROOT / "ess_portal" / "settings" / "base.py"))


# --- gunicorn: the request line and the headers ------------------------------------------------------------------

APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(port: int, request: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        reply = conn.recv(200).decode(errors="replace")
    return int(reply.split()[1])


@pytest.fixture
def gunicorn(tmp_path):
    (tmp_path / "tiny.py").write_text(APP)
    port = _free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "LIMIT_REQUEST_LINE": "300"}
    env.pop("LIMIT_REQUEST_FIELDS", None)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--chdir",
            str(tmp_path),
            "tiny:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _status(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(10)


def test_gunicorn_refuses_a_long_request_line_and_too_many_headers(gunicorn):
    assert _status(gunicorn, b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: x\r\n\r\n") == 200
    assert _status(gunicorn, b"GET /" + b"a" * 400 + b" HTTP/1.1\r\nHost: x\r\n\r\n") == 414  # set by environment
    headers = b"".join(b"X-H%d: v\r\n" % n for n in range(59))
    assert _status(gunicorn, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n") == 200
    headers = b"".join(b"X-H%d: v\r\n" % n for n in range(61))
    assert _status(gunicorn, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n") == 431  # the default: 60


@pytest.mark.parametrize("action", ["reply", "note"])
def test_every_case_form_that_takes_files_refuses_a_file_past_the_limit(
    small_limits, client_for, support, alice, action
):
    """The limits hold on every route that takes a file (they are Django's upload handler and the request's own
    check, whatever the view): a reply's or a note's attachments too, with nothing of the entry kept."""
    from cases.models import CaseEntry
    from cases.services import case_open

    case = case_open(actor=alice, account=alice.account, subject="Scanner", description="", severity=3)
    entries = CaseEntry.objects.filter(case=case).count()
    response = client_for(support).post(
        f"/cases/{case.pk}/{action}/", {"body": "Logs attached", "attachments": [a_file(4_001, "huge.log")]}
    )
    assert response.status_code == 413
    assert "“huge.log” is larger than" in response.content.decode()
    assert CaseEntry.objects.filter(case=case).count() == entries and not Attachment.objects.exists()
