"""What a report page shows: the stored figures read back, with their labels. The page and the PDF share it."""

from cases.models import Channel, Severity
from maintenance.models import Scope
from reviews.models import FindingLevel, RecommendationStatus, ReviewStatus

from .figures import duration_label
from .gather import revive
from .models import ValueReport


def _labelled(counts: dict, choices) -> list[dict]:
    labels = dict(choices)
    return [{"label": labels.get(_key(key), key), "count": count} for key, count in counts.items()]


def _key(key: str):
    return int(key) if key.isdigit() else key


def report_context(report: ValueReport) -> dict:
    figures = revive(report.figures)
    scopes, levels, statuses = dict(Scope.choices), dict(FindingLevel.choices), dict(RecommendationStatus.choices)
    for event in figures["events"]["held"]:
        event["scope_label"] = scopes.get(event["scope"], event["scope"])
    for target in figures["sla"]:
        target["median"] = duration_label(target["median_seconds"])
        target["worst"] = duration_label(target["worst_seconds"])
    review = figures["review"]
    if review:
        review["status_label"] = dict(ReviewStatus.choices).get(review["status"], review["status"])
        for finding in review["findings"]:
            finding["level_label"] = levels.get(finding["level"], finding["level"])
        for item in review["recommendations"]:
            item["status_label"] = statuses.get(item["status"], item["status"])
    return {
        "report": report,
        "figures": figures,
        "by_severity": _labelled(figures["cases"]["by_severity"], Severity.choices),
        "by_channel": _labelled(figures["cases"]["by_channel"], Channel.choices),
    }
