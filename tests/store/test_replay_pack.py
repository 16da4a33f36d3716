"""Replay packs: exported from either store, verified with no database, replayed byte for byte.

A pack holds one household's stored events, their chained hashes, Merkle inclusion proofs in a
signed checkpoint and the public key. Offline, the status object it replays must be exactly what
the server answers (``application.queries.status``) for the same ``as_of`` and ``known_at``, and a
pack with one byte changed anywhere that matters must fail.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application import queries
from application.audit import Audit
from application.commands import Assess, DeliverSupport, Recognise, RegisterExit, Retract
from application.errors import HouseholdNotFound
from application.households import Households
from application.replay_pack import canonical_json, verify_pack
from application.status import NotYetRegistered
from infrastructure import signing
from infrastructure.signing import ensure_signing_key
from tests.factories import register
from web.bootstrap import build_audit, build_proofs
from web.cli_audit import register_audit_commands

CODE = "01564-0201"


@pytest.fixture
def audit(store: Any, clock: Any) -> Audit:
    ensure_signing_key(store.settings.signing_key)
    return build_audit(store.settings, clock=clock)


@pytest.fixture(scope="module")
def offline() -> Households:
    """The in-memory application verify-pack builds (made once here, to keep tests quick)."""
    app = Households(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield app
    app.close()


def history(app: Households, clock: Any) -> dict[str, datetime]:
    """A poor household that exits, with a wrong decision retracted and recorded again, and a
    late entry; another household's facts interleave in the log. Returns moments to query."""
    at: dict[str, datetime] = {}

    def tick(name: str) -> None:
        at[name] = clock.current
        clock.advance(hours=1)

    hid = register(app, code=CODE).household_id
    tick("registered")
    other = register(app, code="01564-0202", village="Nà Thà").household_id
    tick("other")
    app.assess(
        Assess(
            household=hid,
            effective_on=date(2017, 10, 2),
            kind="periodic",
            recorded_by="o",
            income_per_capita=650_000,
            deprivations=["health_insurance"],
            assessor="r",
        )
    )
    tick("assessed")
    app.recognise(
        Recognise(
            household=hid,
            effective_on=date(2017, 12, 5),
            recorded_by="o",
            status="poor",
            decision_number="88/QĐ-UBND",
            signed_by="Chủ tịch UBND xã",
        )
    )
    tick("poor")
    app.assess(
        Assess(
            household=other,
            effective_on=date(2017, 10, 3),
            kind="periodic",
            recorded_by="o",
            income_per_capita=1_500_000,
            deprivations=[],
            assessor="r",
        )
    )
    tick("other assessed")
    app.assess(
        Assess(
            household=hid,
            effective_on=date(2018, 10, 1),
            kind="periodic",
            recorded_by="o",
            income_per_capita=900_000,
            deprivations=["health_insurance"],
            assessor="r",
        )
    )
    tick("reassessed")
    wrong = app.recognise(
        Recognise(
            household=hid,
            effective_on=date(2018, 12, 10),
            recorded_by="o",
            status="not_poor",
            decision_number="120/QĐ-UBND",
            signed_by="Chủ tịch UBND xã",
        )
    )
    tick("wrong decision")
    app.retract(
        Retract(household=hid, version=wrong.version, reason="nhầm trạng thái", recorded_by="o")
    )
    tick("retracted")
    app.recognise(
        Recognise(
            household=hid,
            effective_on=date(2018, 12, 10),
            recorded_by="o",
            status="near_poor",
            decision_number="121/QĐ-UBND",
            signed_by="Chủ tịch UBND xã",
        )
    )
    tick("corrected")
    # a late entry: support delivered in 2018, recorded only now
    app.deliver_support(
        DeliverSupport(
            household=hid,
            effective_on=date(2018, 3, 1),
            recorded_by="o",
            category="production",
            programme="135",
            funding_source="central",
            amount_vnd=3_000_000,
            in_kind="2 con bò",
            provider="huyện",
        )
    )
    tick("late entry")
    return at


def _queries(at: dict[str, datetime]) -> list[tuple[date, datetime]]:
    second = timedelta(seconds=1)
    return [
        (date(2017, 11, 1), at["assessed"]),
        (date(2018, 1, 1), at["poor"]),
        (date(2018, 1, 1), at["assessed"]),
        (date(2019, 1, 1), at["wrong decision"]),
        (date(2019, 1, 1), at["retracted"] + second),
        (date(2019, 1, 1), at["late entry"]),
        (date(2018, 6, 1), at["late entry"]),
        (date(2017, 3, 1), at["registered"]),
    ]


