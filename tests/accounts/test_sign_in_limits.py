import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, alice, password):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": alice.email, "password": "wrong-password-x"})
        assert "not correct" in response.content.decode()
    blocked = client.post("/accounts/login/", {"login": alice.email, "password": password})
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_a_new_session_at_sign_in_and_none_after_sign_out(client, alice, password):
    client.get("/accounts/login/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    client.post("/accounts/login/", {"login": alice.email, "password": password})
    after = client.cookies["sessionid"].value
    assert after and after != before
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, ess, tam, support, alice, password):
    """Ten failures a minute per IP address, whichever accounts they try; the accounts' own limits are not hit."""
    emails = [f"nobody{n}@example.com" for n in range(10)]
    for email in emails:
        assert "not correct" in client.post("/accounts/login/", {"login": email, "password": "x" * 14}).content.decode()
    blocked = client.post("/accounts/login/", {"login": alice.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_the_old_session_is_dead_after_sign_out(client, alice, password):
    client.post("/accounts/login/", {"login": alice.email, "password": password})
    stolen = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    client.cookies["sessionid"] = stolen
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("new_password", "message"),
    [("short-pass1", "at least 12 characters"), ("password1234", "too common"), ("839201749302", "entirely numeric")],
)
def test_passwords_are_twelve_characters_and_not_common(client_for, alice, password, new_password, message):
    client = client_for(alice)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)
