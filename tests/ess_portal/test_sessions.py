"""Each person sees where they are signed in (allauth.usersessions, recorded at each sign-in) on a page linked
from their profile, and signs the other sessions out. Only their own sessions, checked and ended in a fixed
number of queries however many there are."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def browser(user, password, agent: str, ip: str = "203.0.113.7") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    client.post("/accounts/login/", {"login": user.email, "password": password})
    assert "_auth_user_id" in client.session
    return client


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_profile_links_to_the_sessions_page_styled_like_the_portal(alice, password):
    laptop = browser(alice, password, "Firefox on the laptop")
    assert 'href="/accounts/sessions/"' in laptop.get("/people/profile/").content.decode()
    html = laptop.get("/accounts/sessions/").content.decode()
    assert "<h1>Signed-in sessions</h1>" in html
    assert 'aria-label="Main"' in html and "Signed in as alice@acme.example" in html  # the portal's layout
    assert "Firefox on the laptop" in html and "203.0.113.7" in html and "this session" in html


def test_a_person_signs_out_their_other_sessions_and_only_theirs(alice, bob, password):
    laptop = browser(alice, password, "Firefox on the laptop")
    phone = browser(alice, password, "Safari on the phone", ip="198.51.100.9")
    bobs = browser(bob, password, "Edge at Globex")
    listed = laptop.get("/accounts/sessions/").content.decode()
    assert "Safari on the phone" in listed and "198.51.100.9" in listed
    assert "Edge at Globex" not in listed

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert "1 session" in laptop.get(response["Location"]).content.decode()
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(bobs)
    assert "Safari on the phone" not in laptop.get("/accounts/sessions/").content.decode()


def test_ended_sessions_leave_the_list(alice, password):
    laptop = browser(alice, password, "Firefox on the laptop")
    phone = browser(alice, password, "Safari on the phone")
    phone.post("/accounts/logout/")
    assert "Safari on the phone" not in laptop.get("/accounts/sessions/").content.decode()


def test_a_changed_password_ends_the_other_sessions_and_they_leave_the_list(alice, password):
    laptop = browser(alice, password, "Firefox on the laptop")
    phone = browser(alice, password, "Safari on the phone")
    new = "another-long-secret-42"
    laptop.post("/accounts/password/change/", {"oldpassword": password, "password1": new, "password2": new})
    assert not signed_in(phone)
    assert "Safari on the phone" not in laptop.get("/accounts/sessions/").content.decode()


def test_the_page_and_signing_out_take_the_same_queries_whatever_the_number_of_sessions(alice, password):
    def measure(others: int) -> tuple[int, int]:
        laptop = browser(alice, password, "Firefox on the laptop")
        for n in range(others):
            browser(alice, password, f"Browser {n}")
        with CaptureQueriesContext(connection) as page:
            laptop.get("/accounts/sessions/")
        with CaptureQueriesContext(connection) as sign_out:
            laptop.post("/accounts/sessions/")
        laptop.post("/accounts/logout/")
        return len(page.captured_queries), len(sign_out.captured_queries)

    assert measure(1) == measure(6)
