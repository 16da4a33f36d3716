"""Commands: what a user asks the ledger to record, one dataclass per kind of fact.

A caller (the API, the pages, the command line, the import, the demo) builds one and hands it to
the :class:`application.households.Households` method of the same name; nothing is dispatched by
a method's name, so "go to definition" leads from the view through the use case to the aggregate.
The fields every fact shares (the household, the date it took effect, who records it, the
version the caller last saw) are those of :class:`FactCommand`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

HouseholdRef = str | uuid.UUID
"""A household's id (a UUID, or its text) or its code (``01564-0042``)."""


@dataclass(frozen=True, kw_only=True)
class HouseholdCommand:
    """A command about a registered household, by a named user.

    ``expected_version`` is the version the caller last saw (``If-Match``): when the household
    has moved on, the command is refused (412) instead of retried.
    """

    household: HouseholdRef
    recorded_by: str
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class FactCommand(HouseholdCommand):
    """A fact with the civil date it took effect (never in the future, never before the
    household's registration)."""

    effective_on: date


@dataclass(frozen=True, kw_only=True)
class RegisterHousehold:
    """Đăng ký hộ: a new household in a commune; ``area_type`` follows the unit when absent."""

    effective_on: date
    recorded_by: str
    code: str
    unit: str
    village: str
    head_name: str
    ethnicity: str
    members: Sequence[Mapping[str, Any]]
    area_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChangeMember(FactCommand):
    """Biến động nhân khẩu: ``change`` is added, removed or updated; ``member`` names the person
    by ``name`` (the other fields are required for ``added``)."""

    change: str
    member: Mapping[str, Any]
    reason: str


@dataclass(frozen=True, kw_only=True)
class Relocate(FactCommand):
    """Chuyển nơi ở: to a commune valid on ``effective_on``."""

    unit: str
    village: str
    area_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class Assess(FactCommand):
    """Rà soát: income and deprivations, classified by the server under the standard that
    applies (``kind``, ``list_year`` and ``standard`` default from the date)."""

    income_per_capita: int
    deprivations: Sequence[str]
    assessor: str
    form: str = ""
    kind: str | None = None
    list_year: int | None = None
    standard: str | None = None


@dataclass(frozen=True, kw_only=True)
class Recognise(FactCommand):
    """Quyết định công nhận: the commune's decision on one household."""

    status: str
    decision_number: str
    signed_by: str
    list_year: int | None = None


@dataclass(frozen=True)
class DecisionItem:
    """One household of a batch decision and the status decided for it."""

    household: HouseholdRef
    status: str


@dataclass(frozen=True, kw_only=True)
class RecogniseMany:
    """One commune decision for many households, recorded for all or for none."""

    effective_on: date
    recorded_by: str
    decision_number: str
    unit: str
    signed_by: str
    items: Sequence[DecisionItem]
    list_year: int | None = None


@dataclass(frozen=True, kw_only=True)
class DeliverSupport(FactCommand):
    """Hỗ trợ: support delivered, money in integer VND, goods described by ``in_kind``."""

    category: str
    programme: str
    funding_source: str
    amount_vnd: int
    provider: str
    in_kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartSponsorship(FactCommand):
    """Phân công giúp đỡ: ``sponsor`` has ``name``, ``kind`` and optionally ``unit``."""

    sponsor: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class EndSponsorship(FactCommand):
    """The end of a sponsorship, named by the id its start answered."""

    sponsorship_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RegisterExit(FactCommand):
    """Đăng ký thoát nghèo: the year the household commits to leave poverty."""

    target_year: int
    plan: str | None = None


@dataclass(frozen=True, kw_only=True)
class FileComplaint(FactCommand):
    """Khiếu nại during public posting."""

    complainant: str
    subject: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ResolveComplaint(FactCommand):
    """The outcome of a complaint, named by the id its filing answered."""

    complaint_id: str
    outcome: str
    note: str


@dataclass(frozen=True, kw_only=True)
class Inspect(FactCommand):
    """Kiểm tra: an inspection's findings, possibly under an inspection plan."""

    team: str
    findings: Sequence[Mapping[str, Any]]
    outcome: str
    plan_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Retract(HouseholdCommand):
    """Hủy bỏ: void the fact with that version from now on (it takes effect today)."""

    version: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class CloseHousehold(FactCommand):
    """Đóng hồ sơ: dissolved, merged, moved away or deceased."""

    reason: str
