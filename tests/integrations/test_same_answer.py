"""Same input, same answer: every write of the integrations pages (tokens, service tokens, webhook endpoints, a
message sent again), driven once through its page and once through the API with the same input, ends the same way
(done; refused with the same messages; 403 with the same words; 404) and leaves the same rows behind.

Each case runs both ways from the same world, each inside a savepoint that is rolled back. The messages are the
services' own: forms and serializers only parse.
"""

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings

from accounts.roles import Role
from integrations import tokens, webhooks
from integrations.models import ApiToken, ServiceAccount, WebhookEndpoint, WebhookMessage
from tests.reviews.test_same_answer import DONE, MISSING, forbidden, refused
from tests.reviews.test_same_answer import _api_answer as answer_of_api
from tests.reviews.test_same_answer import _page_answer as answer_of_page


@dataclass(frozen=True)
class Case:
    name: str
    actor: str
    page: str  # the page's URL ("{...}" filled from the world)
    api: str  # "METHOD url"
    data: dict = field(default_factory=dict)
    expect: tuple = DONE
    setup: object = None  # a function of the world, run once before both paths
    settings: dict = field(default_factory=dict)


TOKEN = {"name": "CI", "days": 30, "scopes": ["read"]}
SERVICE = {"name": "Phone system", "role": Role.SUPPORT.value, "scopes": ["telephony"], "days": 365}
HOOK = {"name": "Ops bus", "url": "http://127.0.0.1:9/hooks", "event_types": ["case.created", "sla.breached"]}
PRIVATE = "10.20.30.40 resolves to 10.20.30.40, a private address: webhooks go to public addresses only."
NO_LOOPBACK = {"WEBHOOK_ALLOW_LOOPBACK": False}
RANGE = "A token lasts from 1 to 365 days."


def _alices_ci_token(w):
    tokens.token_create(actor=None, user=w.alice, name="CI")


CASES = [
    # --- Personal tokens ---
    Case("a token is made", "alice", "/integrations/tokens/", "POST /api/v1/tokens/", TOKEN),
    Case(
        "a token without a name",
        "alice",
        "/integrations/tokens/",
        "POST /api/v1/tokens/",
        {**TOKEN, "name": ""},
        refused("Give the token a name that says where it is used."),
    ),
    Case(
        "a token for more than a year",
        "alice",
        "/integrations/tokens/",
        "POST /api/v1/tokens/",
        {**TOKEN, "days": 400},
        refused(RANGE),
    ),
    Case(
        "a personal token with the telephony scope",
        "alice",
        "/integrations/tokens/",
        "POST /api/v1/tokens/",
        {**TOKEN, "scopes": ["read", "telephony"]},
        refused("A token's scopes are among: read, write, webhooks; not telephony."),
    ),
    Case(
        "a name used twice",
        "alice",
        "/integrations/tokens/",
        "POST /api/v1/tokens/",
        TOKEN,
        refused("You already have a token named “CI”."),
        setup=_alices_ci_token,
    ),
    Case(
        "a user without a role",
        "roleless",
        "/integrations/tokens/",
        "POST /api/v1/tokens/",
        TOKEN,
        forbidden(tokens.NO_ROLE),
    ),
    Case("a token is revoked", "alice", "/integrations/tokens/{token}/revoke/", "DELETE /api/v1/tokens/{token}/"),
    Case(
        "another's token is not found",
        "bob",
        "/integrations/tokens/{token}/revoke/",
        "DELETE /api/v1/tokens/{token}/",
        expect=MISSING,
    ),
    # --- Service tokens ---
    Case(
        "a service token is made", "admin_user", "/integrations/services/new/", "POST /api/v1/tokens/service/", SERVICE
    ),
    Case(
        "a customer's service without its account",
        "admin_user",
        "/integrations/services/new/",
        "POST /api/v1/tokens/service/",
        {**SERVICE, "role": Role.CUSTOMER.value},
        refused("A customer's service acts for exactly one account: choose it."),
    ),
    Case(
        "a service token with no scope",
        "admin_user",
        "/integrations/services/new/",
        "POST /api/v1/tokens/service/",
        {**SERVICE, "scopes": []},
        refused("Choose at least one scope."),
    ),
    Case(
        "a service token made by support staff",
        "support",
        "/integrations/services/new/",
        "POST /api/v1/tokens/service/",
        SERVICE,
        forbidden(tokens.SERVICE_ADMIN_ONLY),
    ),
    Case(
        "a service token is revoked",
        "admin_user",
        "/integrations/tokens/{service_token}/revoke/",
        "DELETE /api/v1/tokens/{service_token}/",
    ),
    # --- Webhook endpoints ---
    Case(
        "an endpoint is registered",
        "admin_user",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        HOOK,
    ),
    Case(
        "an endpoint on a private address",
        "admin_user",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        {**HOOK, "url": "http://10.20.30.40/hooks"},
        refused(PRIVATE),
    ),
    Case(
        "an endpoint on loopback in production",
        "admin_user",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        HOOK,
        refused("127.0.0.1 resolves to 127.0.0.1, a loopback address: webhooks go to public addresses only."),
        settings=NO_LOOPBACK,
    ),
    Case(
        "an endpoint without events or a name",
        "admin_user",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        {**HOOK, "name": "", "event_types": []},
        refused("Choose the events to send.", "Name the receiver."),
    ),
    Case(
        "an endpoint with a malformed secret",
        "admin_user",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        {**HOOK, "secret": "hunter2"},
        refused("A secret is whsec_ followed by base64 of 24 to 64 random bytes; or leave it empty."),
    ),
    Case(
        "an endpoint registered by a TAM",
        "tam",
        "/integrations/webhooks/new/",
        "POST /api/v1/webhook-endpoints/",
        HOOK,
        forbidden(webhooks.ADMIN_ONLY),
    ),
    Case(
        "an endpoint is changed",
        "admin_user",
        "/integrations/webhooks/{endpoint}/change/",
        "PATCH /api/v1/webhook-endpoints/{endpoint}/",
        {**HOOK, "name": "Renamed", "account": "acme"},
    ),
    Case(
        "an endpoint moved to a private address",
        "admin_user",
        "/integrations/webhooks/{endpoint}/change/",
        "PATCH /api/v1/webhook-endpoints/{endpoint}/",
        {**HOOK, "url": "http://10.20.30.40/hooks"},
        refused(PRIVATE),
    ),
    Case(
        "an endpoint is disabled",
        "admin_user",
        "/integrations/webhooks/{endpoint}/disable/",
        "POST /api/v1/webhook-endpoints/{endpoint}/disable/",
    ),
    Case(
        "an endpoint is enabled",
        "admin_user",
        "/integrations/webhooks/{endpoint}/enable/",
        "POST /api/v1/webhook-endpoints/{endpoint}/enable/",
        setup=lambda w: webhooks.endpoint_set_active(actor=None, endpoint=w.hook, active=False),
    ),
    Case(
        "an endpoint is removed",
        "admin_user",
        "/integrations/webhooks/{endpoint}/remove/",
        "DELETE /api/v1/webhook-endpoints/{endpoint}/",
    ),
    Case(
        "an endpoint disabled by support staff",
        "support",
        "/integrations/webhooks/{endpoint}/disable/",
        "POST /api/v1/webhook-endpoints/{endpoint}/disable/",
        expect=forbidden(webhooks.ADMIN_ONLY),
    ),
    Case(
        "a missing endpoint",
        "admin_user",
        "/integrations/webhooks/987654/disable/",
        "POST /api/v1/webhook-endpoints/987654/disable/",
        expect=MISSING,
    ),
    # --- Deliveries ---
    Case(
        "a message is sent again",
        "admin_user",
        "/integrations/deliveries/{message}/redeliver/",
        "POST /api/v1/webhook-deliveries/{message}/redeliver/",
    ),
    Case(
        "a message sent again by a customer",
        "alice",
        "/integrations/deliveries/{message}/redeliver/",
        "POST /api/v1/webhook-deliveries/{message}/redeliver/",
        expect=forbidden(webhooks.ADMIN_ONLY),
    ),
]


