"""``/households``: search by code, head's name (accent-insensitive) or village, filtered by
unit and status on a date, paged, within the user's units, and logged for inspectors."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.factories import register
from tests.pages.conftest import H_NEW, H_OLD, sign_in
from tests.web.conftest import RECOGNITION, Web

Clients = Callable[[str], FlaskClient]


def test_names_are_found_without_their_accents(site: Web, clients: Clients) -> None:
    register(site.households, "01564-0003", head_name="Nông Văn Tư", village="Bản Đôn")
    register(site.households, "01564-0004", head_name="Hoàng Thị Mai", village="Bản Đôn")
    auditor = clients("auditor")
    found = auditor.get("/households?q=Nong+Van+Tu")
    assert found.status_code == 200
    assert "01564-0003" in found.text and "01564-0004" not in found.text
    assert "01564-0001" in found.text  # Nông Văn Tú: without accents, the same letters
    village = auditor.get("/households?q=ban+don").text
    assert "01564-0003" in village and "01564-0004" in village
    assert auditor.get("/households?q=d%C3%B4n+mai").text.count('href="/households/01564-') == 1


def test_a_whole_code_opens_the_household(site: Web, clients: Clients) -> None:
    resp = clients("officer").get(f"/households?q={H_NEW}")
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith(f"/households/{H_NEW}?as_of=")


def test_filters_by_unit_and_status_on_a_date_within_the_users_units(
    site: Web, clients: Clients
) -> None:
    site.post(f"/households/{H_NEW}/recognitions", RECOGNITION)
    officer = clients("officer")
    poor = officer.get("/households?status=poor&as_of=2020-01-01").text
    assert H_NEW in poor and "1 hộ" in poor
    assert H_NEW not in officer.get("/households?status=poor&as_of=2017-06-01").text
    everyone = officer.get("/households?q=01").text
    assert H_NEW in everyone and H_OLD not in everyone  # not in the officer's units
    assert H_OLD in clients("auditor").get("/households?q=01").text
    assert H_OLD in clients("auditor").get("/households?unit=01537").text
    assert H_NEW not in clients("auditor").get("/households?unit=01537").text


def test_bad_filters_are_422(site_sqlite: Web) -> None:
    client = sign_in(site_sqlite, "officer")
    assert client.get("/households?status=rich").status_code == 422
    assert client.get("/households?unit=99999").status_code == 422
    assert client.get("/households?as_of=2020-13-01").status_code == 422
    assert client.get("/households?page=0").status_code == 422


def test_results_are_paged(site_sqlite: Web) -> None:
    for n in range(3, 58):
        register(site_sqlite.households, f"01564-{n:04d}")
    client = sign_in(site_sqlite, "auditor")
    first = client.get("/households?q=01564").text
    assert "56 hộ" in first and "Trang 1/2" in first
    second = client.get("/households?q=01564&page=2").text
    assert second.count('href="/households/01564-') == 6


def test_listed_households_are_in_the_access_log(site: Web, clients: Clients) -> None:
    clients("inspector").get("/households?q=01564")
    clients("officer").get("/households?q=01564")
    entries, _ = site.accounts.access_log()
    assert [(e.user_name, e.household_id) for e in entries] == [("inspector", site.ids["new"])]
