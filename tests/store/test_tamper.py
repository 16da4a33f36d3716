"""Tamper evidence for real: an attacker with SQL access edits the stored log, verify names it.

On PostgreSQL the attacker is a superuser who switches the append-only triggers off
(``SET session_replication_role = replica`` or ``ALTER TABLE … DISABLE TRIGGER ALL``); on SQLite
the attacker drops the triggers. Then plain SQL: UPDATE, DELETE, INSERT. Each test checks that
``audit verify`` fails naming the first broken place, and the Merkle tree is tested on its own
(hand-computed trees, RFC 6962 vectors, property tests).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from hashlib import sha256
from typing import Any
from uuid import UUID

import click
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from application.audit import Audit, Checkpoint, VerificationFailed
from application.commands import Assess, DeliverSupport, Recognise
from application.households import Households
from infrastructure import merkle, signing
from infrastructure.hashing import GENESIS, event_hash
from infrastructure.signing import ensure_signing_key
from tests.factories import register
from web.bootstrap import build_audit
from web.cli_audit import register_audit_commands

# -- the Merkle tree on its own ------------------------------------------------------------


def _h(*parts: bytes) -> bytes:
    return sha256(b"".join(parts)).digest()


def test_small_trees_by_hand() -> None:
    d = [b"a", b"b", b"c", b"d", b"e"]
    leaf = [_h(b"\x00", x) for x in d]

    def node(left: bytes, right: bytes) -> bytes:
        return _h(b"\x01", left, right)

    assert merkle.root([]) == sha256(b"").digest()
    assert merkle.root(d[:1]) == leaf[0]
    assert merkle.root(d[:2]) == node(leaf[0], leaf[1])
    assert merkle.root(d[:3]) == node(node(leaf[0], leaf[1]), leaf[2])
    ab_cd = node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3]))
    assert merkle.root(d[:4]) == ab_cd
    assert merkle.root(d) == node(ab_cd, leaf[4])  # split at 4, the largest power of 2 < 5
    # audit path of "c" in the 5-leaf tree: its sibling d, then ab, then e
    assert merkle.inclusion_proof(d, 2) == [leaf[3], node(leaf[0], leaf[1]), leaf[4]]
    path_c = [leaf[3], node(leaf[0], leaf[1]), leaf[4]]
    assert merkle.verify_inclusion(b"c", 2, 5, path_c, merkle.root(d))
    # consistency 3 -> 5 as RFC 6962 §2.1.2 builds it: c, d, ab, e
    assert merkle.consistency_proof(d, 3) == [leaf[2], leaf[3], node(leaf[0], leaf[1]), leaf[4]]


def test_rfc6962_reference_vectors() -> None:
    """Roots of the Certificate Transparency test vectors (leaves 0x, 00, 10, 2021, ...)."""
    leaves = [
        bytes.fromhex(x)
        for x in (
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        )
    ]
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    for n, expected in enumerate(roots, start=1):
        assert merkle.root(leaves[:n]).hex() == expected


_entries = st.lists(st.binary(min_size=0, max_size=8), min_size=1, max_size=40)
_distinct = st.lists(st.binary(min_size=0, max_size=8), min_size=1, max_size=40, unique=True)


@settings(max_examples=60, deadline=None)
@given(_distinct, st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_fails(
    entries: list[bytes], data: st.DataObject
) -> None:
    n = len(entries)
    root = merkle.root(entries)
    for i in range(n):
        proof = merkle.inclusion_proof(entries, i)
        assert merkle.verify_inclusion(entries[i], i, n, proof, root)
        assert not merkle.verify_inclusion(entries[i] + b"!", i, n, proof, root)
        if n > 1:
            assert not merkle.verify_inclusion(entries[i], (i + 1) % n, n, proof, root)
    i = data.draw(st.integers(0, n - 1))
    changed = [*entries]
    changed[i] = changed[i] + b"\x01"
    assert merkle.root(changed) != root
    # the streaming form gives the same root and paths
    stream_root, proofs = merkle.inclusion_proofs(iter(entries), range(n), n)
    assert stream_root == root
    assert all(proofs[j] == merkle.inclusion_proof(entries, j) for j in range(n))


@settings(max_examples=60, deadline=None)
@given(_entries, st.data())
def test_consistency_proofs_between_sizes(entries: list[bytes], data: st.DataObject) -> None:
    n = len(entries)
    m = data.draw(st.integers(0, n))
    proof = merkle.consistency_proof(entries, m)
    old_root, root = merkle.root(entries[:m]), merkle.root(entries)
    assert merkle.verify_consistency(m, n, old_root, root, proof)
    if 0 < m < n:
        assert not merkle.verify_consistency(m, n, old_root, _h(root), proof)
        assert not merkle.verify_consistency(m, n, _h(old_root), root, proof)
        if proof:
            bad = [*proof]
            bad[0] = _h(bad[0])
            assert not merkle.verify_consistency(m, n, old_root, root, bad)


@settings(max_examples=40, deadline=None)
@given(_entries, st.lists(st.integers(1, 45), max_size=5), st.integers(1, 9))
def test_bulk_tree_building_matches_the_definition(
    entries: list[bytes], marks: list[int], chunk: int
) -> None:
    builder = merkle.TreeBuilder()
    leaves = [merkle.leaf_hash(e) for e in entries]
    marks = sorted(set(marks))
    seen: dict[int, bytes] = {}
    for start in range(0, len(leaves), chunk):
        seen.update(builder.extend_leaf_hashes(leaves[start : start + chunk], marks))
    assert builder.root() == merkle.root(entries)
    assert seen == {m: merkle.root(entries[:m]) for m in marks if m <= len(entries)}


def test_the_signing_key_file(tmp_path) -> None:
    path = tmp_path / "var" / "keys" / "signing.key"
    key = ensure_signing_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8 PEM
    again = ensure_signing_key(path)
    assert signing.key_id(again) == signing.key_id(key)
    path.write_text("not a key")
    with pytest.raises(signing.SigningKeyError, match="PEM"):
        signing.load_signing_key(path)
    with pytest.raises(signing.SigningKeyError, match="chungtay init"):
        signing.load_signing_key(tmp_path / "missing.key")


# -- the store ------------------------------------------------------------------------------


@pytest.fixture
def audit(store: Any, clock: Any) -> Audit:
    ensure_signing_key(store.settings.signing_key)
    return build_audit(store.settings, clock=clock)


def history(app: Households, clock: Any) -> dict[str, UUID]:
    """Three households whose events interleave in the log (notification order):
    A1 B1 A2 C1 B2 A3 C2 B3 A4."""
    ids: dict[str, UUID] = {}

    def tick() -> None:
        clock.advance(minutes=1)

    for name, code in (("A", "01564-0101"), ("B", "01564-0102")):
        ids[name] = UUID(register(app, code=code).household_id)
        tick()
    assess = {
        "effective_on": date(2017, 10, 2),
        "kind": "periodic",
        "recorded_by": "o",
        "income_per_capita": 650_000,
        "deprivations": ["health_insurance"],
        "assessor": "r",
    }
    recognise = {
        "effective_on": date(2017, 12, 5),
        "recorded_by": "o",
        "status": "poor",
        "decision_number": "88/QĐ-UBND",
        "signed_by": "Chủ tịch UBND xã",
    }
    app.assess(Assess(household=ids["A"], **assess))
    tick()
    ids["C"] = UUID(register(app, code="01564-0103").household_id)
    tick()
    app.assess(Assess(household=ids["B"], **assess))
    tick()
    app.recognise(Recognise(household=ids["A"], **recognise))
    tick()
    app.assess(Assess(household=ids["C"], **assess))
    tick()
    app.recognise(Recognise(household=ids["B"], **recognise))
    tick()
    app.deliver_support(
        DeliverSupport(
            household=ids["A"],
            effective_on=date(2018, 3, 1),
            recorded_by="o",
            category="production",
            programme="135",
            funding_source="central",
            amount_vnd=2_000_000,
            in_kind=None,
            provider="huyện",
        )
    )
    tick()
    return ids


class Attacker:
    """Someone with SQL access to the store, the append-only triggers switched off."""

    SQLITE_TRIGGERS = (
        "stored_events_no_update",
        "stored_events_no_delete",
        "event_hashes_no_update",
        "event_hashes_no_delete",
        "checkpoints_no_update",
        "checkpoints_no_delete",
        "access_log_no_update",
        "access_log_no_delete",
        "key_rotations_no_update",
        "key_rotations_no_delete",
    )

    def __init__(self, store: Any, *, alter_table: bool = False) -> None:
        self.pg = store.backend == "postgres"
        self.conn: Any = store.connect_sql()
        self.events = "households_events" if self.pg else "stored_events"
        self.nid = "notification_id" if self.pg else "rowid"
        if self.pg and alter_table:
            for table in ("households_events", "event_hashes", "checkpoints", "access_log"):
                self.sql(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        elif self.pg:
            self.sql("SET session_replication_role = replica")
        else:
            for trigger in self.SQLITE_TRIGGERS:
                self.sql(f"DROP TRIGGER IF EXISTS {trigger}")

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        if self.pg:
            statement = statement.replace("?", "%s")
        cur = self.conn.execute(statement, params)
        try:
            return list(cur.fetchall())
        except Exception:  # statements without a result
            return []

    def key(self, hid: UUID) -> Any:
        return hid if self.pg else hid.hex

    def event(self, hid: UUID, version: int) -> tuple[int, str, bytes]:
        [(nid, topic, state)] = self.sql(
            f"SELECT {self.nid}, topic, state FROM {self.events} "
            "WHERE originator_id = ? AND originator_version = ?",
            (self.key(hid), version),
        )
        return nid, topic, bytes(state)

    def hash_row(self, hid: UUID, version: int) -> tuple[bytes, bytes]:
        [(prev, h)] = self.sql(
            "SELECT prev_hash, hash FROM event_hashes "
            "WHERE originator_id = ? AND originator_version = ?",
            (self.key(hid), version),
        )
        return bytes(prev), bytes(h)

    def delete(self, hid: UUID, version: int, *, hash_row: bool = False) -> None:
        where = "WHERE originator_id = ? AND originator_version = ?"
        self.sql(f"DELETE FROM {self.events} {where}", (self.key(hid), version))
        if hash_row:
            self.sql(f"DELETE FROM event_hashes {where}", (self.key(hid), version))

    def insert(
        self, hid: UUID, version: int, topic: str, state: bytes, *, nid: int | None = None
    ) -> None:
        if nid is None:
            self.sql(
                f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)",
                (self.key(hid), version, topic, state),
            )
        else:
            self.sql(
                f"INSERT INTO {self.events} "
                f"({self.nid}, originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?, ?)",
                (nid, self.key(hid), version, topic, state),
            )

    def insert_hash(self, hid: UUID, version: int, prev: bytes, h: bytes) -> None:
        self.sql(
            "INSERT INTO event_hashes (originator_id, originator_version, prev_hash, hash) "
            "VALUES (?, ?, ?, ?)",
            (self.key(hid), version, prev, h),
        )

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def attack(store: Any) -> Iterator[Callable[..., Attacker]]:
    made: list[Attacker] = []

    def factory(**kw: Any) -> Attacker:
        a = Attacker(store, **kw)
        made.append(a)
        return a

    yield factory
    for a in made:
        a.close()


def _first(audit: Audit, **kw: Any) -> Any:
    report = audit.verify(**kw)
    assert not report.ok, "verification should have failed"
    return report.problems[0]


def test_a_clean_store_verifies_with_its_checkpoints(app: Households, clock, audit: Audit) -> None:
    history(app, clock)
    first = audit.checkpoint()
    assert (first.id, first.tree_size) == (1, 9)
    clock.advance(minutes=5)
    register(app, code="01564-0104")
    second = audit.checkpoint()
    assert (second.id, second.tree_size) == (2, 10)
    report = audit.verify(external=first)
    assert report.ok, report.first_problem
    assert (report.events, report.households, report.hash_rows) == (10, 4, 10)
    assert [c.ok for c in report.checkpoints] == [True, True]
    assert report.external is not None and report.external.ok
    assert report.trusted_key_id == first.key_id
    data = report.to_dict()
    assert data["ok"] is True and data["first_problem"] is None
    assert data["checkpoints"][1]["tree_size"] == 10
    # the printed checkpoint is what the signature covers, and a later tree extends the earlier
    assert first.access_log == (0, GENESIS)  # it also signs the (empty) access log's head
    assert signing.verify_signature(
        first.public_key,
        signing.checkpoint_message(
            first.tree_size, first.root_hash, first.signed_at, first.access_log
        ),
        first.signature,
    )
    assert (
        first.key_id
        == sha256(signing.load_public_key(first.public_key).public_bytes_raw()).hexdigest()
    )


def test_changed_event_bytes_are_named(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    audit.checkpoint()
    evil = attack()
    _, _, state = evil.event(ids["A"], 2)
    forged = state.replace(b"650000", b"950000")
    assert forged != state
    evil.sql(
        f"UPDATE {evil.events} SET state = ? WHERE originator_id = ? AND originator_version = 2",
        (forged, evil.key(ids["A"])),
    )
    problem = _first(audit)
    assert (problem.kind, problem.household_id, problem.version) == (
        "hash_mismatch",
        str(ids["A"]),
        2,
    )
    assert problem.message == (
        f"household {ids['A']}, version 2: stored bytes do not match their hash"
    )


def test_a_recomputed_chain_is_caught_by_the_signed_checkpoint(app, clock, audit, attack):
    ids = history(app, clock)
    audit.checkpoint()
    evil = attack(alter_table=True)
    # the attacker edits version 2 and recomputes A's whole chain, so it is self-consistent
    prev = GENESIS
    for v in (1, 2, 3, 4):
        _, topic, state = evil.event(ids["A"], v)
        if v == 2:
            state = state.replace(b"650000", b"950000")
            evil.sql(
                f"UPDATE {evil.events} SET state = ? "
                "WHERE originator_id = ? AND originator_version = 2",
                (state, evil.key(ids["A"])),
            )
        h = event_hash(prev, ids["A"], v, topic, state)
        evil.sql(
            "UPDATE event_hashes SET prev_hash = ?, hash = ? "
            "WHERE originator_id = ? AND originator_version = ?",
            (prev, h, evil.key(ids["A"]), v),
        )
        prev = h
    problem = _first(audit)
    assert problem.kind == "root_mismatch"
    assert problem.message.startswith("checkpoint 1: the log's first 9 events do not match")


def test_a_deleted_event_is_named(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    evil = attack()
    evil.delete(ids["B"], 2)
    problem = _first(audit)
    assert (problem.kind, problem.household_id, problem.version) == (
        "missing_version",
        str(ids["B"]),
        2,
    )
    assert problem.message == (
        f"household {ids['B']}: version 2 missing (its hash row remains: the event was deleted)"
    )
    # a tidier attacker removes the hash row too: still a gap in the versions
    evil.sql(
        "DELETE FROM event_hashes WHERE originator_id = ? AND originator_version = 2",
        (evil.key(ids["B"]),),
    )
    assert _first(audit).message == f"household {ids['B']}: version 2 missing"


def test_a_household_erased(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    audit.checkpoint()
    evil = attack()
    evil.delete(ids["C"], 1)
    evil.delete(ids["C"], 2)
    report = audit.verify()
    assert [(p.kind, p.household_id, p.version) for p in report.problems[:2]] == [
        ("missing_version", str(ids["C"]), 1),
        ("missing_version", str(ids["C"]), 2),
    ]
    assert report.problems[2].message == (
        "log truncated: checkpoint 1 covers 9 events, the log has 7"
    )
    # with its hash rows gone too, only the signed checkpoint still knows
    evil.sql("DELETE FROM event_hashes WHERE originator_id = ?", (evil.key(ids["C"]),))
    assert [p.kind for p in audit.verify().problems] == ["truncated"]


def test_an_event_inserted_out_of_order_is_named(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    audit.checkpoint()
    evil = attack()
    # a forged fifth fact for A, correctly chained, slipped in at the very start of the log
    _, topic, state = evil.event(ids["A"], 4)
    _, last = evil.hash_row(ids["A"], 4)
    evil.insert(ids["A"], 5, topic, state, nid=0)
    evil.insert_hash(ids["A"], 5, last, event_hash(last, ids["A"], 5, topic, state))
    report = audit.verify()
    problem = report.problems[0]
    assert (problem.kind, problem.household_id, problem.version) == (
        "out_of_order",
        str(ids["A"]),
        5,
    )
    assert problem.message == (
        f"household {ids['A']}, version 5: inserted out of order "
        "(it comes before version 1 in the log)"
    )
    assert {p.kind for p in report.problems} == {"out_of_order", "root_mismatch"}


def test_a_reinserted_event_is_named(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    audit.checkpoint()
    evil = attack()
    nid, topic, state = evil.event(ids["A"], 2)
    evil.delete(ids["A"], 2)
    evil.insert(ids["A"], 2, topic, state)  # same bytes, same hash row, new place in the log
    assert evil.event(ids["A"], 2)[0] > nid
    report = audit.verify()
    problem = report.problems[0]
    assert (problem.kind, problem.household_id, problem.version) == (
        "reinserted",
        str(ids["A"]),
        2,
    )
    assert problem.message == (
        f"household {ids['A']}, version 2: re-inserted event (it comes after version 4 in the log)"
    )
    assert report.problems[1].kind == "root_mismatch"


def test_an_event_without_a_hash_row_and_an_edited_hash_row(app, clock, audit, attack):
    ids = history(app, clock)
    evil = attack()
    _, topic, state = evil.event(ids["C"], 2)
    evil.insert(ids["C"], 3, topic, state)
    problem = _first(audit)
    assert (problem.kind, problem.version) == ("missing_hash_row", 3)
    assert "no hash row" in problem.message
    evil.delete(ids["C"], 3)
    evil.sql(
        "UPDATE event_hashes SET hash = ? WHERE originator_id = ? AND originator_version = 1",
        (bytes(32), evil.key(ids["C"])),
    )
    report = audit.verify()
    assert [(p.kind, p.version) for p in report.problems[:2]] == [
        ("hash_mismatch", 1),
        ("chain_break", 2),
    ]


def test_a_log_truncated_after_a_checkpoint(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    checkpoint = audit.checkpoint()
    evil = attack()
    # the last two events in the log are the latest of B and of A: no gap in any household
    evil.delete(ids["B"], 3, hash_row=True)
    evil.delete(ids["A"], 4, hash_row=True)
    problem = _first(audit)
    assert problem.kind == "truncated"
    assert problem.message == "log truncated: checkpoint 1 covers 9 events, the log has 7"
    # an attacker who also removes the stored checkpoint is caught by the one kept outside
    evil.sql("DELETE FROM checkpoints")
    assert audit.verify().ok  # nothing inside the database can tell any more...
    problem = _first(audit, external=checkpoint)
    assert problem.message == "log truncated: external checkpoint covers 9 events, the log has 7"


def test_an_altered_checkpoint_signature(app, clock, audit, attack) -> None:
    history(app, clock)
    cp = audit.checkpoint()
    evil = attack()
    broken = bytes([cp.signature[0] ^ 1]) + cp.signature[1:]
    evil.sql("UPDATE checkpoints SET signature = ? WHERE id = ?", (broken, cp.id))
    problem = _first(audit)
    assert (problem.kind, problem.checkpoint) == ("bad_signature", "checkpoint 1")
    assert problem.message == "checkpoint 1: signature does not verify"


def test_a_different_public_key(app, clock, audit, attack, tmp_path) -> None:
    history(app, clock)
    cp = audit.checkpoint()
    # the attacker re-signs the stored checkpoint with a key of their own
    theirs = Ed25519PrivateKey.generate()
    message = signing.checkpoint_message(cp.tree_size, cp.root_hash, cp.signed_at)
    evil = attack()
    evil.sql(
        "UPDATE checkpoints SET signature = ?, public_key = ?, key_id = ? WHERE id = ?",
        (theirs.sign(message), signing.public_key_pem(theirs), signing.key_id(theirs), cp.id),
    )
    problem = _first(audit)
    assert problem.kind == "key_mismatch"
    assert problem.message.startswith("checkpoint 1: public key does not match")
    # ... and a checkpoint file signed with another key, against the configured key
    forged = Checkpoint(
        tree_size=cp.tree_size,
        root_hash=cp.root_hash,
        signed_at=cp.signed_at,
        signature=theirs.sign(message),
        public_key=signing.public_key_pem(theirs),
        key_id=signing.key_id(theirs),
    )
    report = audit.verify(external=forged)
    assert report.external is not None and not report.external.ok
    assert report.external.problems[0].startswith("external checkpoint: public key does not match")
    # trusting their key explicitly, their checkpoint file verifies (and ours does not)
    report = audit.verify(external=forged, trusted_public_key=forged.public_key)
    assert report.external is not None and report.external.ok


def test_checkpoint_refuses_to_sign_a_tampered_log(app, clock, audit, attack) -> None:
    ids = history(app, clock)
    evil = attack()
    evil.delete(ids["A"], 3)
    with pytest.raises(VerificationFailed, match="version 3 missing"):
        audit.checkpoint()
    assert audit.log.checkpoints() == []


def test_the_command_line(app, clock, store, audit, attack, tmp_path) -> None:
    ids = history(app, clock)
    group = click.Group()
    register_audit_commands(group)
    runner = CliRunner()
    env = {
        "CHUNGTAY_DATABASE_URL": store.url,
        "CHUNGTAY_SIGNING_KEY": str(store.settings.signing_key),
    }
    keyless = {**env, "CHUNGTAY_SIGNING_KEY": str(tmp_path / "nowhere.key")}
    no_key = runner.invoke(group, ["audit", "checkpoint"], env=keyless)
    assert no_key.exit_code == 1
    assert "no signing key" in no_key.stderr and "chungtay init" in no_key.stderr
    made = runner.invoke(group, ["audit", "checkpoint"], env=env)
    assert made.exit_code == 0, made.output
    kept = tmp_path / "checkpoint.json"
    kept.write_text(made.stdout)
    assert json.loads(made.stdout)["tree_size"] == 9
    ok = runner.invoke(group, ["audit", "verify", "--checkpoint", str(kept)], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("OK: 9 events of 3 households verified")
    evil = attack()
    evil.delete(ids["A"], 4, hash_row=True)
    failed = runner.invoke(group, ["audit", "verify", "--checkpoint", str(kept), "--json"], env=env)
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["ok"] is False
    assert report["first_problem"] == "log truncated: checkpoint 1 covers 9 events, the log has 8"
    assert report["external_checkpoint"]["problems"] == [
        "log truncated: external checkpoint covers 9 events, the log has 8"
    ]
    text = runner.invoke(group, ["audit", "verify"], env=env)
    assert text.exit_code == 1
    assert text.stdout.startswith("FAILED: log truncated: checkpoint 1 covers 9 events")
    refused = runner.invoke(group, ["audit", "checkpoint"], env=env)
    assert refused.exit_code == 1
    assert "refusing to sign" in refused.stderr
    kept.write_text("{not json")
    usage = runner.invoke(group, ["audit", "verify", "--checkpoint", str(kept)], env=env)
    assert usage.exit_code == 2
    missing = runner.invoke(group, ["audit", "verify", "--checkpoint", str(tmp_path / "no")])
    assert missing.exit_code == 2
