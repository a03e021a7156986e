"""Size: a message over the limit is refused whole (exit 65, nothing stored) while memory stays small, because it
is spooled to a temporary file as it is read; a large message taken in stays within a few times its size."""

import io
import os
import tracemalloc

import pytest

from cases.models import Attachment, Case
from intake.models import InboundMail
from intake.services import mail_ingest

from .conftest import pipe, written

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _peak(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _message(alice, megabytes: float) -> bytes:
    data = os.urandom(int(megabytes * MB * 3 / 4))  # base64 makes it a third larger
    return written(sender=alice.email, attachments=[("dump.zip", data, "application/zip")])


def test_a_30_mb_message_is_refused_whole_in_a_few_megabytes_of_memory(alice, monkeypatch):
    raw = _message(alice, 30)
    assert len(raw) > 30 * MB
    stream = io.BytesIO(raw)

    result, peak = _peak(lambda: mail_ingest(stream))

    assert (result.outcome, result.exit_code) == ("refused", 65)
    assert peak < 4 * MB, f"{peak / MB:.1f} MB"
    assert stream.tell() == len(raw)  # the mail server's pipe is read to its end
    assert pipe(raw, monkeypatch)[0] == 65
    assert not InboundMail.objects.exists() and not Case.objects.exists()


def test_a_30_mb_message_under_a_raised_limit_is_taken_in_under_four_times_its_size(alice, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 40 * MB
    raw = _message(alice, 30)

    result, peak = _peak(lambda: mail_ingest(io.BytesIO(raw)))

    assert result.outcome == "case"
    assert peak < 4 * len(raw), f"{peak / MB:.0f} MB for a {len(raw) / MB:.0f} MB message"
    print(f"peak {peak / MB:.0f} MB for {len(raw) / MB:.0f} MB")
    # the 22 MB file is over the upload rule, and so is the original: both are named or kept, not attached
    assert not Attachment.objects.exists() and InboundMail.objects.get().original
