"""The household list and the audit diff's candidates from the read models equal folding every household.

For random histories (recorded through the application with the fake clock advancing, including
late entries, retractions, relocations across the unit reforms and closures) and random queries
(unit, status, ``as_of``, ``known_at``, words, paging), the list read from the tabulated rows is
the list obtained by folding every household; the audit diff that folds only the candidates the
read models name equals the diff that folds every household. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.changes import status_diff
from application.household_list import (
    HouseholdList,
    HouseholdListItem,
    HouseholdListQuery,
    HouseholdPage,
    UnitRef,
)
from application.households import Households
from application.status import unit_on
from domain.search import fold_text, matches, search_key, search_terms
from domain.units import UnknownUnitError
from infrastructure.household_list import SqlHouseholdList
from infrastructure.sql_reader import SqlReader
from infrastructure.store import parse_database_url
from tests.factories import register
from tests.store.test_read_models import OPS, PROBE_UNITS, SPAN, _day, apply, projection_for

NAMES = ("Nông Văn Tư", "Đàm Thị Hoa", "Lương Văn Hải", "Bế Thị Lan", "Hoàng Đức Anh")
VILLAGES = ("Bản Khau", "Bản Piàn", "Nà Lủng", "Đông Chia")
_codes = itertools.count(1)

HOUSEHOLDS = st.lists(
    st.tuples(
        st.integers(0, 3000),  # registration day
        st.integers(0, 1000),  # commune pick
        st.integers(0, len(NAMES) - 1),
        st.integers(0, len(VILLAGES) - 1),
        st.lists(OPS, min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=6,
)


def build(app: Households, clock: Any, households: list[Any]) -> list[datetime]:
    """Register and evolve the households (facts interleaved); the moments facts were recorded."""
    moments: list[datetime] = []
    ids: list[str] = []
    for reg_day, pick, name, village, _ops in households:
        day = _day(reg_day)
        communes = app.units.communes_on(day)
        unit = communes[pick % len(communes)]
        clock.advance(hours=1)
        head = {"name": NAMES[name], "birth_year": 1970, "sex": "male", "relation": "head"}
        recorded = register(
            app,
            code=f"{unit.code}-{next(_codes):05d}",
            unit=unit.code,
            effective_on=day,
            head_name=NAMES[name],
            members=[head],
            village=VILLAGES[village],
        )
        ids.append(recorded.household_id)
        moments.append(recorded.recorded_at)
    queues = [list(h[4]) for h in households]
    while any(queues):
        for hid, queue in zip(ids, queues, strict=True):
            if queue and apply(app, clock, hid, queue.pop(0)):
                moments.append(app.now())
    return moments


def folded_page(app: Households, query: HouseholdListQuery) -> HouseholdPage:
    """The reference: every household folded on ``as_of`` as known at ``known_at``."""
    on = query.as_of
    terms = search_terms(query.q or "")
    items: list[HouseholdListItem] = []
    for hid in app.household_ids():
        s = app.get(hid).situation(on, query.known_at)
        if not s.known or s.registered_on is None or s.registered_on > on:
            continue
        try:
            unit = unit_on(app.units, s, on)
            if query.unit is not None and not app.units.contains(query.unit, unit.code, on):
                continue
        except UnknownUnitError:
            continue
        if query.status is not None and s.status != query.status:
            continue
        if not matches(search_key(s.code, s.head_name, s.village), terms):
            continue
        assert s.code is not None and s.head_name is not None
        items.append(
            HouseholdListItem(
                household_id=s.household_id,
                code=s.code,
                unit=UnitRef(unit.code, unit.name, unit.valid_from, unit.valid_to),
                village=s.village,
                head_name=s.head_name,
                status=s.status,
                recognised=s.recognised,
                since=s.since,
                ethnic_minority=s.ethnic_minority,
                closed=s.closed,
                version=s.version,
            )
        )
    items.sort(key=lambda i: i.code)
    first = (query.page - 1) * query.per_page
    return HouseholdPage(
        as_of=on,
        known_at=query.known_at,
        page=query.page,
        per_page=query.per_page,
        total=len(items),
        items=tuple(items[first : first + query.per_page]),
    )


@contextmanager
def caught_up(app: Households, store: Any, **kw: Any) -> Iterator[SqlHouseholdList]:
    """The test store's read models with every recorded fact applied, as the SQL list reads them."""
    projection = projection_for(app, store, **kw)
    rows = SqlHouseholdList(SqlReader(parse_database_url(store.url)))
    try:
        projection.catch_up()
        yield rows
    finally:
        rows.reader.close()
        projection.close()


