"""axe-core in the browser suite: every page a journey loads is checked against WCAG 2.1 A and AA.

axe-core is vendored (``vendor/axe.min.js``, its licence beside it; ``npm pack axe-core`` to update it): no CDN.
``watch(context)`` installs it in a browser context as an init script (which the pages' Content-Security-Policy does
not apply to) that runs axe once each HTML page has loaded and hands the result to the test process; ``check(page)``
runs it on the page as it stands now (after an htmx swap, say). A page left before its check finished is checked
again at the end of the test when it is the last one; the others are reported when they reached the test process.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# One axe run at a time per page: a check waits for the run the page's load started (axe refuses a second one).
_RUN = f"""async () => {{
  for (let i = 0; i < 200 && window.__axeBusy; i++) await new Promise((done) => setTimeout(done, 50));
  window.__axeBusy = true;
  try {{ return (await axe.run(document, {json.dumps(OPTIONS)})).violations; }}
  finally {{ window.__axeBusy = false; }}
}}"""
_ON_LOAD = f"""
window.addEventListener("load", () => {{
  if (window !== window.top || document.contentType !== "text/html" || !window.axe) return;
  setTimeout(async () => {{
    if (window.__axeBusy) return;  // a check is running on this page already
    window.__axeBusy = true;
    try {{
      const violations = (await axe.run(document, {json.dumps(OPTIONS)})).violations;
      await window.__axeReport(location.pathname + location.search, violations);
    }} catch (error) {{ /* a page left mid-run is checked again if it is the last one */ }}
    finally {{ window.__axeBusy = false; }}
  }}, 50);
}});
"""


@dataclass
class Finding:
    path: str
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.path}: {self.impact} {self.rule} ({self.help}) at {', '.join(self.targets[:3])}"


BACK_OFFICE = "/config/"


@dataclass
class Audit:
    """What axe found on the pages of one browser context: every page checked, every violation."""

    checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def record(self, path: str, violations: list[dict]) -> None:
        if path.startswith(BACK_OFFICE):
            return  # Django's admin (/config/): the superusers' break-glass back office, not the product's pages
        self.checked.append(path)
        for violation in violations:
            self.findings.append(
                Finding(
                    path=path,
                    rule=violation["id"],
                    impact=violation.get("impact") or "minor",
                    help=violation["help"],
                    targets=[", ".join(map(str, node["target"])) for node in violation["nodes"]],
                )
            )

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.impact in BLOCKING]

    def counts(self) -> dict[str, int]:
        """Violations (rule and page) by impact, and the elements they concern."""
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.impact] = counts.get(finding.impact, 0) + 1
            counts["elements"] = counts.get("elements", 0) + len(finding.targets)
        return counts


def watch(context, audit: Audit) -> None:
    """Check each page the context loads, into ``audit``."""
    context.expose_binding("__axeReport", lambda source, path, violations: audit.record(path, violations))
    context.add_init_script(script=AXE_SOURCE + _ON_LOAD)


def check(page, audit: Audit) -> list[Finding]:
    """Run axe on the page as it is now; returns the blocking findings it adds."""
    before = len(audit.findings)
    path = page.evaluate("location.pathname + location.search")
    if not page.evaluate("!!window.axe"):
        page.evaluate(AXE_SOURCE)
    audit.record(path, page.evaluate(_RUN))
    return [f for f in audit.findings[before:] if f.impact in BLOCKING]
