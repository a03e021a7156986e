"""The PDF of a report: the same page body, laid out for print by WeasyPrint (which needs Pango and HarfBuzz,
installed by ``scripts/ensure-pdf-libs.sh``)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .display import report_context
from .models import ValueReport


def report_pdf(report: ValueReport, *, zone: str) -> bytes:
    """The report as a PDF, its times in ``zone``."""
    from weasyprint import HTML

    with timezone.override(zone):
        html = render_to_string("value_reports/report_pdf.html", {**report_context(report), "zone": zone})
    return HTML(string=html, base_url=settings.ESS_BASE_URL, url_fetcher=_nothing_fetched).write_pdf()


def _nothing_fetched(url: str, *args, **kwargs):
    """The page carries its own style and no image: nothing is fetched while drawing it, whatever a name in it says."""
    raise ValueError(f"the report's PDF fetches nothing ({url[:80]})")
