"""In a real browser: sign in, open a household, move ``known_at`` back before a correction and
see the earlier answer, verify the household, look at the dashboards, record an inspection, sign
out — with the keyboard where a user would, no console error, and a screenshot of each page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Site, screenshot_dir

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


class Tab:
    """One browser tab with its console watched and a screenshot helper."""

    def __init__(self, browser: Any, site: Site, viewport: dict[str, int], tag: str) -> None:
        self.context = browser.new_context(viewport=viewport, locale="vi-VN")
        self.page = self.context.new_page()
        self.site = site
        self.tag = tag
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        """Open a page of the site and wait until its panels have loaded."""
        self.page.goto(self.site.base + path)
        return self.settle()

    def settle(self) -> Any:
        """Wait for the page and the panels it loads."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "() => !document.querySelector('[data-fragment-src]:not([data-loaded])')",
            timeout=30_000,
        )
        return self.page

    def shot(self, name: str) -> None:
        """Keep a full-page screenshot as a test artefact."""
        self.page.screenshot(path=str(screenshot_dir() / f"{self.tag}-{name}.png"), full_page=True)

    def sign_in(self, user: str) -> None:
        """Through the form, with the keyboard."""
        self.go("/sign-in")
        self.page.fill("input[name=token]", self.site.tokens[user])
        self.page.press("input[name=token]", "Enter")
        self.settle()

    def sign_out(self) -> None:
        """With the header's button."""
        self.page.click("[data-test=sign-out]")
        self.settle()

    def fits(self) -> bool:
        """Whether the page fits the window's width (nothing scrolls sideways but tables)."""
        return bool(
            self.page.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
            )
        )

    def close(self) -> None:
        """Close the tab's context."""
        self.context.close()


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Tab]:
    """A wide tab (1366×768)."""
    t = Tab(browser, site, WIDE, "wide")
    try:
        yield t
    finally:
        t.close()


def test_an_auditor_travels_back_before_a_correction_and_verifies(tab: Tab, site: Site) -> None:
    page = tab.go("/")
    assert "/sign-in" in page.url
    assert page.evaluate("() => document.activeElement.name") == "token"
    tab.shot("sign-in")
    tab.sign_in("auditor")
    assert page.url == site.base + "/"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    tab.shot("dashboard")

    tab.go("/households")
    page.fill("input[name=q]", site.corrected)
    page.press("input[name=q]", "Enter")
    tab.settle()
    assert page.get_attribute("[data-status]", "data-status") == site.status_after
    assert page.locator("tr.retracted del").count() >= 1
    tab.shot("household")

    page.select_option("select[name=known_at]", site.before_correction)
    page.click("form.controls button[type=submit]")
    tab.settle()
    assert page.get_attribute("[data-status]", "data-status") == site.status_before
    assert page.get_attribute("[data-known-at]", "data-known-at") == site.before_correction
    assert page.locator("tr.retracted").count() == 0  # the retraction was not yet recorded
    tab.shot("household-before-correction")

    page.click("[data-test=verify]")
    tab.settle()
    assert page.locator("[data-test=verified]").is_visible()
    assert page.get_attribute("[data-known-at]", "data-known-at") == site.before_correction
    tab.shot("household-verified")

    tab.go(f"/units/{site.commune}")
    assert page.locator("[data-test=annual]").is_visible()
    assert page.locator("svg.chart").is_visible()
    assert page.locator("#now-title + div table").is_visible()
    assert page.locator("[data-test=campaign]").is_visible()
    tab.shot("unit")

    tab.go("/audit")
    page.click("[data-test=verify-store]")
    tab.settle()
    assert page.locator("[data-test=store-verified]").is_visible()
    tab.shot("audit-verified")
    page.fill("input[name=unit]", site.commune)
    page.fill("input[name=as_of]", site.today)
    page.click("section[aria-labelledby=diff-title] button[type=submit]")
    tab.settle()
    assert page.locator("[data-test=diff-summary]").is_visible()
    new_year = site.today[:4] + "-01-01"  # the form's default earlier moment
    before = page.locator(f"a[href*='/households/{site.corrected}?'][href*='known_at={new_year}']")
    assert before.count() == 1  # the household as known at the earlier moment
    tab.shot("audit-diff")
    before.click()
    tab.settle()
    assert page.get_attribute("[data-known-at]", "data-known-at").startswith(new_year + "T00:00")

    tab.sign_out()
    assert "/sign-in" in page.url
    assert page.locator("p.notice").is_visible()
    tab.go(f"/households/{site.corrected}")
    assert "/sign-in" in page.url  # the session ended on the server
    assert tab.errors == []


def test_an_inspector_records_an_inspection(tab: Tab, site: Site) -> None:
    tab.sign_in("inspector.test")
    page = tab.go("/inspection")
    assert page.locator("[data-test=anomaly-summary]").is_visible()
    page.fill("#r-household", site.corrected)
    page.fill("#r-team", "Đoàn kiểm tra huyện")
    page.select_option("#r-outcome", "discrepancy")
    page.fill("#r-fcode", "F-01")
    page.select_option("#r-fsev", "minor")
    page.fill("#r-fnote", "Quyết định đã được điều chỉnh")
    page.click("[data-test=record]")
    tab.settle()
    assert page.locator("[data-test=recorded]").is_visible()
    tab.shot("inspection")
    history = site.api("GET", f"/households/{site.corrected}/history")["facts"]
    assert history[-1]["type"] == "inspection"
    assert history[-1]["recorded_by"] == "inspector.test"
    tab.go(f"/households/{site.corrected}?lang=en")
    assert page.locator("html[lang=en]").count() == 1
    tab.shot("household-en")
    tab.sign_out()
    assert tab.errors == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "phone"])
def test_pages_fit_the_screen(browser: Any, site: Site, viewport: dict[str, int]) -> None:
    t = Tab(browser, site, viewport, "phone" if viewport is PHONE else "fit")
    try:
        t.sign_in("auditor")
        for name, path in [
            ("dashboard", "/"),
            ("household", f"/households/{site.corrected}"),
            ("unit", f"/units/{site.commune}"),
            ("inspection", "/inspection"),
            ("search", "/households"),
        ]:
            t.go(path)
            assert t.fits(), (path, viewport)
            if viewport is PHONE:
                t.shot(name)
        assert t.errors == []
    finally:
        t.close()
