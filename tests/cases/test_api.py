import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEntry, Escalation
from cases.services import case_note, case_open


@pytest.fixture
def acme_case(ess, alice):
    return case_open(
        actor=alice, account=ess, subject="Scanner stuck", description="Batch 42", channel="portal", severity=2
    )


def test_a_customer_opens_and_follows_a_case(client_for, ess, alice):
    client = client_for(alice)
    created = client.post(
        "/api/v1/cases/",
        {"subject": "Export fails", "description": "Since 10.2", "severity": 2},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["account"] == "acme" and body["channel"] == "api" and body["next_due"] is not None
    assert body["priority"] is True  # Enterprise: priority support
    case_id = body["id"]
    reply = client.post(f"/api/v1/cases/{case_id}/reply/", {"body": "More detail"}, content_type="application/json")
    assert reply.status_code == 201
    assert [c["id"] for c in client.get("/api/v1/cases/").json()["results"]] == [case_id]


def test_customers_never_get_internal_notes(client_for, acme_case, alice, support):
    case_note(actor=support, case=acme_case, body="secret diagnosis")
    timeline = client_for(alice).get(f"/api/v1/cases/{acme_case.pk}/timeline/").json()
    assert all("secret" not in e["body"] for e in timeline)
    assert all(e["public"] for e in timeline)
    staff_timeline = client_for(support).get(f"/api/v1/cases/{acme_case.pk}/timeline/").json()
    assert any("secret" in e["body"] for e in staff_timeline)


def test_another_accounts_case_is_404_for_every_action(client_for, acme_case, bob):
    client = client_for(bob)
    entries_before = CaseEntry.objects.filter(case=acme_case).count()
    base = f"/api/v1/cases/{acme_case.pk}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "timeline/").status_code == 404
    assert client.get(base + "milestones/").status_code == 404
    for action, payload in [
        ("reply/", {"body": "x"}),
        ("note/", {"body": "x"}),
        ("status/", {"status": "closed"}),
        ("escalate/", {}),
    ]:
        assert client.post(base + action, payload, content_type="application/json").status_code == 404
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert CaseEntry.objects.filter(case=acme_case).count() == entries_before


def test_customers_may_not_note_or_escalate_their_own_case(client_for, acme_case, alice):
    client = client_for(alice)
    base = f"/api/v1/cases/{acme_case.pk}/"
    assert client.post(base + "note/", {"body": "x"}, content_type="application/json").status_code == 403
    assert client.post(base + "escalate/", {}, content_type="application/json").status_code == 403
    assert client.post(base + "status/", {"status": "resolved"}, content_type="application/json").status_code == 400
    assert client.get("/api/v1/escalations/").status_code == 403


def test_staff_escalate_and_the_tam_acknowledges(client_for, acme_case, support, tam):
    escalated = client_for(support).post(
        f"/api/v1/cases/{acme_case.pk}/escalate/", {"reason": "Down"}, content_type="application/json"
    )
    assert escalated.status_code == 201
    mine = client_for(tam).get("/api/v1/escalations/?mine=true").json()["results"]
    assert [e["id"] for e in mine] == [escalated.json()["id"]]
    ack = client_for(tam).post(f"/api/v1/escalations/{mine[0]['id']}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    again = client_for(tam).post(f"/api/v1/escalations/{mine[0]['id']}/acknowledge/")
    assert again.status_code == 400
    milestones = client_for(support).get(f"/api/v1/cases/{acme_case.pk}/milestones/").json()
    assert any(m["name"] == "Escalation acknowledged" and m["state"] == "met" for m in milestones)


def test_bad_input_is_a_400(client_for, ess, support):
    response = client_for(support).post(
        "/api/v1/cases/",
        {"account": "acme", "subject": "", "severity": 9, "channel": "fax"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"subject", "severity", "channel"}
    assert not Case.objects.exists()


def test_the_case_list_takes_a_fixed_number_of_queries(client_for, ess, alice, support, django_assert_num_queries):
    client = client_for(support)
    case_open(actor=alice, account=ess, subject="one", description="", channel="portal", severity=3)
    client.get("/api/v1/cases/")
    with CaptureQueriesContext(connection) as first:  # the baseline; the count must not grow
        client.get("/api/v1/cases/")
    for n in range(20):
        case_open(actor=alice, account=ess, subject=f"case {n}", description="", channel="portal", severity=1 + n % 4)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 21


def test_queue_order_time_to_breach_then_priority(client_for, ess, standard, alice, bob, support, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC), tick=False)
    late = case_open(actor=bob, account=standard, subject="standard sev4", description="", channel="portal", severity=4)
    soon = case_open(actor=bob, account=standard, subject="standard sev1", description="", channel="portal", severity=1)
    ess_soon = case_open(actor=alice, account=ess, subject="ess sev1", description="", channel="portal", severity=1)
    order = [c["id"] for c in client_for(support).get("/api/v1/cases/?open=true").json()["results"]]
    # Enterprise sev 1 first response is due in 1 business hour, Standard sev 1 in 2, Standard sev 4 in 16.
    assert order == [ess_soon.pk, soon.pk, late.pk]
    assert Escalation.objects.count() == 0


@pytest.mark.parametrize("viewer", ["support", "alice"])
def test_the_list_writes_each_case_exactly_as_the_case_serializer_does(
    viewer, request, client_for, ess, standard, alice, bob, support, tam
):
    """The list reads rows, not model instances (cases.serializers.case_list_rows): every field equal to
    CaseSerializer's, for cases with and without an assignee (named or known by address), a contact, a resolution
    and a running clock, in the viewer's own time zone."""
    from accounts.roles import Role
    from cases.serializers import CaseSerializer
    from cases.services import case_assign, case_set_status
    from tests.factories import UserFactory

    nameless = UserFactory(email="nameless@ess.example", first_name="", last_name="", roles=[Role.SUPPORT])
    first = case_open(actor=alice, account=ess, subject="Named", description="d", channel="portal", severity=1)
    case_assign(actor=support, case=first, assignee=tam)
    second = case_open(actor=support, account=ess, subject="No contact", description="d", channel="phone", severity=3)
    case_assign(actor=support, case=second, assignee=nameless)
    third = case_open(actor=bob, account=standard, subject="Other", description="d", channel="portal", severity=4)
    case_set_status(actor=support, case=third, status="resolved")
    user = request.getfixturevalue(viewer)
    user.time_zone = "Asia/Kolkata"
    user.save()
    listed = client_for(user).get("/api/v1/cases/").json()["results"]
    assert listed and len(listed) == (3 if viewer == "support" else 2)
    from django.utils import timezone

    with timezone.override("Asia/Kolkata"):
        expected = {
            row["id"]: row
            for row in CaseSerializer(
                Case.objects.filter(pk__in=[row["id"] for row in listed])
                .select_related("account", "contact", "assignee")
                .with_urgency(customer_view=viewer == "alice"),
                many=True,
            ).data
        }
    assert listed == [expected[row["id"]] for row in listed]
    assert any(row["assignee"] == "nameless@ess.example" for row in listed)
