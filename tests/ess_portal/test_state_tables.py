"""Every aggregate with a status moves along one table, kept in its app's ``states.py``: a new status (or a new
aggregate with one) cannot be added without saying where it may go."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.states import Transitions

# Status fields that no service moves: a job's own bookkeeping row, the count of cases per status.
NOT_AGGREGATES = {"ess_portal.JobStatus", "cases.CaseTally"}  # a count per status, not a status that moves


def _status_fields():
    root = Path(settings.BASE_DIR).resolve()
    for model in apps.get_models():
        config = apps.get_app_config(model._meta.app_label)
        if Path(config.path).resolve().parent != root or model._meta.label in NOT_AGGREGATES:
            continue
        for field in model._meta.get_fields():
            if field.name == "status" and getattr(field, "choices", None):
                yield model, field


def _tables(app_label: str) -> list[Transitions]:
    module = importlib.import_module(f"{apps.get_app_config(app_label).name}.states")
    return [value for value in vars(module).values() if isinstance(value, Transitions)]


STATUS_FIELDS = list(_status_fields())


def test_the_aggregates_with_a_status_are_the_expected_ones():
    assert {model._meta.label for model, _ in STATUS_FIELDS} == {
        "accounts.Contract",
        "cases.Case",
        "intake.TriageItem",
        "integrations.WebhookMessage",
        "maintenance.MaintenanceEvent",
        "reviews.PreviewSession",
        "reviews.Recommendation",
        "reviews.ProactiveReview",
    }


@pytest.mark.parametrize("model, field", STATUS_FIELDS, ids=[model._meta.label for model, _ in STATUS_FIELDS])
def test_each_status_field_has_one_table_naming_every_status(model, field):
    statuses = {value for value, _ in field.choices}
    tables = [table for table in _tables(model._meta.app_label) if set(table.table) == statuses]
    assert len(tables) == 1, f"{model._meta.label}.status needs one table in its states.py naming {sorted(statuses)}"
    for targets in tables[0].table.values():
        assert targets <= statuses


def test_a_refused_move_says_why_on_the_tables_field():
    from accounts.models import ContractStatus
    from accounts.states import CONTRACT_STATES
    from core.errors import DomainError
    from intake.models import TriageStatus
    from intake.states import TRIAGE_STATES

    with pytest.raises(DomainError) as refused:
        CONTRACT_STATES.check(ContractStatus.CANCELLED, ContractStatus.CANCELLED)
    assert refused.value.errors == {"status": ["This contract is already cancelled."]}
    with pytest.raises(DomainError) as refused:
        TRIAGE_STATES.check(TriageStatus.DISCARDED, TriageStatus.ASSIGNED)
    assert refused.value.errors == {"non_field_errors": ["This item was already discarded."]}
    assert TRIAGE_STATES.allows(TriageStatus.WAITING, TriageStatus.ASSIGNED)