def test_a_pack_verifies_offline_and_replays_the_server_byte_for_byte(
    app: Households, clock, audit: Audit, offline: Households, tmp_path: Path
) -> None:
    at = history(app, clock)
    pack = audit.export_household(app, CODE)
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack, ensure_ascii=False, indent=2))
    pack = json.loads(path.read_text())  # only what survives the file
    hid = str(app.household_id(CODE))
    assert pack["household_id"] == hid
    assert [e["originator_version"] for e in pack["events"]] == list(range(1, 9))
    assert [e["leaf_index"] for e in pack["events"]] == [0, 2, 3, 5, 6, 7, 8, 9]
    assert pack["checkpoint"]["tree_size"] == 10
    assert pack["data_versions"] == {
        "standards": app.standards.data_version,
        "units": app.units.data_version,
    }

    proofs = build_proofs()
    report = verify_pack(pack, proofs)  # the pack's own moment, with its own in-memory app
    assert report.ok, report.problems
    assert report.status_matches_pack is True
    assert report.key_id == signing.key_id(signing.load_signing_key(audit.log.signing_key))
    assert report.status_json == canonical_json(queries.status(app, hid))

    for as_of, known_at in _queries(at):
        server = canonical_json(queries.status(app, hid, as_of, known_at))
        replay = verify_pack(pack, proofs, as_of=as_of, known_at=known_at, app=offline)
        assert replay.ok, replay.problems
        assert replay.status_json == server, (as_of, known_at)
    statuses = {
        json.loads(verify_pack(pack, proofs, as_of=d, known_at=t, app=offline).status_json)[
            "status"
        ]
        for d, t in _queries(at)
    }
    assert statuses == {"not_poor", "poor", "near_poor"}  # the history really moves

    before = at["registered"] - timedelta(seconds=1)
    with pytest.raises(HouseholdNotFound):
        queries.status(app, hid, date(2018, 1, 1), before)
    unknown = verify_pack(pack, proofs, as_of=date(2018, 1, 1), known_at=before, app=offline)
    assert not unknown.ok and "was not yet known" in unknown.problems[0]
    with pytest.raises(NotYetRegistered) as caught:  # it did not exist yet: 404, as on the server
        queries.status(app, hid, date(2016, 6, 1), at["registered"])
    assert caught.value.registered_on == date(2017, 3, 1)
    early = verify_pack(pack, proofs, as_of=date(2016, 6, 1), app=offline)
    assert not early.ok and "was registered on 2017-03-01" in early.problems[0]


def test_export_signs_a_new_checkpoint_only_when_needed(app, clock, audit: Audit) -> None:
    history(app, clock)
    assert audit.log.checkpoints() == []
    first = audit.export_household(app, CODE)
    assert len(audit.log.checkpoints()) == 1
    assert audit.export_household(app, CODE)["checkpoint"] == first["checkpoint"]
    register(app, code="01564-0203")  # another household's event: still covered
    assert audit.export_household(app, CODE)["checkpoint"]["tree_size"] == 10
    app.register_exit(
        RegisterExit(
            household=CODE,
            effective_on=date(2019, 2, 1),
            recorded_by="o",
            target_year=2020,
            plan=None,
        )
    )
    again = audit.export_household(app, CODE)
    assert again["checkpoint"]["tree_size"] == 12
    assert again["checkpoint"]["id"] == 2
    with pytest.raises(HouseholdNotFound):
        audit.export_household(app, "01564-9999")


def _flip_hex(text: str, at: int = 5) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]


