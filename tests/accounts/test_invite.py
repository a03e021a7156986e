import pytest
from django.core import mail

from accounts.models import User
from accounts.roles import Role
from accounts.services import coverage_assign, user_invite
from core.errors import DomainError, NotAllowed


def test_admin_invites_a_customer_user_who_gets_a_password_link(admin_user, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_invite(actor=admin_user, email="New.Person@Acme.example", role=Role.CUSTOMER, account=acme)
    assert user.email == "new.person@acme.example"
    assert user.account == acme
    assert user.roles == {Role.CUSTOMER.value}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@acme.example"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "Acme Manufacturing" in mail.outbox[0].body


def test_admin_invites_staff_who_belong_to_no_account(admin_user, acme):
    user = user_invite(actor=admin_user, email="new.tam@ess.example", role=Role.TAM)
    assert user.roles == {Role.TAM.value}
    assert user.account is None
    with pytest.raises(DomainError) as refused:
        user_invite(actor=admin_user, email="odd@ess.example", role=Role.SUPPORT, account=acme)
    assert refused.value.field == "account"
    assert not User.objects.filter(email="odd@ess.example").exists()


def test_a_customer_user_needs_an_account(admin_user):
    with pytest.raises(DomainError, match="exactly one account"):
        user_invite(actor=admin_user, email="lost@acme.example", role=Role.CUSTOMER)
    assert not User.objects.filter(email="lost@acme.example").exists()


def test_a_tam_invites_customer_users_of_their_own_accounts_but_not_staff(tam, backup_tam, acme, globex):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam)
    user_invite(actor=tam, email="carol@acme.example", role=Role.CUSTOMER, account=acme)
    with pytest.raises(NotAllowed, match="only invite users to accounts you manage"):
        user_invite(actor=tam, email="dave@globex.example", role=Role.CUSTOMER, account=globex)
    assert not User.objects.filter(email="dave@globex.example").exists()
    with pytest.raises(NotAllowed, match="may not invite users with this role"):
        user_invite(actor=tam, email="rogue@ess.example", role=Role.ADMIN)
    assert not User.objects.filter(email="rogue@ess.example").exists()


@pytest.mark.parametrize("role_fixture", ["support", "alice"])
def test_support_and_customers_cannot_invite(request, role_fixture, acme):
    actor = request.getfixturevalue(role_fixture)
    with pytest.raises(NotAllowed, match="Only admins and TAMs invite users"):
        user_invite(actor=actor, email="x@acme.example", role=Role.CUSTOMER, account=acme)
    assert not User.objects.filter(email="x@acme.example").exists()


def test_a_second_invitation_to_the_same_address_is_refused(admin_user, alice):
    with pytest.raises(DomainError, match="already exists"):
        user_invite(actor=admin_user, email="ALICE@acme.example", role=Role.CUSTOMER, account=alice.account)


def test_invite_page_shows_field_errors_and_changes_nothing(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post("/people/invite/", {"email": "nobody@x.example", "role": Role.CUSTOMER.value})
    assert response.status_code == 200
    assert "exactly one account" in response.content.decode()
    assert not User.objects.filter(email="nobody@x.example").exists()


def test_invite_page_sends_the_invitation(client_for, admin_user, acme, django_capture_on_commit_callbacks):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/", {"email": "dora@acme.example", "role": Role.CUSTOMER.value, "account": acme.pk}
        )
    assert response.status_code == 302
    assert User.objects.get(email="dora@acme.example").account == acme
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("role_fixture", ["support", "alice"])
def test_invite_page_is_refused_to_other_roles(request, client_for, role_fixture):
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.get("/people/invite/").status_code == 403


def test_a_tam_cannot_pick_a_staff_role_on_the_page(client_for, tam):
    response = client_for(tam).get("/people/invite/")
    html = response.content.decode()
    assert 'value="Customer user"' in html
    assert 'value="Admin"' not in html


def test_profile_sets_the_time_zone_pages_are_shown_in(client_for, alice):
    client = client_for(alice)
    response = client.post("/people/profile/", {"first_name": "Alice", "last_name": "A", "time_zone": "Asia/Kolkata"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Kolkata"
    bad = client.post("/people/profile/", {"first_name": "Alice", "last_name": "A", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Kolkata"
