import re

import pytest


@pytest.mark.django_db
def test_every_page_forbids_inline_script(client_for, alice):
    response = client_for(alice).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script> block would be blocked"


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client_for, support):
    html = client_for(support).get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)


@pytest.mark.django_db
def test_sessions_expire_when_idle(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
