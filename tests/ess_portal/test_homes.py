import pytest

from accounts.roles import Role


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
def test_each_role_has_its_own_home(request, client_for, persona, heading):
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 200
    assert f"<h1>{heading}" in response.content.decode()


def test_navigation_follows_the_role(client_for, alice, admin_user):
    customer_page = client_for(alice).get("/").content.decode()
    assert "Configuration" not in customer_page
    assert "Invite a user" not in customer_page
    admin_page = client_for(admin_user).get("/").content.decode()
    assert "Configuration" in admin_page
    assert "Invite a user" in admin_page


def test_a_user_without_a_role_gets_a_clear_refusal(client_for, db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get("/")
    assert response.status_code == 403
    assert "no role" in response.content.decode()


def test_a_customer_cannot_open_the_configuration_site(client_for, alice):
    client = client_for(alice)
    response = client.get("/config/", follow=True)
    assert response.status_code == 403
    assert "for administrators" in response.content.decode()


def test_the_configuration_site_has_no_password_form_of_its_own(client_for, alice, admin_user, password):
    """Signing in there would skip MFA and the rate limits: the portal's sign-in is the only way in."""
    client = client_for(alice)
    response = client.post("/config/login/?next=/config/", {"username": admin_user.email, "password": password})
    assert response.status_code == 403
    assert client.get("/api/v1/me/").json()["email"] == alice.email


def test_the_admin_role_opens_the_configuration_site(client_for, admin_user):
    assert client_for(admin_user).get("/config/").status_code == 200
    assert client_for(admin_user).get("/config/accounts/account/").status_code == 200


def test_api_me_describes_the_signed_in_user(client_for, alice, acme):
    body = client_for(alice).get("/api/v1/me/").json()
    assert body["email"] == "alice@acme.example"
    assert body["roles"] == [Role.CUSTOMER.value]
    assert body["account"] == {"id": acme.pk, "name": "Acme Manufacturing", "slug": "acme"}


def test_unknown_pages_are_404_in_html_and_json(client_for, alice):
    client = client_for(alice)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert "Not found" in page.content.decode()
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not found."}


def test_the_schema_is_served_to_signed_in_users(client_for, support):
    response = client_for(support).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/me/" in response.content
