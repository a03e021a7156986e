"""A screenshot of each main page per role, and what axe-core says of each (``make screenshots``).

    python -m tests.browser.screenshots [--out DIR] [--base-url URL] [--axe]

Without ``--base-url`` it sets up its own portal: a fresh SQLite database in a temporary folder, migrated and
filled by ``seed_demo``, served by ``runserver`` on a free loopback port, stopped at the end. With it, it signs in
to that server as the demo users (``seed_demo``'s). Pages are found as people find them (``tour.main_pages``).
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import axe
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.browser.tour import DEMO_ROLES, main_pages, sign_in

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "ess-demo-2026!"
VIEWPORT = {"width": 1280, "height": 860}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def demo_server():
    """A seeded portal of its own, on a free port, for as long as the block runs."""
    with tempfile.TemporaryDirectory(prefix="ess-screens-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
            "DJANGO_SETTINGS_MODULE": "ess_portal.settings.local",
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput"], ["createcachetable"], ["seed_demo"]):
            subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        port = _free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=2)  # noqa: S310 (our own loopback server)
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def _file_name(role: str, path: str) -> str:
    slug = re.sub(r"[^\w]+", "-", path.strip("/")).strip("-") or "home"
    who = re.sub(r"[^\w]+", "-", role)
    return f"{who}--{slug}.png"


def walk(base_url: str, out: Path | None, with_axe: bool) -> dict[str, axe.Audit]:
    """Sign in as each demo role, visit its main pages; screenshots into ``out``, axe's findings per role."""
    audits = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        for role, email in DEMO_ROLES.items():
            context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="en-US")
            audit = audits.setdefault(role, axe.Audit())
            if with_axe:
                context.add_init_script(script=axe.AXE_SOURCE)
            page = context.new_page()
            sign_in(page, email, DEMO_PASSWORD)
            for path in main_pages(page):
                page.goto(path)
                page.wait_for_load_state("networkidle")
                if out is not None:
                    page.screenshot(path=str(out / _file_name(role, path)))
                if with_axe:
                    axe.check(page, audit)
            context.close()
        browser.close()
    return audits


def report(audits: dict[str, axe.Audit]) -> None:
    pages = sum(len(audit.checked) for audit in audits.values())
    print(f"axe-core on {pages} pages (WCAG 2.1 A and AA):")
    for role, audit in audits.items():
        counts = audit.counts()
        figures = ", ".join(
            f"{counts.get(impact, 0)} {impact}" for impact in ("critical", "serious", "moderate", "minor")
        )
        print(f"  {role}: {len(audit.checked)} pages, {figures}")
        for path in audit.checked:
            print(f"    {path}")
        for finding in audit.findings:
            print(f"    ! {finding}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--base-url", help="a running portal with the demo data (else one is started)")
    parser.add_argument("--axe", action="store_true", help="also run axe-core on each page and print the figures")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args(argv)
    out = None if args.no_screenshots else args.out
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    if args.base_url:
        audits = walk(args.base_url, out, args.axe)
    else:
        with demo_server() as url:
            audits = walk(url, out, args.axe)
    if args.axe:
        report(audits)
    if out is not None:
        print(f"Screenshots in {out}")
    return 1 if any(audit.blocking for audit in audits.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
