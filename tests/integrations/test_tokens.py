"""API tokens: made on the profile's token page (shown once, stored hashed), by admins for services, or by the
issue_api_token command; sent as ``Authorization: Bearer``; acting exactly as their user within their scopes;
never a recent password; throttled per token; named in the audit trail; revocable at once."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from knox.crypto import hash_token

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import Case
from cases.services import case_open
from integrations.models import ApiToken, ServiceAccount, TokenKind
from tests.conftest import signed_in_with_password

from .conftest import bearer


@pytest.fixture
def acme_case(ess, alice):
    return case_open(actor=alice, account=ess, subject="Scanner stuck", description="Batch 42", severity=2)


@pytest.fixture
def globex_case(standard, bob):
    return case_open(actor=bob, account=standard, subject="Globex labels", description="Printer", severity=3)


# --- Making one ----------------------------------------------------------------------------------------------------


def test_the_token_page_shows_a_new_token_once_and_keeps_only_its_hash(client_for, ess, alice):
    client = client_for(alice)
    made = client.post("/integrations/tokens/", {"name": "Nightly export", "scopes": ["read"]})
    assert made.status_code == 200
    value = made.context["value"]
    assert value.startswith("ess_") and value in made.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.digest == hash_token(value) and value not in (token.digest, token.token_key + "x")
    assert token.scopes == ["read"] and token.kind == TokenKind.PERSONAL
    assert abs(token.expiry - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    page = client.get("/integrations/tokens/").content.decode()
    assert "Nightly export" in page and value not in page
    assert "Nightly export" in client.get("/people/profile/").content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "days": "30"}, "name", "Give the token a name that says where it is used."),
        ({"name": "Too long", "days": "366"}, "days", "A token lasts from 1 to 365 days."),
        ({"name": "Zero", "days": "0"}, "days", "A token lasts from 1 to 365 days."),
        ({"name": "Telephony", "scopes": ["telephony"]}, "scopes", "telephony"),
    ],
)
def test_the_page_says_what_is_wrong_and_makes_nothing(client_for, ess, alice, data, field, message):
    answer = client_for(alice).post("/integrations/tokens/", data)
    assert answer.status_code == 200
    assert any(message in error for error in answer.context["form"].errors[field])
    assert not ApiToken.objects.exists()


def test_a_name_is_used_once_per_person(client_for, ess, alice, token_for):
    token_for(alice, name="CI")
    answer = client_for(alice).post("/integrations/tokens/", {"name": "CI"})
    assert answer.context["form"].errors["name"] == ["You already have a token named “CI”."]


def test_making_a_token_needs_a_recent_password(client, ess, alice):
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, alice, seconds_ago=20 * 60)
    page = client.post("/integrations/tokens/", {"name": "Held"})
    assert page.status_code == 302 and page["Location"].startswith("/accounts/reauthenticate/")
    api = client.post("/api/v1/tokens/", {"name": "Held"}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "reauthentication_required"
    assert not ApiToken.objects.exists()


def test_a_user_without_a_role_makes_no_token(client_for, acme):
    from tests.factories import UserFactory

    nobody = UserFactory(account=acme)
    answer = client_for(nobody).post("/integrations/tokens/", {"name": "x"})
    assert answer.status_code == 403 and not ApiToken.objects.exists()


def test_the_command_prints_a_token_once(ess, alice):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "ALICE@acme.example", name="Deploy", days=7, stdout=out, stderr=err)
    value = out.getvalue().strip()
    assert value.startswith("ess_") and "Deploy" in err.getvalue() and value not in err.getvalue()
    token = ApiToken.objects.get(user=alice, name="Deploy")
    assert token.expiry.date() == (timezone.now() + dt.timedelta(days=7)).date()
    assert bearer(value).get("/api/v1/me/").json()["email"] == "alice@acme.example"


def test_the_command_refuses_clearly(ess, alice):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user has the address"):
        call_command("issue_api_token", "nobody@example.com", name="x")
    with pytest.raises(CommandError, match="from 1 to 365 days"):
        call_command("issue_api_token", "alice@acme.example", name="x", days=400)


# --- Using one -------------------------------------------------------------------------------------------------------


def test_bearer_and_token_prefixes_authenticate_and_record_last_use(ess, alice, token_for):
    token, value, client = token_for(alice)
    assert token.last_used_at is None
    assert client.get("/api/v1/me/").json()["email"] == alice.email
    assert bearer(value).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {value}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer ess_0000000000000000000000000000000000000000000000000000000000000000", "Bearer", "Bearer a b"],
)
def test_a_refused_token_is_401_and_says_how(ess, header):
    from django.test import Client

    answer = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me/")
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_a_request_without_credentials_is_still_403(client, ess):
    assert client.get("/api/v1/cases/").status_code == 403


def test_an_expired_token_is_refused_and_stays_listed(ess, alice, token_for, time_machine):
    token, _value, client = token_for(alice, days=1)
    time_machine.move_to(timezone.now() + dt.timedelta(days=1, minutes=1))
    assert client.get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_revoked_token_or_a_deactivated_user_is_refused(client_for, ess, alice, token_for):
    token, _value, client = token_for(alice)
    _other, _, other_client = token_for(alice, name="second")
    assert client_for(alice).post(f"/integrations/tokens/{token.uid}/revoke/").status_code == 302
    assert client.get("/api/v1/me/").status_code == 401
    alice.is_active = False
    alice.save()
    assert other_client.get("/api/v1/me/").status_code == 401


def test_a_token_acts_exactly_as_its_user(ess, standard, alice, bob, acme_case, globex_case, token_for):
    _, _, alice_api = token_for(alice)
    assert [c["id"] for c in alice_api.get("/api/v1/cases/").json()["results"]] == [acme_case.pk]
    assert alice_api.get(f"/api/v1/cases/{globex_case.pk}/").status_code == 404
    assert alice_api.get("/api/v1/escalations/").status_code == 403  # the staff area
    assert (
        alice_api.post(
            f"/api/v1/cases/{acme_case.pk}/note/", {"body": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_scopes_limit_what_a_token_does(ess, alice, acme_case, token_for):
    _, _, reader = token_for(alice, scopes=["read"])
    assert reader.get(f"/api/v1/cases/{acme_case.pk}/").status_code == 200
    refused = reader.post(f"/api/v1/cases/{acme_case.pk}/reply/", {"body": "Hi"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"] == "This API token's scopes do not include write."
    assert reader.get("/api/v1/webhook-endpoints/").json()["detail"] == (
        "This API token's scopes do not include webhooks."
    )


def test_a_token_never_counts_as_a_recent_password(client_for, ess, admin_user, token_for, standard):
    """Its user entered the password a moment ago in their browser: the token still does not count as it."""
    _, _, api = token_for(admin_user)
    browser = client_for(admin_user)  # password entered just now
    contract = standard.contracts.get()
    answer = api.post(f"/api/v1/contracts/{contract.pk}/cancel/")
    assert answer.status_code == 403 and answer.json()["code"] == "reauthentication_required"
    assert browser.post(f"/api/v1/contracts/{contract.pk}/cancel/").status_code == 200


def test_a_tokens_changes_are_audited_with_its_name(ess, alice, token_for):
    _, _, client = token_for(alice, name="Ticket bridge")
    made = client.post(
        "/api/v1/cases/",
        {"subject": "From the bridge", "description": "x", "severity": 3},
        content_type="application/json",
    )
    assert made.status_code == 201
    event = AuditEvent.objects.get(model="cases.case", object_pk=str(made.json()["id"]), action="insert")
    assert event.actor_label == "token Ticket bridge of alice@acme.example" and event.actor_id == alice.pk


@override_settings(API_TOKEN_RATE_LIMIT="3/min")
def test_requests_are_throttled_per_token(ess, alice, bob, standard, token_for):
    _, _, first = token_for(alice)
    _, _, second = token_for(alice, name="other")
    assert [first.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/me/").status_code == 200


def test_the_schema_documents_the_bearer_scheme(client_for, ess, alice):
    schema = client_for(alice).get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {"apiToken": []} in schema["paths"]["/api/v1/cases/"]["get"]["security"]


# --- Service tokens ------------------------------------------------------------------------------------------------


def test_an_admin_makes_a_service_token_for_one_account(client_for, ess, standard, admin_user, acme_case, globex_case):
    page = client_for(admin_user).post(
        "/integrations/services/new/",
        {
            "name": "Acme ticket bridge",
            "role": Role.CUSTOMER.value,
            "account": "acme",
            "scopes": ["read"],
            "days": "365",
        },
    )
    assert page.status_code == 200, page.content.decode()[:2000]
    value = page.context["value"]
    service = ServiceAccount.objects.get(name="Acme ticket bridge")
    assert service.user.account == ess and service.user.is_customer_user and not service.user.has_usable_password()
    api = bearer(value)
    assert [c["id"] for c in api.get("/api/v1/cases/").json()["results"]] == [acme_case.pk]
    assert api.get(f"/api/v1/cases/{globex_case.pk}/").status_code == 404
    assert api.post("/api/v1/cases/", {"subject": "x"}, content_type="application/json").status_code == 403  # read only
    listed = client_for(admin_user).get("/integrations/").content.decode()
    assert "Acme ticket bridge" in listed and value not in listed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Bridge", "role": Role.CUSTOMER.value, "scopes": ["read"]}, "account", "exactly one account"),
        ({"name": "Bridge", "role": Role.SUPPORT.value, "account": "acme", "scopes": ["read"]}, "account", "no single"),
        ({"name": "Bridge", "role": Role.ADMIN.value, "scopes": ["read"]}, "role", "A service acts in one of"),
        ({"name": "Bridge", "role": Role.SUPPORT.value}, "scopes", "Choose at least one scope."),
    ],
)
def test_a_service_token_has_one_role_and_scopes(client_for, ess, admin_user, data, field, message):
    answer = client_for(admin_user).post("/integrations/services/new/", data)
    assert any(message in error for error in answer.context["form"].errors[field]), answer.context["form"].errors
    assert not ServiceAccount.objects.exists()


def test_revoking_a_service_token_deactivates_its_user(client_for, ess, admin_user, service_token):
    token, _, client = service_token(role=Role.SUPPORT.value, name="Phone system")
    assert client.get("/api/v1/me/").status_code == 200
    assert client_for(admin_user).delete(f"/api/v1/tokens/{token.uid}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    service = ServiceAccount.objects.get(name="Phone system")
    assert service.revoked_at is not None and not service.user.is_active


def test_only_admins_see_and_revoke_service_tokens(client_for, ess, alice, support, service_token):
    token, _, _ = service_token(role=Role.SUPPORT.value)
    assert client_for(support).get(f"/api/v1/tokens/{token.uid}/").status_code == 404
    assert client_for(support).post(f"/integrations/tokens/{token.uid}/revoke/").status_code == 404
    assert client_for(support).get("/integrations/services/new/").status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_api_lists_ones_own_tokens_without_their_value(client_for, ess, alice, bob, standard, token_for):
    _, value, _ = token_for(alice)
    token_for(bob)
    listed = client_for(alice).get("/api/v1/tokens/").json()["results"]
    assert [t["user"] for t in listed] == [alice.email] and value not in str(listed)
    assert Case.objects.count() == 0
