"""The auditor-only endpoints: whole-store verification and what corrections changed."""

from __future__ import annotations

from tests.web.conftest import H_NEW, RECOGNITION, Web


def test_verify_is_for_auditors_and_finds_a_clean_store_ok(web: Web) -> None:
    for user in ("admin", "officer", "inspector"):
        assert web.get("/audit/verify", user).status_code == 403
    assert web.get("/audit/verify", None).status_code == 401
    r = web.get("/audit/verify", "auditor")
    assert r.status_code == 200, r.json
    assert r.json["ok"] is True and r.json["first_problem"] is None
    assert r.json["events"] >= 1


def test_diff_lists_a_late_decision_with_its_cause(web: Web) -> None:
    before = web.clock.advance(seconds=1).isoformat()
    late = {**RECOGNITION, "effective_on": "2019-12-01", "list_year": 2020, "status": "poor"}
    r = web.post(f"/households/{H_NEW}/recognitions", late, "officer")
    assert r.status_code == 201, r.json
    after = web.clock.advance(seconds=5).isoformat()
    query = {"unit": "048", "as_of": "2020-06-30", "from": before, "to": after}
    assert web.get("/audit/diff", "officer", query_string=query).status_code == 403
    d = web.get("/audit/diff", "auditor", query_string=query)
    assert d.status_code == 200, d.json
    [change] = d.json["changes"]
    assert change["code"] == H_NEW and change["after"]["status"] == "poor"
    assert [c["version"] for c in change["caused_by"]] == [r.json["version"]]
    bad = web.get("/audit/diff", "auditor", query_string={**query, "unit": "99999"})
    assert bad.status_code == 422 and "unit" in bad.json["errors"]


def test_diff_results_are_in_the_access_log(web: Web) -> None:
    before = web.clock.advance(seconds=1).isoformat()
    late = {**RECOGNITION, "effective_on": "2019-12-01", "list_year": 2020, "status": "poor"}
    assert web.post(f"/households/{H_NEW}/recognitions", late, "admin").status_code == 201
    after = web.clock.advance(seconds=5).isoformat()
    query = {"unit": "048", "as_of": "2020-06-30", "from": before, "to": after}
    assert web.get("/audit/diff", "auditor", query_string=query).status_code == 200
    log = web.get("/audit/access-log", "auditor").json["items"]
    assert [(e["user"], e["household_id"]) for e in log] == [("auditor", web.ids["new"])]
    assert log[0]["endpoint"].startswith("GET /api/v1/audit/diff?")


def test_verify_over_http_needs_a_trusted_key(web: Web) -> None:
    from web.bootstrap import build_audit

    web.households.clock = web.clock
    build_audit(web.store.settings, clock=web.clock).ensure_signing_key()
    build_audit(web.store.settings, clock=web.clock).checkpoint()
    assert web.get("/audit/verify", "auditor").json["ok"] is True
    web.store.settings.signing_key.rename(web.store.settings.signing_key.with_suffix(".away"))
    report = web.get("/audit/verify", "auditor").json
    assert report["ok"] is False and report["problems"][0]["kind"] == "untrusted"
