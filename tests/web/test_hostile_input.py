"""Inputs an attacker or a broken client sends: each is a 400/422 problem, never a 500, and
nothing is stored. Ends with a fuzz test (hypothesis) over JSON bodies and query strings."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.fields import HOUSEHOLD_CODE_PATTERN
from tests.web.conftest import ASSESSMENT, H_NEW, RECOGNITION, SUPPORT, Web, registration
from tests.web.test_errors import Unchanged, _problem
from web.api.common import MAX_JSON_DEPTH

JSON = {"Content-Type": "application/json"}
RECORDING_PATHS = [
    "/households",
    f"/households/{H_NEW}/support",
    f"/households/{H_NEW}/assessments",
    f"/households/{H_NEW}/recognitions",
    "/recognitions",
    "/classify",
]


@pytest.mark.parametrize("key", [None, "k-deep"])
def test_deeply_nested_bodies_are_400_not_a_recursion_error(web: Web, key: str | None) -> None:
    same = Unchanged(web)
    headers = {**JSON, **({"Idempotency-Key": key} if key else {})}
    for path in RECORDING_PATHS:
        for body in ("[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000):
            r = web.post(path, data=body, headers=headers)
            problem = _problem(r, 400)
            assert "nested deeper" in problem["detail"]
    same.check()


def test_the_depth_limit_is_exact(web_sqlite: Web) -> None:
    def nested(depth: int) -> str:
        return "[" * (depth - 1) + '{"x": "[[[["}' + "]" * (depth - 1)

    at_limit = web_sqlite.post("/classify", data=nested(MAX_JSON_DEPTH), headers=JSON)
    assert at_limit.status_code == 422  # read, then refused as a classification
    beyond = web_sqlite.post("/classify", data=nested(MAX_JSON_DEPTH + 1), headers=JSON)
    assert "nested deeper" in _problem(beyond, 400)["detail"]


@pytest.mark.parametrize("key", [None, "k-surrogate"])
def test_a_lone_surrogate_in_any_text_is_400(web: Web, key: str | None) -> None:
    same = Unchanged(web)
    headers = {**JSON, **({"Idempotency-Key": key} if key else {})}
    body = json.dumps({**SUPPORT, "provider": "UBND x\ud800"})  # json escapes it as \ud800
    assert "\\ud800" in body
    problem = _problem(web.post(f"/households/{H_NEW}/support", data=body, headers=headers), 400)
    assert "surrogate" in problem["errors"]["_body"][0]
    same.check()


def test_a_lone_surrogate_as_a_key_gets_a_readable_problem(web: Web) -> None:
    same = Unchanged(web)
    body = '{"\\ud800": 1, "effective_on": "2018-01-01"}'
    r = web.post(f"/households/{H_NEW}/support", data=body, headers=JSON)
    problem = _problem(r, 400)
    r.get_data().decode("utf-8")  # the answer itself is valid UTF-8
    assert "surrogate" in problem["detail"]
    same.check()


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59 -23:59"],
)
def test_timestamps_outside_utc_are_422(web: Web, moment: str) -> None:
    for path, user, name in (
        ("/audit/access-log", "auditor", "from"),
        ("/audit/access-log", "auditor", "to"),
        (f"/households/{H_NEW}/status", "auditor", "known_at"),
        (f"/households/{H_NEW}/history", "auditor", "known_at"),
    ):
        r = web.get(path, user, query_string={name: moment})
        assert f"query.{name}" in _problem(r, 422)["errors"], (path, name)


HOSTILE_CODES = [
    "01561-0900\n",
    " 01561-0900",
    "01561-0900 ",
    "01561\t0900",
    "01561-\u200b0900",  # zero-width space
    "01561-0900\u200d",  # zero-width joiner
    "\ufeff01561-0900",  # byte-order mark
    "01561-\u202e0090",  # right-to-left override
    "01561-0900\u200f",  # right-to-left mark
    "01561-\u05d0",  # a Hebrew letter (right-to-left)
    "01561-\u0660",  # an Arabic-Indic digit
    "\uff10\uff11561",  # full-width digits
    "01561-\u0430",  # Cyrillic a, which looks like a Latin a
    "-01561",
    "",
    "x" * 41,
    "01561_0900",
    "01561-0900\x00",
]


@pytest.mark.parametrize("code", HOSTILE_CODES, ids=[ascii(c) for c in HOSTILE_CODES])
def test_household_codes_refuse_invisible_right_to_left_and_look_alike_characters(
    web_sqlite: Web, code: str
) -> None:
    same = Unchanged(web_sqlite)
    problem = _problem(web_sqlite.post("/households", registration(code)), 422)
    assert "code" in problem["errors"], problem
    same.check()


@pytest.mark.parametrize("code", ["01561-0900", "HL/2026.7", "Mường-1", "x" * 40])
def test_household_codes_that_follow_the_documented_pattern_register(
    web_sqlite: Web, code: str
) -> None:
    r = web_sqlite.post("/households", registration(code))
    assert r.status_code == 201, r.json


def test_the_code_patterns_are_in_the_openapi_document(web_sqlite: Web) -> None:
    spec = web_sqlite.client().get("/api/openapi.json").json
    register = spec["components"]["schemas"]["Register"]["properties"]
    assert register["code"]["pattern"] == f"^{HOUSEHOLD_CODE_PATTERN}$"
    assert register["unit"]["pattern"] == "^[0-9]{2,5}$"
    assert "no white space" in register["code"]["description"]


def test_money_has_one_cap_everywhere(web_sqlite: Web) -> None:
    same = Unchanged(web_sqlite)
    for amount in (10**12 + 1, 10**30):
        r = web_sqlite.post(
            f"/households/{H_NEW}/assessments", {**ASSESSMENT, "income_per_capita": amount}
        )
        assert "income_per_capita" in _problem(r, 422)["errors"]
    same.check()
    ok = web_sqlite.post(
        f"/households/{H_NEW}/assessments", {**ASSESSMENT, "income_per_capita": 10**12}
    )
    assert ok.status_code == 201


@pytest.mark.parametrize(
    "text", ["a\u202eb", "a\u200bb", "a\u2028b", "a\x1bb"], ids=["rlo", "zwsp", "lsep", "esc"]
)
def test_text_refuses_control_and_format_characters(web_sqlite: Web, text: str) -> None:
    same = Unchanged(web_sqlite)
    r = web_sqlite.post(f"/households/{H_NEW}/support", {**SUPPORT, "provider": text})
    assert "provider" in _problem(r, 422)["errors"]
    same.check()


# -- fuzz --------------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=12
) | st.sampled_from(["2018-05-02", "01561", H_NEW, "poor", "9" * 50, "\ud800", "", " "])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _TEXT
)
_JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_BODIES = st.one_of(
    _JSON_VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            k: _JSON_VALUES for k in {**SUPPORT, **ASSESSMENT, **RECOGNITION, **registration("x")}
        },
    ),
)
_FUZZ_POSTS = [
    *RECORDING_PATHS,
    f"/households/{H_NEW}/members",
    f"/households/{H_NEW}/retractions",
    f"/households/{H_NEW}/relocations",
    f"/households/{H_NEW}/sponsorships",
]
_FUZZ_GETS = [
    "/households",
    f"/households/{H_NEW}/status",
    f"/households/{H_NEW}/history",
    "/units",
    "/audit/access-log",
    "/audit/diff",
    "/reports/poverty",
]
_QUERY_NAMES = st.sampled_from(
    ["as_of", "known_at", "from", "to", "unit", "page", "per_page", "status", "user", "x"]
)
_QUERY_VALUES = st.text(alphabet=st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00", "2026-01-01", "-1", "1e9", "01561"]
)


def _dumps(body: Any) -> str:
    return json.dumps(body, allow_nan=True)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(_FUZZ_POSTS),
    body=_BODIES,
    key=st.none()
    | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), min_size=1),
)
def test_fuzz_json_bodies_never_answer_500(
    web_sqlite: Web, path: str, body: Any, key: str | None
) -> None:
    headers = {**JSON, **({"Idempotency-Key": key} if key else {})}
    r = web_sqlite.post(path, data=_dumps(body), headers=headers)
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True))
    if r.status_code >= 400:
        r.get_data().decode("utf-8")


@pytest.mark.parametrize("path", _FUZZ_GETS)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.lists(st.tuples(_QUERY_NAMES, _QUERY_VALUES), max_size=4),
    user=st.sampled_from(["admin", "auditor"]),
)
def test_fuzz_query_strings_never_answer_500(
    web_sqlite: Web, path: str, query: list[tuple[str, str]], user: str
) -> None:
    r = web_sqlite.get(f"{path}?{urlencode(query)}", user)
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True))
