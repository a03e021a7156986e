import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Contract, TamAbsence
from accounts.services import absence_record, contract_create, coverage_assign
from tests.factories import AccountFactory, tier


@pytest.fixture
def world(acme, globex, tam, backup_tam, alice, bob):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=acme, tier=tier("Enterprise"), start_date=dt.date(2025, 1, 1))
    contract_create(actor=None, account=globex, tier=tier("Standard"), start_date=dt.date(2025, 1, 1))
    return {"acme": acme, "globex": globex}


def test_a_customer_lists_only_their_own_account(client_for, world, alice):
    body = client_for(alice).get("/api/v1/accounts/").json()
    assert [a["slug"] for a in body["results"]] == ["acme"]
    assert body["results"][0]["tier"] == "Enterprise"
    assert body["results"][0]["primary_tam"]["name"] == "Terry Tamsin"


def test_another_accounts_row_is_404_not_403(client_for, world, alice):
    client = client_for(alice)
    assert client.get("/api/v1/accounts/globex/").status_code == 404
    assert client.get("/api/v1/accounts/no-such/").status_code == 404
    globex_contract = Contract.objects.get(account__slug="globex")
    assert client.get(f"/api/v1/contracts/{globex_contract.pk}/").status_code == 404


def test_a_customer_sees_only_their_contracts(client_for, world, alice):
    body = client_for(alice).get("/api/v1/contracts/").json()
    assert {c["account"] for c in body["results"]} == {world["acme"].pk}


def test_a_tam_sees_all_accounts_or_only_theirs(client_for, world, tam):
    client = client_for(tam)
    assert {a["slug"] for a in client.get("/api/v1/accounts/").json()["results"]} == {"acme", "globex"}
    assert [a["slug"] for a in client.get("/api/v1/accounts/?mine=true").json()["results"]] == ["acme"]


def test_the_account_list_takes_a_fixed_number_of_queries(client_for, world, tam, django_assert_num_queries):
    client = client_for(tam)
    client.get("/api/v1/accounts/")  # warm the session
    # session, user, roles, count, accounts, contracts of the day, TAM pairs
    with CaptureQueriesContext(connection) as first:  # the baseline; the count must not grow
        client.get("/api/v1/accounts/")
    for _ in range(15):
        account = AccountFactory()
        contract_create(actor=None, account=account, tier=tier("Standard"), start_date=dt.date(2025, 1, 1))
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get("/api/v1/accounts/").json()["results"]) == 17


def test_only_admins_create_contracts(client_for, world, tam, admin_user, alice):
    payload = {
        "account": world["globex"].pk,
        "tier": tier("Standard").pk,
        "start_date": "2024-01-01",
        "end_date": "2024-12-31",
    }
    assert client_for(alice).post("/api/v1/contracts/", payload).status_code == 403
    assert client_for(tam).post("/api/v1/contracts/", payload).status_code == 403
    created = client_for(admin_user).post("/api/v1/contracts/", payload)
    assert created.status_code == 201, created.content
    assert created.json()["end_date"] == "2024-12-31"


def test_an_overlapping_contract_is_a_400_with_the_field(client_for, world, admin_user):
    payload = {"account": world["globex"].pk, "tier": tier("Standard").pk, "start_date": "2026-01-01"}
    response = client_for(admin_user).post("/api/v1/contracts/", payload)
    assert response.status_code == 400
    assert "already has an active contract" in response.json()["start_date"][0]
    assert Contract.objects.filter(account=world["globex"]).count() == 1


def test_bad_input_is_a_400_not_a_500(client_for, world, admin_user):
    client = client_for(admin_user)
    response = client.post("/api/v1/contracts/", {"account": 999999, "tier": "x", "start_date": "not a date"})
    assert response.status_code == 400
    assert set(response.json()) >= {"account", "tier", "start_date"}


