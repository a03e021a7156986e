"""Each role's main pages, found as a person finds them: the places in the navigation bar and the menu under the
person's name, and the first item each of those lists links to (a case, an event, a review, a report...).

Used by the accessibility walk (``test_accessibility.py``) and by ``make screenshots`` (``scripts/screenshots.py``),
both on the demo data of ``seed_demo``.
"""

import re
from urllib.parse import urlsplit

DEMO_ROLES = {
    "customer": "alice@acme.example",
    "customer of a lapsed contract": "uma@umbrella.example",
    "TAM": "tam@ess.example",
    "TAM-level support": "tamlevel@ess.example",
    "support": "support@ess.example",
    "admin": "admin@ess.example",
}
# The items a list leads to; one of each kind is visited.
DETAIL_PAGES = re.compile(
    r"^/(cases/\d+|maintenance/events/\d+|reviews/\d+(/report)?|reviews/releases/\d+|reviews/previews/\d+"
    r"|value-reports/\d+|customers/[\w-]+|renewals/contracts/\d+|intake/triage/\d+|integrations/webhooks/\d+"
    r"|configuration/[\w-]+(/[\w-]+)?)/$"
)
# Lists inside a place (the configuration's sections): one item of each kind they link to is visited too.
SECTIONS = re.compile(r"^/configuration/[\w-]+/$")
# Not pages: files, feeds, and places outside the product's own pages.
SKIPPED = re.compile(r"(\.(pdf|csv|ics|eml)$|/pdf/$|^/config/|^/accounts/logout/|/attachments/|^mailto:)")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_selector("h1")


def _local_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    paths = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIPPED.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _kind(path: str) -> str:
    """/cases/7/ and /cases/3/ are one kind of page; so are /customers/acme/ and /customers/globex/."""
    path = re.sub(r"\d+", "_", path.split("?")[0])
    return re.sub(r"^/(customers|configuration/accounts)/(?!new/)[\w-]+/", r"/\1/_/", path)


def main_pages(page) -> list[str]:
    """The signed-in person's main pages: home, the navigation and menu entries, then one item of each kind their
    lists link to, in the order met."""
    page.goto("/")
    places = ["/", *_local_links(page, "nav[aria-label=Main] a")]
    places = list(dict.fromkeys(places))
    kinds: dict[str, str] = {}
    for place in list(places):
        page.goto(place)
        for path in _local_links(page, "main a"):
            if DETAIL_PAGES.match(path.split("?")[0]):
                kinds.setdefault(_kind(path), path)
    for section in [path for path in kinds.values() if SECTIONS.match(path)]:
        page.goto(section)
        for path in _local_links(page, "main a"):
            if DETAIL_PAGES.match(path.split("?")[0]):
                kinds.setdefault(_kind(path), path)
    return places + [path for path in kinds.values() if path not in places]
