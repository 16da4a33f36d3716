"""``/households/{code}``: the auditor's view of one household.

What the record, as it stood at ``known_at``, said the household's situation was on ``as_of``
(both chosen on the page; ``known_at`` among the household's own recording moments, for
auditors, as in the API); the valid-time timeline as bands; every fact in recording order with
who recorded it, when, its hash and its retraction; and, for auditors, "verify this household"
(its hash chain and inclusion in the signed log, then a replay of its status) and the replay pack.
Reads by inspectors and auditors go to the access log, as the API's do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, request

from application import queries
from application.audit import AuditError, VerificationFailed
from application.replay_pack import PackReport, verify_pack
from application.status import status_object
from web.api.common import log_reads
from web.auth import current_user, requires
from web.bootstrap import build_proofs
from web.context import audit, households, reader
from web.i18n import word
from web.pages import timeline
from web.pages.frame import lang, render
from web.pages.inputs import optional_date, optional_moment

blp = Blueprint("household", __name__)

_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Verification:
    """The outcome of "verify this household", as the page shows it."""

    ok: bool
    report: PackReport | None
    problems: tuple[str, ...]


def _moment_choices(full: dict[str, Any]) -> list[dict[str, Any]]:
    """The household's own recording moments (every fact's ``recorded_at``), latest first."""
    return [
        {"value": f["recorded_at"], "version": f["version"], "type": f["type"]}
        for f in reversed(full["facts"])
    ]


def _decision_label(decision: dict[str, Any]) -> str:
    return str(decision.get("number") or "")


def _page(code: str, verification: Verification | None = None) -> tuple[str, int]:
    app = households()
    user = current_user()
    known_at = optional_moment("known_at", request.values.get("known_at"), app.zone)
    on: date = optional_date("as_of", request.values.get("as_of")) or app.today()
    situation = reader().situation(user, code, on, known_at)
    moment: datetime = known_at or app.now()
    status = status_object(situation, app.units, moment)
    history = queries.history(app, code, known_at)
    full = queries.history(app, code) if known_at is not None else history
    drawing = timeline.draw(
        situation.timeline,
        start=situation.registered_on or situation.timeline[0].valid_from,
        today=app.today(),
        as_of=on,
        word=lambda kind, c: word(kind, c, lang()),
        decision_label=_decision_label,
    )
    log_reads([situation.household_id])
    may_audit = user.role == "auditor"
    return render(
        "household.html",
        code=situation.code,
        status=status,
        situation=situation,
        history=history,
        later=len(full["facts"]) - len(history["facts"]),
        moments=_moment_choices(full) if may_audit else [],
        asked_known_at=request.values.get("known_at", ""),
        drawing=drawing,
        periods=situation.timeline,
        may_audit=may_audit,
        may_inspect=user.role in ("admin", "inspector"),
        verification=verification,
    )


@blp.route("/households/<code>", methods=["GET"], endpoint="page")
def household_page(code: str) -> tuple[str, int]:
    """The household on ``as_of`` as known at ``known_at``."""
    return _page(code)


def _replay_pack(code: str) -> dict[str, Any]:
    """The household's replay pack (signing a checkpoint first when none covers it)."""
    app = households()
    situation = app.situation(code)
    pack = audit().export_household(app, str(situation.household_id))
    log_reads([situation.household_id])
    return pack


@blp.route("/households/<code>/verify", methods=["POST"], endpoint="verify")
@requires("auditor")
def verify_household(code: str) -> tuple[str, int]:
    """Check the household's chain and inclusion in the signed log, then replay its status."""
    try:
        report = verify_pack(_replay_pack(code), build_proofs())
        verification = Verification(report.ok, report, tuple(report.problems))
    except (AuditError, VerificationFailed) as e:
        verification = Verification(False, None, (str(e),))
    return _page(code, verification)


@blp.route("/households/<code>/replay-pack", methods=["POST"], endpoint="replay_pack")
@requires("auditor")
def download_replay_pack(code: str) -> Response:
    """The replay pack as a JSON file, for ``chungtay verify-pack`` on another machine."""
    pack = _replay_pack(code)
    name = _FILE_UNSAFE.sub("_", str(pack.get("code") or code)) + "-replay-pack.json"
    return Response(
        json.dumps(pack, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
