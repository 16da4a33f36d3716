"""Composition root of the audit: the store's audit port wired into the use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from application.audit import Audit, utc_now
from application.replay_pack import ProofPrimitives
from infrastructure.audit import Proofs, audit_log_for
from infrastructure.settings import Settings
from infrastructure.store import parse_database_url


def build_audit(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Audit:
    """Checkpoint, verify and export on the configured store, signing with the configured key."""
    config = parse_database_url(settings.database_url)
    return Audit(
        audit_log_for(config, settings.signing_key, settings.audit_public_key), clock=clock
    )


def build_proofs() -> ProofPrimitives:
    """The hash, Merkle and signature primitives for offline pack verification (no store)."""
    return Proofs()
