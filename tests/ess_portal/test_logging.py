import logging

import pytest


@pytest.mark.django_db
def test_log_lines_carry_the_request_id(client, caplog, monkeypatch):
    def failing_database():
        logging.getLogger("ess_portal.views").warning("database check failed")
        return False

    monkeypatch.setattr("ess_portal.views._database_ok", failing_database)
    from ess_portal.request_id import RequestIdFilter

    handler = caplog.handler
    handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="ess_portal.views"):
        client.get("/healthz", HTTP_X_REQUEST_ID="req-42")
    record = next(r for r in caplog.records if r.getMessage() == "database check failed")
    assert record.request_id == "req-42"


def test_the_configured_format_is_one_line_with_the_request_id(settings):
    line_format = settings.LOGGING["formatters"]["line"]["format"]
    assert "request_id=%(request_id)s" in line_format
    assert "\n" not in line_format
    assert settings.LOGGING["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
