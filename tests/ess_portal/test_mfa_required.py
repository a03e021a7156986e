import os
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator


@pytest.fixture
def mfa_required(settings):
    settings.ESS_REQUIRE_STAFF_MFA = True


@pytest.mark.parametrize("persona", ["tam", "support", "tam_level", "admin_user"])
def test_staff_without_an_authenticator_are_sent_to_enrol(request, client_for, mfa_required, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/v1/me/").status_code == 403
    # The enrolment page itself is reachable (allauth may first ask a test-forced session to re-authenticate).
    enrol = client.get("/accounts/2fa/totp/activate/")
    assert enrol.status_code == 200 or enrol["Location"].startswith("/accounts/reauthenticate/")


def test_fragments_fetched_in_place_are_refused_not_redirected_until_enrolled(client_for, mfa_required, support):
    client = client_for(support)
    assert client.get("/status/jobs/", HTTP_HX_REQUEST="true").status_code == 403
    enrol = client.get("/accounts/2fa/totp/activate/", follow=True).content.decode()
    assert 'id="job-status"' not in enrol  # the sign-in and security pages do not fetch the banner


def test_staff_with_an_authenticator_pass(client_for, mfa_required, tam):
    Authenticator.objects.create(user=tam, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for(tam).get("/").status_code == 200


def test_customers_are_not_forced_to_enrol(client_for, mfa_required, alice):
    assert client_for(alice).get("/").status_code == 200


def test_the_requirement_is_off_unless_configured(client_for, tam, settings):
    settings.ESS_REQUIRE_STAFF_MFA = False
    assert client_for(tam).get("/").status_code == 200


def _production_settings(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.ESS_REQUIRE_STAFF_MFA, settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "ess_portal.settings.production", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_require_mfa_for_staff():
    done = _production_settings({"SECRET_KEY": "k" * 64, "ALLOWED_HOSTS": "portal.example"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "True"]


def test_production_settings_refuse_a_missing_secret_key():
    done = _production_settings({"SECRET_KEY": ""})
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr
