"""``/households/{code}``: the status as of a date as known at a moment, the timeline, the
history, verification and the replay pack, with the API's scopes and access log."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from application.replay_pack import verify_pack
from tests.pages.conftest import H_NEW, H_OLD, csrf
from tests.web.conftest import ASSESSMENT, RECOGNITION, Web
from web.audit_bootstrap import build_proofs

Clients = Callable[[str], FlaskClient]


def _attr(text: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]+)"', text)
    assert found, f"no {name} on the page"
    return found.group(1)


def _corrected(site: Web) -> tuple[str, str]:
    """A poor decision corrected to near-poor: the moments just before and after the fix."""
    assert site.post(f"/households/{H_NEW}/assessments", ASSESSMENT).status_code == 201
    poor = site.post(f"/households/{H_NEW}/recognitions", RECOGNITION)
    assert poor.status_code == 201
    before = poor.json["recorded_at"]
    retraction = site.post(
        f"/households/{H_NEW}/retractions",
        {"version": poor.json["version"], "reason": "sai diện, đã rà soát lại"},
    )
    assert retraction.status_code == 201
    fixed = site.post(f"/households/{H_NEW}/recognitions", {**RECOGNITION, "status": "near_poor"})
    assert fixed.status_code == 201
    return before, fixed.json["recorded_at"]


def test_the_page_answers_status_as_of_and_known_at_in_marked_elements(
    site: Web, clients: Clients
) -> None:
    _corrected(site)
    resp = clients("officer").get(f"/households/{H_NEW}?as_of=2018-06-30")
    assert resp.status_code == 200
    assert _attr(resp.text, "data-status") == "near_poor"
    assert _attr(resp.text, "data-as-of") == "2018-06-30"
    assert _attr(resp.text, "data-known-at").startswith("2026-11-29T03:00")
    assert "Hộ cận nghèo" in resp.text


def test_an_auditor_moves_known_at_back_before_a_correction(site: Web, clients: Clients) -> None:
    before, _after = _corrected(site)
    auditor = clients("auditor")
    now = auditor.get(f"/households/{H_NEW}?as_of=2018-06-30")
    assert f'<option value="{before}"' in now.text  # the household's own recording moments
    then = auditor.get(
        f"/households/{H_NEW}", query_string={"as_of": "2018-06-30", "known_at": before}
    )
    assert then.status_code == 200
    assert _attr(then.text, "data-status") == "poor"
    assert _attr(then.text, "data-known-at") == before
    assert "được ghi sau thời điểm đang xem" in then.text  # later facts are not shown
    assert _attr(now.text, "data-status") == "near_poor"


def test_the_history_strikes_retracted_facts_and_links_them_to_their_retraction(
    site: Web, clients: Clients
) -> None:
    _corrected(site)
    text = clients("auditor").get(f"/households/{H_NEW}").text
    row = re.search(r'<tr id="fact-3" class="retracted"(.*?)</tr>', text, re.S)
    assert row, "the retracted decision is not marked"
    assert "<del>" in row.group(1)
    assert 'href="#fact-4"' in row.group(1)
    retraction = re.search(r'<tr id="fact-4"(.*?)</tr>', text, re.S)
    assert retraction and 'href="#fact-3"' in retraction.group(1)
    assert "<del>" not in retraction.group(1)
    hashes = site.households.hashes(site.households.household_id(H_NEW))
    assert hashes[3].hex() in text
    assert "officer.thongnhat" in text or "admin" in text


def test_the_timeline_shows_bands_and_the_change_of_standard(site: Web, clients: Clients) -> None:
    site.post(f"/households/{H_NEW}/recognitions", RECOGNITION)
    site.post(
        f"/households/{H_NEW}/recognitions",
        {**RECOGNITION, "effective_on": "2021-12-10", "decision_number": "12/QĐ-UBND"},
    )
    text = clients("auditor").get(f"/households/{H_NEW}?as_of=2022-01-01").text
    assert '<svg class="timeline"' in text
    assert text.count('class="band poor"') == 2
    assert 'class="band std-2016-2020"' in text and 'class="band std-2021-2025"' in text
    assert text.count('data-test="standard-change"') == 1
    assert "88/QĐ-UBND" in text and "12/QĐ-UBND" in text


def test_a_past_known_at_is_for_auditors_only(site_sqlite: Web, sqlite_clients: Clients) -> None:
    before, _after = _corrected(site_sqlite)
    for user in ("officer", "inspector", "admin"):
        resp = sqlite_clients(user).get(f"/households/{H_NEW}", query_string={"known_at": before})
        assert resp.status_code == 403, user
        assert "known_at" in resp.text
    assert '<select id="known_at"' not in sqlite_clients("officer").get(f"/households/{H_NEW}").text


def test_households_outside_the_users_units_are_refused(
    site_sqlite: Web, sqlite_clients: Clients
) -> None:
    resp = sqlite_clients("officer").get(f"/households/{H_OLD}")
    assert resp.status_code == 403
    assert "not in your units" in resp.text
    assert sqlite_clients("officer_vq").get(f"/households/{H_OLD}").status_code == 200
    assert sqlite_clients("auditor").get(f"/households/{H_OLD}").status_code == 200


def test_unknown_households_and_bad_dates(site_sqlite: Web, sqlite_clients: Clients) -> None:
    auditor = sqlite_clients("auditor")
    assert auditor.get("/households/99999-0001").status_code == 404
    bad = auditor.get(f"/households/{H_NEW}?as_of=31-12-2020")
    assert bad.status_code == 422
    assert "as_of" in bad.text
    assert auditor.get(f"/households/{H_NEW}?known_at=yesterday").status_code == 422


def test_reads_by_inspectors_and_auditors_are_in_the_access_log(
    site: Web, clients: Clients
) -> None:
    for user in ("officer", "inspector", "auditor"):
        assert clients(user).get(f"/households/{H_NEW}").status_code == 200
    entries, _total = site.accounts.access_log(household_id=site.ids["new"])
    assert sorted(e.user_name for e in entries) == ["auditor", "inspector"]
    assert all(e.endpoint.startswith(f"GET /households/{H_NEW}") for e in entries)


def test_an_auditor_verifies_the_household(site: Web, clients: Clients) -> None:
    _corrected(site)
    auditor = clients("auditor")
    resp = auditor.post(f"/households/{H_NEW}/verify", data={"csrf_token": csrf(auditor)})
    assert resp.status_code == 200
    assert 'data-test="verified"' in resp.text, resp.text[resp.text.find('id="verify-title"') :]
    assert _attr(resp.text, "data-status") == "near_poor"


def test_verification_finds_a_tampered_household(site_sqlite: Web) -> None:
    from tests.pages.conftest import sign_in

    site = site_sqlite
    _corrected(site)
    auditor = sign_in(site, "auditor")
    token = csrf(auditor)
    assert (
        'data-test="verified"'
        in auditor.post(f"/households/{H_NEW}/verify", data={"csrf_token": token}).text
    )
    conn: Any = site.store.connect_sql()
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    rowid, state = conn.execute(
        "SELECT rowid, state FROM stored_events WHERE originator_version = 5"
    ).fetchone()
    forged = bytes(state).replace(b"near_poor", b"not_poor")
    assert forged != bytes(state)
    conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (forged, rowid))
    conn.close()
    resp = auditor.post(f"/households/{H_NEW}/verify", data={"csrf_token": token})
    assert 'data-test="verify-failed"' in resp.text


def test_verification_and_the_pack_are_for_auditors(
    site_sqlite: Web, sqlite_clients: Clients
) -> None:
    for user in ("officer", "inspector", "admin"):
        client = sqlite_clients(user)
        token = csrf(client)
        assert (
            client.post(f"/households/{H_NEW}/verify", data={"csrf_token": token}).status_code
            == 403
        )
        assert (
            client.post(f"/households/{H_NEW}/replay-pack", data={"csrf_token": token}).status_code
            == 403
        )
    assert 'data-test="verify"' not in sqlite_clients("officer").get(f"/households/{H_NEW}").text


def test_verify_without_the_csrf_token_signs_nothing(site: Web, clients: Clients) -> None:
    auditor = clients("auditor")
    resp = auditor.post(f"/households/{H_NEW}/verify", data={})
    assert resp.status_code == 403
    from web.audit_bootstrap import build_audit

    assert build_audit(site.store.settings).log.checkpoints() == []


def test_the_replay_pack_downloads_and_verifies_offline(site: Web, clients: Clients) -> None:
    _corrected(site)
    auditor = clients("auditor")
    resp = auditor.post(f"/households/{H_NEW}/replay-pack", data={"csrf_token": csrf(auditor)})
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert 'filename="01564-0001-replay-pack.json"' in resp.headers["Content-Disposition"]
    pack = json.loads(resp.data)
    assert pack["household_id"] == site.ids["new"]
    report = verify_pack(pack, build_proofs())
    assert report.ok, report.problems
    assert report.status is not None and report.status["status"] == "near_poor"


def test_the_page_in_english(site_sqlite: Web, sqlite_clients: Clients) -> None:
    text = sqlite_clients("auditor").get(f"/households/{H_NEW}?lang=en").text
    assert "As the record stood at" in text and "History in recording order" in text
    assert "⟦" not in text
