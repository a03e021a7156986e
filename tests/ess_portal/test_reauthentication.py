"""Changes in the configuration site need a password entered within the last 15 minutes."""

from django.forms.models import model_to_dict

from accounts.models import TIER_FIELDS, Tier
from audit.models import AuditEvent
from tests.conftest import signed_in_with_password
from tests.factories import PASSWORD


def tier_form(tier: Tier, **changes) -> dict:
    data = {**model_to_dict(tier, fields=TIER_FIELDS), **changes}
    return {name: ("on" if value is True else value) for name, value in data.items() if value not in (False, None)}


def test_a_stale_password_is_asked_for_again_before_a_change_then_the_change_is_made(client, admin_user):
    enterprise = Tier.objects.get(name="Enterprise")
    discount_before = enterprise.store_discount_percent
    # The trail is append-only: a test that committed (a race test) may leave a row naming a tier with this id.
    earlier = list(AuditEvent.objects.values_list("pk", flat=True))
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, admin_user, seconds_ago=20 * 60)
    change_url = f"/config/accounts/tier/{enterprise.pk}/change/"

    assert client.get(change_url).status_code == 200  # reading needs no fresh password
    held = client.post(change_url, tier_form(enterprise, store_discount_percent=30))
    assert held.status_code == 302 and held["Location"].startswith("/accounts/reauthenticate/")
    enterprise.refresh_from_db()
    assert enterprise.store_discount_percent != 30

    wrong = client.post(held["Location"], {"password": "not the password"})
    assert wrong.status_code == 200 and "password" in wrong.content.decode().lower()
    enterprise.refresh_from_db()
    assert enterprise.store_discount_percent != 30

    done = client.post(held["Location"], {"password": PASSWORD})
    assert done.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.store_discount_percent == 30
    change = AuditEvent.objects.for_object(enterprise).exclude(pk__in=earlier).get()
    assert change.actor == admin_user and ("store_discount_percent", discount_before, 30) in change.changes()


def test_a_recent_sign_in_changes_at_once(client_for, admin_user):
    enterprise = Tier.objects.get(name="Enterprise")
    client = client_for(admin_user)
    response = client.post(f"/config/accounts/tier/{enterprise.pk}/change/", tier_form(enterprise, bank_cap=3))
    assert response.status_code == 302 and response["Location"] == "/config/accounts/tier/"
    enterprise.refresh_from_db()
    assert enterprise.bank_cap == 3


def test_signing_out_of_the_configuration_site_needs_no_password(client, admin_user):
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, admin_user, seconds_ago=3600)
    response = client.post("/config/logout/")
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session
