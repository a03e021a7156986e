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
