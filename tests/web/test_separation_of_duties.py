"""An inspector may not inspect a household they assessed, recognised or sponsor (403, reason)."""

from __future__ import annotations

import pytest

from tests.web.conftest import ASSESSMENT, H_NEW, INSPECTION, RECOGNITION, Web


@pytest.mark.parametrize("role_in_household", ["sponsor", "assessor", "signer", "none"])
def test_inspector_conflicts_are_refused_with_the_reason(web: Web, role_in_household: str) -> None:
    path = f"/households/{H_NEW}"
    if role_in_household == "sponsor":
        body = {"effective_on": "2020-01-02", "sponsor": {"name": "inspector", "kind": "official"}}
        assert web.post(path + "/sponsorships", body, "admin").status_code == 201
    elif role_in_household == "assessor":
        body = {**ASSESSMENT, "effective_on": "2019-10-01", "assessor": "inspector"}
        assert web.post(path + "/assessments", body, "admin").status_code == 201
    elif role_in_household == "signer":
        body = {**RECOGNITION, "effective_on": "2019-12-01", "signed_by": "inspector"}
        assert web.post(path + "/recognitions", body, "admin").status_code == 201
    before = web.history(H_NEW)
    r = web.post(path + "/inspections", INSPECTION, "inspector")
    if role_in_household == "none":
        assert r.status_code == 201, r.json
        return
    assert r.status_code == 403, r.json
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert any(w in r.json["detail"] for w in ("sponsor", "assess", "recogni"))
    assert web.history(H_NEW) == before


def test_an_inspection_against_an_unknown_plan_is_refused(web: Web) -> None:
    before = web.history(H_NEW)
    r = web.post(f"/households/{H_NEW}/inspections", {**INSPECTION, "plan_id": "nope"}, "inspector")
    assert r.status_code == 422 and "plan_id" in r.json["errors"]
    assert web.history(H_NEW) == before
