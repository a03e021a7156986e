import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("alice", "Welcome, Alice"),
        ("tam", "TAM dashboard"),
        ("support", "Support"),
        ("tam_level", "Support"),
        ("admin_user", "Admin overview"),
    ],
)
def test_each_role_signs_in_and_sees_its_home(request, sign_in, persona, heading):
    user = request.getfixturevalue(persona)
    page = sign_in(user)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("footer")).to_contain_text(user.email)
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_wrong_password_gets_a_clear_error_and_no_session(sign_in, alice):
    page = sign_in(alice, secret="not-the-password")
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))


def test_a_customer_sees_no_configuration_link(sign_in, alice):
    page = sign_in(alice)
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Configuration")


def test_staff_enrol_an_authenticator_app_when_required(settings, sign_in, tam, password):
    settings.ESS_REQUIRE_STAFF_MFA = True
    page = sign_in(tam)
    expect(page.get_by_role("alert")).to_contain_text("requires two-factor authentication")
    # Adding an authenticator is a sensitive change: the password is asked once more.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm Access")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    assert Authenticator.objects.filter(user=tam, type=Authenticator.Type.TOTP).exists()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("TAM dashboard")


@pytest.mark.parametrize("persona", ["alice", "tam", "support", "admin_user"])
def test_homes_do_not_break_at_375_pixels(request, sign_in, persona):
    page = sign_in(request.getfixturevalue(persona))
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
