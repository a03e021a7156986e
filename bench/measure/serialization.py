"""P3: DRF serialization of 500 cases vs exactly the same payload built from ``.values()``."""

import json
import statistics

from accounts.models import User
from bench.measure import timed
from bench.names import SUPPORT
from cases.models import Case
from cases.serializers import LIST_COLUMNS, CaseSerializer, case_list_payload


def p3_serialization(rows: int, repeat: int) -> dict:
    staff = User.objects.get(email=SUPPORT)

    def queryset():
        return (
            Case.objects.visible_to(staff)
            .select_related("account", "contact", "assignee")
            .with_urgency(breached=False)  # as the API reads cases: CaseSerializer shows no breached flag
            .order_by("-created_at")[:rows]
        )

    def with_drf():
        return CaseSerializer(list(queryset()), many=True).data

    def with_values():
        return [case_list_payload(row) for row in queryset().values(*LIST_COLUMNS)]

    drf_payload, values_payload = json.dumps(with_drf()), json.dumps(with_values())
    if drf_payload != values_payload:
        raise SystemExit("P3: the two payloads differ; the baseline must build exactly what the API returns")
    drf_times, values_times = [], []
    for _ in range(repeat):  # interleaved, so drift on a shared machine hits both alike
        drf_times.append(timed(with_drf))
        values_times.append(timed(with_values))
    return {
        "rows": rows,
        "baseline_ms": statistics.median(values_times) * 1000,
        "subject_ms": statistics.median(drf_times) * 1000,
    }
