"""Roles × endpoints × households in and out of the user's units; the access log.

``H_NEW`` lies in Hạ Lang (01561 today) — the officer's and inspector's unit; ``H_OLD`` was in
the old commune that reused the code 01561 and is in Vinh Quý (01537) today: out of their scope.
"""

from __future__ import annotations

from typing import Any

from tests.web.conftest import H_NEW, H_OLD, INSPECTION, SUPPORT, Web

IN, OUT = H_NEW, H_OLD
ROLES = ("admin", "officer", "inspector", "auditor")

READS = ("", "/status", "/history", "/timeline")


def _expected_read(role: str, ref: str) -> int:
    if role in ("admin", "auditor"):
        return 200
    return 200 if ref == IN else 403


def _expected_record(role: str, kind: str, ref: str) -> int:
    if role == "admin":
        return 201
    if role == "auditor":
        return 403
    if (role == "inspector") != (kind == "inspection"):
        return 403  # inspectors record only inspections; officers never do
    return 201 if ref == IN else 403


def test_role_endpoint_scope_matrix(web: Web) -> None:
    outcomes: dict[tuple[str, str, str], tuple[int, int]] = {}

    def check(key: tuple[str, str, str], expected: int, r: Any) -> None:
        outcomes[key] = (expected, r.status_code)

    for role in ROLES:
        for ref in (IN, OUT):
            for suffix in READS:
                check(
                    (role, "GET" + suffix, ref),
                    _expected_read(role, ref),
                    web.get(f"/households/{ref}{suffix}", role),
                )
            for kind, path, body in (
                ("support", "/support", SUPPORT),
                ("inspection", "/inspections", INSPECTION),
            ):
                r = web.post(f"/households/{ref}{path}", body, role)
                check((role, "POST" + path, ref), _expected_record(role, kind, ref), r)
        expected = 200 if role == "auditor" else 403
        check((role, "GET /audit/access-log", "-"), expected, web.get("/audit/access-log", role))
        check(
            (role, "POST /classify", "-"),
            200,
            web.post(
                "/classify",
                {
                    "standard": "2021-2025",
                    "area_type": "rural",
                    "income_per_capita": 1,
                    "deprivations": [],
                },
                role,
            ),
        )
        check((role, "GET /units", "-"), 200, web.get("/units", role))
    wrong = {k: v for k, v in outcomes.items() if v[0] != v[1]}
    assert wrong == {}, wrong
    assert len(outcomes) == len(ROLES) * (2 * (len(READS) + 2) + 3)


def test_status_scope_follows_as_of(web_sqlite: Web) -> None:
    web = web_sqlite
    # Reads are scoped on as_of: in 2018, H_OLD was in the commune then called 01561, which is
    # part of Vinh Quý (01537) today, so the Vinh Quý officer may read it then and now.
    assert web.get(f"/households/{H_OLD}/status?as_of=2018-01-01", "officer_vq").status_code == 200
    assert web.get(f"/households/{H_OLD}/status?as_of=2018-01-01", "officer").status_code == 403
    assert web.get(f"/households/{H_NEW}/status?as_of=2018-01-01", "officer").status_code == 200


def test_officer_scope_moves_with_the_household(web_sqlite: Web) -> None:
    web = web_sqlite
    move = {"effective_on": "2026-01-10", "unit": "01537", "village": "Bản Mới"}
    assert web.post(f"/households/{H_NEW}/relocations", move, "officer").status_code == 201
    late = {**SUPPORT, "effective_on": "2025-12-01"}  # before the move, but not Hạ Lang's today
    assert web.post(f"/households/{H_NEW}/support", late, "officer").status_code == 403
    assert web.post(f"/households/{H_NEW}/support", late, "officer_vq").status_code == 403
    assert web.post(f"/households/{H_NEW}/support", late, "admin").status_code == 201
    after = {**SUPPORT, "effective_on": "2026-02-01"}  # after the move: Vinh Quý's
    assert web.post(f"/households/{H_NEW}/support", after, "officer").status_code == 403
    assert web.post(f"/households/{H_NEW}/support", after, "officer_vq").status_code == 201
    assert web.get(f"/households/{H_NEW}", "officer").status_code == 403
    assert web.get(f"/households/{H_NEW}/status?as_of=2025-12-31", "officer").status_code == 200


def test_only_auditors_read_the_past(web_sqlite: Web) -> None:
    web = web_sqlite
    past = "2026-11-01T00:00:00+07:00"
    future = "2030-01-01T00:00:00Z"
    for role in ("admin", "officer", "inspector"):
        for what in ("status", "history", "timeline"):
            r = web.get(f"/households/{IN}/{what}", role, query_string={"known_at": past})
            assert r.status_code == 403, (role, what)
            r = web.get(f"/households/{IN}/{what}", role, query_string={"known_at": future})
            assert r.status_code == 200, (role, what)
    r = web.get(f"/households/{IN}/status", "auditor", query_string={"known_at": past})
    assert r.status_code == 404  # registered (in the test clock's world) after that moment
    r = web.get(f"/households/{IN}/history", "auditor", query_string={"known_at": future})
    assert r.status_code == 200


def test_reads_by_inspectors_and_auditors_are_logged(web: Web) -> None:
    web.get(f"/households/{IN}", "officer")
    web.get(f"/households/{IN}", "admin")
    web.get(f"/households/{IN}/status?as_of=2020-01-01", "inspector")
    web.clock.advance(seconds=5)
    web.get(f"/households/{OUT}/history", "inspector")  # refused: not a read
    web.get(f"/households/{OUT}/timeline", "auditor")
    web.get("/households?status=not_poor", "auditor")
    log = web.get("/audit/access-log", "auditor").json
    rows = [(e["user"], e["household_id"], e["endpoint"]) for e in log["items"]]
    new, old = web.ids["new"], web.ids["old"]
    assert rows == [
        ("inspector", new, f"GET /api/v1/households/{IN}/status?as_of=2020-01-01"),
        ("auditor", old, f"GET /api/v1/households/{OUT}/timeline"),
        ("auditor", old, "GET /api/v1/households?status=not_poor"),
        ("auditor", new, "GET /api/v1/households?status=not_poor"),
    ]
    assert log["total"] == 4
    by_user = web.get("/audit/access-log?user=inspector", "auditor").json["items"]
    assert [e["household_id"] for e in by_user] == [new]
    by_code = web.get(f"/audit/access-log?household_id={OUT}", "auditor").json["items"]
    assert {e["household_id"] for e in by_code} == {old}
    first_at = log["items"][0]["at"]
    later = web.get("/audit/access-log", "auditor", query_string={"from": first_at, "to": first_at})
    assert [e["user"] for e in later.json["items"]] == ["inspector"]
    # reading the access log is not a household read: it is not logged itself
    assert web.get("/audit/access-log", "auditor").json["total"] == 4