PROPERTY = settings(
    max_examples=int(os.environ.get("CHUNGTAY_RM_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _query_words(data: Any) -> str | None:
    words = [w for text in (*NAMES, *VILLAGES) for w in text.split()]
    picked = data.draw(st.lists(st.sampled_from([*words, "01564", "zz"]), max_size=2))
    if not picked:
        return None
    text = " ".join(picked)
    return fold_text(text) if data.draw(st.booleans()) else text.upper()


@PROPERTY
@given(households=HOUSEHOLDS, data=st.data())
def test_the_list_from_the_read_models_equals_folding_every_household(
    store, app, clock, households, data
) -> None:
    moments = build(app, clock, households)
    with caught_up(app, store, batch_size=5) as rows:
        use_case = HouseholdList(rows, app.units)
        for _ in range(4):
            pick = data.draw(st.integers(-1, len(moments) - 1))
            known_at = (
                None
                if pick < 0
                else moments[pick] + timedelta(microseconds=data.draw(st.sampled_from([0, -1, 1])))
            )
            as_of = _day(data.draw(st.integers(0, SPAN)))
            unit = data.draw(st.sampled_from([None, *PROBE_UNITS]))
            if unit is not None and app.units.find(unit, as_of) is None:
                unit = None
            query = HouseholdListQuery(
                as_of=as_of,
                unit=unit,
                status=data.draw(st.sampled_from([None, "poor", "near_poor", "not_poor"])),
                known_at=known_at,
                q=_query_words(data),
                page=data.draw(st.integers(1, 3)),
                per_page=data.draw(st.integers(1, 4)),
            )
            assert use_case(query) == folded_page(app, query), query


@PROPERTY
@given(households=HOUSEHOLDS, data=st.data())
def test_the_diff_folding_only_candidates_equals_folding_every_household(
    store, app, clock, households, data
) -> None:
    moments = build(app, clock, households)
    with caught_up(app, store, batch_size=5) as rows:
        for _ in range(3):
            a, b = sorted(data.draw(st.lists(st.sampled_from(moments), min_size=2, max_size=2)))
            as_of = _day(data.draw(st.integers(0, SPAN)))
            unit = data.draw(st.sampled_from(PROBE_UNITS))
            if app.units.find(unit, as_of) is None:
                continue
            kw = {"unit": unit, "as_of": as_of, "known_from": a, "known_to": b}
            assert status_diff(app, read_models=rows, **kw) == status_diff(app, **kw), kw


def test_search_ignores_diacritics_and_case(store, app, clock) -> None:
    head = {"name": "Nông Văn Tư", "birth_year": 1970, "sex": "male", "relation": "head"}
    register(app, code="01564-0001", head_name=head["name"], members=[head])
    other = {"name": "Đàm Thị Hoa", "birth_year": 1980, "sex": "female", "relation": "head"}
    register(app, code="01564-0002", head_name=other["name"], members=[other], village="Nà Lủng")
    with caught_up(app, store) as rows:
        use_case = HouseholdList(rows, app.units)

        def codes(q: str) -> list[str]:
            page = use_case(HouseholdListQuery(as_of=date(2026, 1, 1), q=q))
            return [i.code for i in page.items]

        assert codes("Nong Van Tu") == ["01564-0001"]
        assert codes("nông văn tư") == ["01564-0001"]
        assert codes("dam hoa") == ["01564-0002"]  # đ is read as d
        assert codes("NA LUNG") == ["01564-0002"]  # the village
        assert codes("0002") == ["01564-0002"]  # the code
        assert codes("van hoa") == []  # every word must occur
        assert codes("100%_") == []  # LIKE wildcards are taken literally
        assert codes("01564") == ["01564-0001", "01564-0002"]


def test_version_as_known_at_a_moment(store, app, clock) -> None:
    hid = register(app, code="01564-0001").household_id
    clock.advance(days=1)
    app.recognise(
        hid,
        effective_on=date(2018, 12, 1),
        recorded_by="o",
        status="poor",
        decision_number="1",
        signed_by="c",
    )
    middle = clock.advance(days=1)
    clock.advance(days=1)
    app.deliver_support(  # not tabulated, but it is a version
        hid,
        effective_on=date(2019, 1, 1),
        recorded_by="o",
        category="health",
        programme="p",
        funding_source="f",
        amount_vnd=1,
        in_kind=None,
        provider="x",
    )
    with caught_up(app, store) as rows:
        use_case = HouseholdList(rows, app.units)
        now = use_case(HouseholdListQuery(as_of=date(2020, 1, 1)))
        then = use_case(HouseholdListQuery(as_of=date(2020, 1, 1), known_at=middle))
        assert [i.version for i in now.items] == [3]
        assert [(i.version, i.status) for i in then.items] == [(2, "poor")]
        assert (
            use_case(
                HouseholdListQuery(as_of=date(2020, 1, 1), known_at=middle - timedelta(days=3))
            ).items
            == ()
        )


def test_a_closed_household_keeps_its_last_status(store, app, clock) -> None:
    hid = register(app, code="01564-0001").household_id
    app.recognise(
        hid,
        effective_on=date(2018, 12, 1),
        recorded_by="o",
        status="poor",
        decision_number="1",
        signed_by="c",
    )
    clock.advance(days=1)
    app.close_household(hid, effective_on=date(2020, 5, 1), recorded_by="o", reason="moved_away")
    with caught_up(app, store) as rows:
        query = HouseholdListQuery(as_of=date(2021, 1, 1))
        page = HouseholdList(rows, app.units)(query)
        assert page == folded_page(app, query)
        assert [(i.status, i.closed) for i in page.items] == [("poor", True)]