def _flip_state_byte(e: dict[str, Any]) -> None:
    raw = bytearray(base64.b64decode(e["state"]))
    raw[len(raw) // 2] ^= 0x01
    e["state"] = base64.b64encode(bytes(raw)).decode()


def _other_key(pack: dict[str, Any]) -> None:
    pack["public_key"] = signing.public_key_pem(Ed25519PrivateKey.generate())


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "state byte": (
        lambda p: _flip_state_byte(p["events"][3]),
        "event version 4: stored bytes do not match their hash",
    ),
    "state text": (
        lambda p: p["events"][0].update(state="!" + p["events"][0]["state"][1:]),
        "event version 1: state is not",
    ),
    "hash": (
        lambda p: p["events"][2].update(hash=_flip_hex(p["events"][2]["hash"])),
        "event version 3: stored bytes do not match their hash",
    ),
    "prev hash": (
        lambda p: p["events"][4].update(prev_hash=_flip_hex(p["events"][4]["prev_hash"])),
        "event version 5: prev_hash does not match version 4",
    ),
    "proof": (
        lambda p: p["events"][5]["inclusion_proof"].__setitem__(
            1, _flip_hex(p["events"][5]["inclusion_proof"][1])
        ),
        "event version 6: inclusion proof does not verify",
    ),
    "leaf index": (
        lambda p: p["events"][6].update(leaf_index=p["events"][6]["leaf_index"] - 1),
        "event version 7: inclusion proof does not verify",
    ),
    "signature": (
        lambda p: p["checkpoint"].update(signature=_flip_hex(p["checkpoint"]["signature"])),
        "checkpoint: signature does not verify",
    ),
    "root": (
        lambda p: p["checkpoint"].update(root_hash=_flip_hex(p["checkpoint"]["root_hash"])),
        "checkpoint: signature does not verify",
    ),
    "tree size": (
        lambda p: p["checkpoint"].update(tree_size=p["checkpoint"]["tree_size"] + 1),
        "checkpoint: signature does not verify",
    ),
    "public key": (_other_key, "checkpoint: key id"),
    "version order": (
        lambda p: p["events"].__setitem__(slice(1, 3), [p["events"][2], p["events"][1]]),
        "event version 3: expected version 2",
    ),
    "stated status": (
        lambda p: p["status"].update(status="not_poor"),
        "the replayed status differs from the status object in the pack",
    ),
    "not a pack": (lambda p: p.update(format="zip"), "not a valid replay pack"),
}


def test_a_pack_with_one_byte_changed_fails(
    app: Households, clock, audit: Audit, store, tmp_path: Path, offline: Households
) -> None:
    history(app, clock)
    pack = audit.export_household(app, CODE)
    proofs = build_proofs()
    assert verify_pack(pack, proofs, app=offline).ok
    for name, (change, expected) in TAMPERING.items():
        bad = copy.deepcopy(pack)
        change(bad)
        assert bad != pack, name
        report = verify_pack(bad, proofs, app=offline)
        assert not report.ok, name
        assert any(expected in p for p in report.problems), (name, report.problems)

    # and through the command line: exit status 1, nothing on standard output
    group = click.Group()
    register_audit_commands(group)
    bad = copy.deepcopy(pack)
    _flip_state_byte(bad["events"][0])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = CliRunner().invoke(group, ["verify-pack", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "event version 1: stored bytes do not match their hash" in result.stderr
    path.write_bytes(b"\x00garbage")
    assert CliRunner().invoke(group, ["verify-pack", str(path)]).exit_code == 1


def test_the_command_line(app: Households, clock, store, audit: Audit, tmp_path: Path) -> None:
    at = history(app, clock)
    group = click.Group()
    register_audit_commands(group)
    runner = CliRunner()
    env = {
        "CHUNGTAY_DATABASE_URL": store.url,
        "CHUNGTAY_SIGNING_KEY": str(store.settings.signing_key),
    }
    out = tmp_path / "packs" / "h.json"
    made = runner.invoke(group, ["export", "household", CODE, "--out", str(out), "--json"], env=env)
    assert made.exit_code == 0, made.output
    summary = json.loads(made.stdout)
    assert summary["events"] == 8 and summary["checkpoint"]["tree_size"] == 10
    pack = json.loads(out.read_text())

    checked = runner.invoke(group, ["verify-pack", str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == canonical_json(pack["status"]) + "\n"
    assert f"key id: {summary['key_id']}" in checked.stderr

    hid = pack["household_id"]
    as_of, known_at = date(2019, 1, 1), at["retracted"] + timedelta(seconds=1)
    args = ["verify-pack", str(out), "--as-of", as_of.isoformat(), "--known-at"]
    replay = runner.invoke(group, [*args, known_at.isoformat()])
    assert replay.exit_code == 0, replay.output
    assert replay.stdout == canonical_json(queries.status(app, hid, as_of, known_at)) + "\n"
    as_json = runner.invoke(group, [*args, known_at.isoformat(), "--json"])
    assert json.loads(as_json.stdout)["status"] == queries.status(app, hid, as_of, known_at)

    assert runner.invoke(group, [*args, "2019-01-01T00:00:00"]).exit_code == 2  # no offset
    assert runner.invoke(group, ["verify-pack", str(out), "--as-of", "1/1/2019"]).exit_code == 2
    missing = runner.invoke(
        group, ["export", "household", "01564-9999", "--out", str(out)], env=env
    )
    assert missing.exit_code == 1
    assert "no household" in missing.stderr
