"""``/``, ``/units/{code}`` (with its panels and downloads) and ``/audit``: the report and audit
use cases of the API behind pages, with the API's roles and unit scopes."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.pages.conftest import H_NEW, csrf, sign_in
from tests.web.conftest import RECOGNITION, Web
from web import i18n

Clients = Callable[[str], FlaskClient]


def test_the_dashboard_shows_the_users_units(site_sqlite: Web, sqlite_clients: Clients) -> None:
    officer = sqlite_clients("officer").get("/")
    assert officer.status_code == 200
    assert 'href="/units/01561"' in officer.text
    assert 'href="/units/01537"' not in officer.text
    auditor = sqlite_clients("auditor").get("/")
    assert 'href="/units/04"' in auditor.text  # the root of today's catalogue
    assert 'href="/audit"' in auditor.text and 'href="/audit"' not in officer.text


def test_a_unit_page_with_its_annual_review_and_downloads(
    site_sqlite: Web, sqlite_clients: Clients
) -> None:
    officer = sqlite_clients("officer")
    page = officer.get("/units/01561?year=2025")
    assert page.status_code == 200
    assert 'data-test="annual"' in page.text
    assert 'data-fragment-src="/units/01561/rates?year=2025&amp;units=historical"' in page.text
    xlsx = officer.get("/units/01561/annual.xlsx?year=2025")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.data)).sheetnames
    csv = officer.get("/units/01561/annual.csv?year=2025&units=current")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    assert csv.data.startswith("\ufeff".encode())


def test_the_unit_panels(site_sqlite: Web, sqlite_clients: Clients) -> None:
    officer = sqlite_clients("officer")
    rates = officer.get("/units/01561/rates?year=2025")
    assert rates.status_code == 200
    assert "data-fragment-body" in rates.text and '<svg class="chart"' in rates.text
    lists = officer.get("/units/01561/lists?year=2025")
    assert lists.status_code == 200
    assert 'href="/households?unit=01561&amp;status=poor"' in lists.text
    campaign = officer.get("/units/01561/campaign?year=2025")
    assert campaign.status_code == 200
    assert 'data-test="campaign"' in campaign.text


@pytest.mark.parametrize(
    "path",
    [
        "/units/01537",
        "/units/01537/rates",
        "/units/01537/lists",
        "/units/01537/campaign",
        "/units/01537/annual.xlsx",
        "/units/01537/annual.csv",
    ],
)
def test_units_outside_the_users_units_are_refused(site_sqlite: Web, path: str) -> None:
    resp = sign_in(site_sqlite, "officer").get(path)
    assert resp.status_code == 403
    assert "01537" in resp.text


@pytest.mark.parametrize(
    ("query", "field"),
    [("year=abc", "year"), ("year=1800", "year"), ("units=both", "units")],
)
def test_bad_unit_queries_are_422(site_sqlite: Web, query: str, field: str) -> None:
    resp = sign_in(site_sqlite, "officer").get(f"/units/01561?{query}")
    assert resp.status_code == 422
    assert field in resp.text


def test_an_unknown_unit_is_422(site_sqlite: Web) -> None:
    assert sign_in(site_sqlite, "auditor").get("/units/99999").status_code == 422


@pytest.mark.parametrize("user", ["admin", "officer", "inspector"])
def test_the_audit_page_is_for_auditors(site: Web, user: str) -> None:
    client = sign_in(site, user)
    assert client.get("/audit").status_code == 403
    assert client.post("/audit/verify", data={"csrf_token": csrf(client)}).status_code == 403


def test_an_auditor_verifies_the_store(site: Web, clients: Clients) -> None:
    auditor = clients("auditor")
    assert auditor.get("/audit").status_code == 200
    auditor.post(f"/households/{H_NEW}/verify", data={"csrf_token": csrf(auditor)})  # signs one
    resp = auditor.post("/audit/verify", data={"csrf_token": csrf(auditor, "/audit")})
    assert resp.status_code == 200
    assert 'data-test="store-verified"' in resp.text
    assert "message ok" in resp.text


def test_the_diff_links_each_changed_household_at_both_moments(site: Web, clients: Clients) -> None:
    start = site.clock.current
    assert site.post(f"/households/{H_NEW}/recognitions", RECOGNITION).status_code == 201
    end = site.clock.advance(seconds=5)
    auditor = clients("auditor")
    resp = auditor.get(
        "/audit",
        query_string={
            "unit": "01561",
            "as_of": "2026-06-30",
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
    )
    assert resp.status_code == 200
    assert "1 hộ thay đổi" in resp.text
    links = re.findall(r'href="(/households/01564-0001\?[^"]+)"', resp.text)
    assert any("known_at=" + start.isoformat().replace("+", "%2B") in x for x in links), links
    assert any("known_at=" + end.isoformat().replace("+", "%2B") in x for x in links), links
    entries, _ = site.accounts.access_log(user_name="auditor")
    assert site.ids["new"] in {e.household_id for e in entries}


def test_the_diff_takes_local_times(site_sqlite: Web) -> None:
    """The households were registered at 10:00 in Hà Nội (03:00 UTC): a moment typed without an
    offset is local time."""
    auditor = sign_in(site_sqlite, "auditor")
    query = "/audit?unit=01561&as_of=2020-06-30&from=2026-01-01T00:00&to=2026-11-29T"
    assert "0 hộ thay đổi" in auditor.get(query + "09:59").text
    after = auditor.get(query + "10:00")
    assert "1 hộ thay đổi" in after.text
    assert "chưa có trong hồ sơ" in after.text  # not yet recorded at the earlier moment
    assert auditor.get("/audit?unit=01561&as_of=2020-06-30&from=x&to=y").status_code == 422
    assert auditor.get("/audit?unit=01561&as_of=2020-06-30").status_code == 422


def test_every_message_has_both_languages() -> None:
    for key, pair in i18n.MESSAGES.items():
        assert len(pair) == len(i18n.LANGUAGES), key
        assert all(text.strip() for text in pair), key
    assert i18n.translate("no.such.key", "vi") == "⟦no.such.key⟧"
    assert i18n.word("status", "poor", "en") == "Poor"
    assert i18n.word("status", "unheard_of", "en") == "unheard_of"


PAGES_BY_USER = {
    "auditor": [
        "/",
        "/households",
        f"/households/{H_NEW}",
        "/units/01561",
        "/inspection",
        "/audit",
    ],
    "inspector": [
        "/",
        f"/households/{H_NEW}",
        "/units/01561?year=2020&units=current",
        "/inspection",
    ],
    "officer": ["/", f"/households/{H_NEW}?as_of=2018-01-01", "/units/01561/rates"],
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_lacks_a_translation(site_sqlite: Web, lang: str) -> None:
    site_sqlite.post(f"/households/{H_NEW}/recognitions", RECOGNITION)
    for user, paths in PAGES_BY_USER.items():
        client = sign_in(site_sqlite, user)
        for path in paths:
            sep = "&" if "?" in path else "?"
            resp = client.get(f"{path}{sep}lang={lang}")
            assert resp.status_code == 200, (user, path)
            assert "⟦" not in resp.text, (user, path)
            assert f'<html lang="{lang}">' in resp.text


def test_pages_have_a_skip_link_labels_and_one_h1(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "auditor")
    for path in PAGES_BY_USER["auditor"]:
        text = client.get(path).text
        assert '<a class="skip" href="#main">' in text, path
        assert '<main id="main"' in text, path
        assert text.count("<h1") == 1, path
        for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', text):
            assert f'for="{control}"' in text, (path, control)


def test_a_clock_independent_render(site_sqlite: Web) -> None:
    """Dates are shown as people write them in each language."""
    client = sign_in(site_sqlite, "officer")
    assert "29/11/2026" in client.get("/").text
    assert "2026-11-29" in client.get("/?lang=en").text
    assert datetime(2026, 11, 29, tzinfo=UTC)  # the fake clock's day