def rows() -> dict[str, list]:
    """What the writes leave behind, told apart by what rows hold (not ids, digests or instants)."""
    return {
        "tokens": sorted(
            repr((t.name, t.kind, t.scopes, t.user.first_name if t.kind == "service" else t.user.email))
            for t in ApiToken.objects.select_related("user")
        ),
        "services": sorted(
            repr((s.name, s.revoked_at is None, s.user.is_active)) for s in ServiceAccount.objects.all()
        ),
        "endpoints": sorted(
            repr((e.name, e.url, e.event_types, e.account_id, e.active, bool(e.secret)))
            for e in WebhookEndpoint.objects.all()
        ),
        "messages": sorted(repr((m.status, m.attempts)) for m in WebhookMessage.objects.all()),
    }


def _in_a_savepoint(call):
    with transaction.atomic():
        answer = call()
        state = rows()
        transaction.set_rollback(True)
    return answer, state


def _page_answer(response) -> tuple[str, list[str]]:
    if response.status_code == 200 and "value" in response.context:
        return DONE  # the new token, shown once
    return answer_of_page(response)


def _filled(text: str, world) -> str:
    return text.format(**vars(world))


@pytest.fixture
def world(ess, standard, alice, bob, tam, support, admin_user):
    from tests.factories import UserFactory

    hook = webhooks.endpoint_register(actor=None, **HOOK)
    message = WebhookMessage.objects.create(
        endpoint=hook,
        webhook_id="msg_one",
        event_type="case.created",
        account_id=ess.pk,
        object_key="case:1",
        body="{}",
    )
    message.status = "failed"
    message.save()
    token, _ = tokens.token_create(actor=None, user=alice, name="Export")
    service, _ = tokens.service_token_create(actor=None, name="Bridge", role=Role.SUPPORT.value, scopes=["read"])
    return SimpleNamespace(
        alice=alice,
        roleless=UserFactory(account=ess),
        hook=hook,
        endpoint=hook.pk,
        message=message.pk,
        token=token.uid,
        service_token=service.uid,
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_page_and_the_api_give_the_same_answer(request, client_for, world, case):
    if case.setup is not None:
        case.setup(world)
    actor = world.roleless if case.actor == "roleless" else request.getfixturevalue(case.actor)
    client = client_for(actor)
    before = rows()
    method, api_url = case.api.split(" ")
    with override_settings(**case.settings):
        page_answer, after_page = _in_a_savepoint(
            lambda: _page_answer(client.post(_filled(case.page, world), case.data))
        )
        api_answer, after_api = _in_a_savepoint(
            lambda: answer_of_api(
                client.generic(method, _filled(api_url, world), json.dumps(case.data), content_type="application/json")
            )
        )
    assert page_answer == api_answer == case.expect
    assert after_page == after_api
    assert (after_page != before) == (case.expect == DONE)


def test_every_write_of_the_pages_is_driven_both_ways():
    from integrations.views import ENDPOINT_ACTIONS, MESSAGE_ACTIONS

    driven = {case.page.rstrip("/").rsplit("/", 1)[-1] for case in CASES}
    assert {*ENDPOINT_ACTIONS, *MESSAGE_ACTIONS, "revoke", "change", "tokens", "new"} <= driven
    assert {"/integrations/services/new/", "/integrations/webhooks/new/"} <= {case.page for case in CASES}