def test_ending_a_contract_through_the_api(client_for, world, admin_user, alice):
    contract = Contract.objects.get(account__slug="globex")
    own = Contract.objects.get(account__slug="acme")
    assert (
        client_for(alice).post(f"/api/v1/contracts/{contract.pk}/end/", {"end_date": "2026-12-31"}).status_code == 404
    )
    assert client_for(alice).post(f"/api/v1/contracts/{own.pk}/end/", {"end_date": "2026-12-31"}).status_code == 403
    own.refresh_from_db()
    assert own.end_date is None
    response = client_for(admin_user).post(f"/api/v1/contracts/{contract.pk}/end/", {"end_date": "2026-12-31"})
    assert response.status_code == 200
    assert response.json()["end_date"] == "2026-12-31"


def test_tiers_and_calendars_are_readable_but_not_writable(client_for, world, alice):
    client = client_for(alice)
    tiers = client.get("/api/v1/tiers/").json()["results"]
    assert {t["name"] for t in tiers} == {"Standard", "Enterprise"}
    calendars = client.get("/api/v1/calendars/").json()["results"]
    assert calendars[0]["intervals"][0] == {"weekday": 0, "opens": "06:00:00", "closes": "18:00:00"}
    assert client.post("/api/v1/tiers/", {"name": "Gold"}).status_code == 405


def _absence_payload(days=3):
    starts = timezone.now() + dt.timedelta(days=days)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=8)).isoformat(),
        "note": "Training",
    }


def test_a_tam_manages_their_own_absences(client_for, world, tam):
    client = client_for(tam)
    created = client.post("/api/v1/absences/", _absence_payload(), content_type="application/json")
    assert created.status_code == 201, created.content
    absence_id = created.json()["id"]
    assert created.json()["tam"] == tam.pk
    changed = client.patch(f"/api/v1/absences/{absence_id}/", {"note": "Training day"}, content_type="application/json")
    assert changed.status_code == 200
    assert TamAbsence.objects.get().note == "Training day"
    assert client.delete(f"/api/v1/absences/{absence_id}/").status_code == 204
    assert TamAbsence.objects.get().cancelled_at is not None


def test_a_tam_cannot_record_or_change_another_tams_absence(client_for, world, tam, backup_tam):
    client = client_for(tam)
    response = client.post(
        "/api/v1/absences/", {**_absence_payload(), "tam": backup_tam.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You may only record your own absences."
    assert not TamAbsence.objects.exists()
    theirs = absence_record(actor=backup_tam, tam=backup_tam, **_absence_dt())
    changed = client.patch(f"/api/v1/absences/{theirs.pk}/", {"note": "x"}, content_type="application/json")
    assert changed.status_code == 403
    assert client.delete(f"/api/v1/absences/{theirs.pk}/").status_code == 403
    theirs.refresh_from_db()
    assert theirs.note == "" and theirs.cancelled_at is None


def _absence_dt():
    starts = timezone.now() + dt.timedelta(days=5)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=4)}


def test_customers_read_only_their_own_tams_absences(client_for, world, tam, backup_tam, alice, bob, db):
    from accounts.roles import Role
    from tests.factories import UserFactory

    stranger = UserFactory(first_name="Stan", roles=[Role.TAM])
    absence_record(actor=tam, tam=tam, **_absence_dt())
    absence_record(actor=stranger, tam=stranger, **_absence_dt())
    alice_sees = client_for(alice).get("/api/v1/absences/").json()["results"]
    assert [a["tam"] for a in alice_sees] == [tam.pk]
    assert client_for(bob).get("/api/v1/absences/").json()["results"] == []
    assert (
        client_for(alice).post("/api/v1/absences/", _absence_payload(), content_type="application/json").status_code
        == 403
    )


def test_a_viewset_may_not_override_the_scoping(db):
    from core.api import ScopedReadOnlyViewSet

    with pytest.raises(TypeError, match="must not override get_queryset"):

        class Leaky(ScopedReadOnlyViewSet):
            def get_queryset(self):
                return Contract.objects.all()


def test_the_schema_documents_the_endpoints(client_for, world, admin_user):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    for route in (
        "/api/v1/accounts/",
        "/api/v1/contracts/",
        "/api/v1/contracts/{id}/end/",
        "/api/v1/tiers/",
        "/api/v1/calendars/",
        "/api/v1/absences/",
    ):
        assert route in schema["paths"], route
