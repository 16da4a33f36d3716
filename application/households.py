"""The one ``eventsourcing`` application: use cases that record facts and queries that read them.

Every command loads the household, lets the aggregate decide, and saves; a save that collides
with a concurrent writer is retried on the reloaded household (or reported as 412 when the
caller pinned a version with ``If-Match``). Reference data (standards, units, ethnic groups) is
checked here, before the aggregate sees the fact, because it is data, not household state.
"""

from __future__ import annotations

import contextvars
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, RecordConflictError, Transcoder, Transcoding
from eventsourcing.utils import get_topic

from application.errors import (
    DuplicateHousehold,
    HouseholdNotFound,
    InvalidInput,
    StaleVersion,
    WriteConflict,
)
from application.log_reader import LogReader
from domain.ethnicity import EthnicityCatalogue, UnknownEthnicityError, load_ethnicities
from domain.events import Registered
from domain.household import Household, household_id_for
from domain.situation import (
    Situation,
    area_type_on,
    contradicts_assessment,
    live_facts,
    timeline,
    unit_on,
)
from domain.standards import (
    ClassificationInputError,
    StandardsCatalogue,
    UnknownStandardError,
    default_list_year,
    default_review_kind,
    load_standards,
)
from domain.text import nfc
from domain.units import UnitCatalogue, UnknownUnitError, load_units

MAX_ATTEMPTS = 20


def _backoff(attempt: int) -> None:
    """Sleep a little, more each time, with jitter, so colliding writers spread out."""
    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))


class DateAsISO(Transcoding):
    """Store ``date`` values as ISO strings (the library knows datetimes, not dates)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """``YYYY-MM-DD``."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Back to a ``date``."""
        return date.fromisoformat(data)


@runtime_checkable
class HashReader(Protocol):
    """A recorder that can return the stored hash chain of one household."""

    def select_hashes(self, originator_id: uuid.UUID) -> dict[int, bytes]:
        """Map version → stored hash for one household."""


@dataclass(frozen=True)
class Recorded:
    """What a recorded fact answers with (CONTRACT §5: 201 and these fields)."""

    household_id: str
    version: int
    recorded_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready answer."""
        return {
            "household_id": self.household_id,
            "version": self.version,
            "recorded_at": self.recorded_at.isoformat(),
            **self.extra,
        }


def utc_now() -> datetime:
    """The server clock in UTC: the only source of ``recorded_at``."""
    return datetime.now(UTC)


def _project_household(household: Household | None, events: Iterable[Any]) -> Household | None:
    """Replay stored events onto a household (the library's projector without its per-event
    runtime-protocol assertion, which cost half the load time on Python 3.11)."""
    for event in events:
        household = event.mutate(household)
    return household


_batch: contextvars.ContextVar[dict[uuid.UUID, Household] | None] = contextvars.ContextVar(
    "chungtay_batch", default=None
)


class Households(Application):
    """The household ledger (sổ theo dõi hộ nghèo) as an event-sourced application."""

    name = "Households"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        timezone: str = "Asia/Ho_Chi_Minh",
        standards: StandardsCatalogue | None = None,
        units: UnitCatalogue | None = None,
        ethnicities: EthnicityCatalogue | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.standards = standards or load_standards()
        self.units = units or load_units()
        self.ethnicities = ethnicities or load_ethnicities()

    def register_transcodings(self, transcoder: Transcoder) -> None:
        """Add ``date`` to the JSON transcoder."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The server's current time (UTC)."""
        return self.clock()

    def today(self) -> date:
        """Today's civil date in the configured zone (``CHUNGTAY_TIMEZONE``)."""
        return self.clock().astimezone(self.zone).date()

    # -- loading -----------------------------------------------------------------------------------

    def household_id(self, ref: str | uuid.UUID) -> uuid.UUID:
        """Resolve a household id or code to its id (the id is derived from the code)."""
        if isinstance(ref, uuid.UUID):
            return ref
        try:
            return uuid.UUID(ref)
        except ValueError:
            return household_id_for(ref)

    def get(self, ref: str | uuid.UUID) -> Household:
        """Load a household (from the open batch if there is one)."""
        hid = self.household_id(ref)
        batch = _batch.get()
        if batch is not None and hid in batch:
            return batch[hid]
        try:
            return self.repository.get(hid, projector_func=_project_household)
        except AggregateNotFoundError:
            raise HouseholdNotFound(str(ref)) from None

    def household_ids(self, page_size: int = 1000) -> Iterator[uuid.UUID]:
        """Every registered household's id, in registration (log) order."""
        return LogReader(self, page_size).originator_ids(topics=[get_topic(Registered)])

    @contextmanager
    def batch(self, **save_kwargs: Any) -> Iterator[dict[uuid.UUID, Household]]:
        """Collect commands on many households and save them in one transaction at the end.

        Used by importers and the demo (many households per transaction, same write path), and
        by idempotent requests, whose stored answer ``save_kwargs`` carries into the recorder.
        """
        pending: dict[uuid.UUID, Household] = {}
        token = _batch.set(pending)
        try:
            yield pending
            if pending:
                self.save(*pending.values(), **save_kwargs)
        finally:
            _batch.reset(token)

    # -- commands ------------------------------------------------------------------------------

    def register(
        self,
        *,
        recorded_by: str,
        effective_on: date,
        code: str,
        unit: str,
        village: str,
        head_name: str,
        ethnicity: str,
        members: list[dict[str, Any]],
        area_type: str | None = None,
    ) -> Recorded:
        """Đăng ký hộ: a code registers once; a second attempt is a :class:`DuplicateHousehold`."""
        resolved_unit = self.commune(unit, effective_on)
        self._area_type_of(resolved_unit, area_type)
        canonical = self._ethnicity(ethnicity)
        code = nfc(code)
        hid = household_id_for(code)
        batch = _batch.get()
        if (batch is not None and hid in batch) or hid in self.repository:
            raise DuplicateHousehold(code, str(hid))
        household = Household.register(
            now=self.now(),
            today=self.today(),
            recorded_by=recorded_by,
            effective_on=effective_on,
            code=code,
            unit=resolved_unit.code,
            village=village,
            head_name=head_name,
            ethnicity=canonical,
            ethnic_minority=self.ethnicities.is_minority(canonical),
            members=members,
            area_type=resolved_unit.area_type,
        )
        if batch is not None:
            batch[hid] = household
        else:
            try:
                self.save(household)
            except IntegrityError:
                raise DuplicateHousehold(code, str(hid)) from None
        return self._recorded(household)

    def change_member(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Biến động nhân khẩu."""
        return self._fact(household_id, expected_version, Household.change_member, kw)

    def relocate(
        self,
        household_id: str | uuid.UUID,
        *,
        unit: str,
        village: str,
        effective_on: date,
        recorded_by: str,
        area_type: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Chuyển nơi ở: the new unit must be a commune valid on ``effective_on``."""
        resolved = self.commune(unit, effective_on)
        self._area_type_of(resolved, area_type)

        def command(h: Household, c: dict[str, Any]) -> None:
            h.relocate(unit=resolved.code, village=village, area_type=resolved.area_type, **c)

        return self._update(
            household_id,
            expected_version,
            command,
            effective_on=effective_on,
            recorded_by=recorded_by,
        )

    def assess(
        self,
        household_id: str | uuid.UUID,
        *,
        effective_on: date,
        recorded_by: str,
        income_per_capita: int,
        deprivations: Sequence[str],
        assessor: str,
        form: str = "",
        kind: str | None = None,
        list_year: int | None = None,
        standard: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Rà soát: classify under the standard that applies and record both."""
        try:
            selection = self.standards.resolve_review(
                effective_on,
                kind=kind,
                list_year=list_year,
                standard=standard,  # type: ignore[arg-type]
            )
        except (ClassificationInputError, UnknownStandardError) as e:
            where = getattr(e, "field", None) or ("standard" if standard else "list_year")
            raise InvalidInput(where, str(e)) from None
        holder: dict[str, Any] = {}

        def command(h: Household, c: dict[str, Any]) -> None:
            area_type = self._area_type_on(h, effective_on)
            try:
                classification = selection.standard.classify(
                    area_type, income_per_capita, [nfc(d) for d in deprivations]
                )
            except ClassificationInputError as e:
                field_name = "income_per_capita" if "income" in str(e) else "deprivations"
                raise InvalidInput(field_name, str(e)) from None
            holder["classification"] = classification.to_dict()
            h.assess(
                kind=selection.kind,
                list_year=selection.list_year,
                standard=selection.standard.code,
                area_type=area_type,
                income_per_capita=income_per_capita,
                deprivations=list(classification.deprivations),
                classification={
                    "status": classification.status,
                    "route": classification.route,
                    "thresholds": dict(classification.thresholds),
                },
                assessor=assessor,
                form=form,
                standards_version=self.standards.data_version,
                **c,
            )

        recorded = self._update(
            household_id,
            expected_version,
            command,
            effective_on=effective_on,
            recorded_by=recorded_by,
        )
        return Recorded(
            recorded.household_id,
            recorded.version,
            recorded.recorded_at,
            {
                "classification": holder["classification"],
                "kind": selection.kind,
                "list_year": selection.list_year,
                "standard": selection.standard.code,
            },
        )

    def recognise(
        self,
        household_id: str | uuid.UUID,
        *,
        effective_on: date,
        recorded_by: str,
        status: str,
        decision_number: str,
        signed_by: str,
        list_year: int | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Quyết định công nhận: the answer carries the transition it makes."""
        year, standard = self._decision_year(effective_on, list_year)

        decided: list[Household] = []

        def command(h: Household, c: dict[str, Any]) -> None:
            decided[:] = [h]
            h.recognise(
                status=status,
                decision_number=decision_number,
                list_year=year,
                standard=standard,
                signed_by=signed_by,
                **c,
            )

        self._update(
            household_id,
            expected_version,
            command,
            effective_on=effective_on,
            recorded_by=recorded_by,
        )
        return self._with_transition(decided[0], effective_on)

    def recognise_many(
        self,
        *,
        effective_on: date,
        recorded_by: str,
        decision_number: str,
        unit: str,
        signed_by: str,
        items: Sequence[dict[str, Any]],
        list_year: int | None = None,
    ) -> list[Recorded]:
        """One commune decision for many households, all or nothing (one transaction)."""
        self.commune(unit, effective_on)
        year, standard = self._decision_year(effective_on, list_year)
        for attempt in range(MAX_ATTEMPTS):
            loaded: dict[uuid.UUID, Household] = {}
            for i, item in enumerate(items):
                hid = self.household_id(str(item["household_id"]))
                if hid in loaded:
                    raise InvalidInput(f"items.{i}.household_id", "a household appears twice")
                household = self.get(hid)
                situation = household.situation(effective_on)
                if not self.units.contains(
                    unit, unit_on(self.units, situation, effective_on).code, effective_on
                ):
                    raise InvalidInput(
                        f"items.{i}.household_id", f"household is not in unit {unit}"
                    )
                try:
                    household.recognise(
                        status=item["status"],
                        decision_number=decision_number,
                        list_year=year,
                        standard=standard,
                        signed_by=signed_by,
                        **self._common(effective_on, recorded_by),
                    )
                except InvalidInput:
                    raise
                except ValueError as e:
                    field_name = getattr(e, "field", "status")
                    raise InvalidInput(
                        f"items.{i}.{field_name}", getattr(e, "message", str(e))
                    ) from None
                loaded[hid] = household
            batch = _batch.get()
            if batch is not None:
                batch.update(loaded)
                return [self._with_transition(h, effective_on) for h in loaded.values()]
            try:
                self.save(*loaded.values())
            except RecordConflictError:
                if attempt + 1 == MAX_ATTEMPTS:
                    raise WriteConflict("the batch kept colliding with other writers") from None
                _backoff(attempt)
                continue
            return [self._with_transition(h, effective_on) for h in loaded.values()]
        raise WriteConflict("unreachable")

    def deliver_support(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Hỗ trợ."""
        return self._fact(household_id, expected_version, Household.deliver_support, kw)

    def start_sponsorship(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Phân công giúp đỡ: the answer carries the new ``sponsorship_id``."""
        sponsorship_id = str(uuid.uuid4())
        sponsor = dict(kw.pop("sponsor"))
        if sponsor.get("unit"):
            self._unit(sponsor["unit"], kw["effective_on"], field_name="sponsor.unit")
        recorded = self._fact(
            household_id,
            expected_version,
            Household.start_sponsorship,
            {**kw, "sponsor": sponsor, "sponsorship_id": sponsorship_id},
        )
        return Recorded(
            recorded.household_id,
            recorded.version,
            recorded.recorded_at,
            {"sponsorship_id": sponsorship_id},
        )

    def end_sponsorship(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """End a sponsorship."""
        return self._fact(household_id, expected_version, Household.end_sponsorship, kw)

    def register_exit(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Đăng ký thoát nghèo: only for a household poor or near-poor on its date."""

        def command(h: Household, **c: Any) -> None:
            status = h.situation(c["effective_on"]).status
            if status not in ("poor", "near_poor"):
                raise InvalidInput(
                    "effective_on",
                    f"the household is {status} on {c['effective_on'].isoformat()}; only a poor "
                    "or near-poor household registers to exit poverty",
                )
            Household.register_exit(h, **c)

        return self._fact(household_id, expected_version, command, kw)

    def file_complaint(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Khiếu nại: the answer carries the new ``complaint_id``."""
        complaint_id = str(uuid.uuid4())
        recorded = self._fact(
            household_id,
            expected_version,
            Household.file_complaint,
            {**kw, "complaint_id": complaint_id},
        )
        return Recorded(
            recorded.household_id,
            recorded.version,
            recorded.recorded_at,
            {"complaint_id": complaint_id},
        )

    def resolve_complaint(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """The outcome of a complaint."""
        return self._fact(household_id, expected_version, Household.resolve_complaint, kw)

    def inspect(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Kiểm tra."""
        kw.setdefault("plan_id", None)
        return self._fact(household_id, expected_version, Household.inspect, kw)

    def close_household(
        self, household_id: str | uuid.UUID, *, expected_version: int | None = None, **kw: Any
    ) -> Recorded:
        """Đóng hồ sơ."""
        return self._fact(household_id, expected_version, Household.close, kw)

    def retract(
        self,
        household_id: str | uuid.UUID,
        *,
        version: int,
        reason: str,
        recorded_by: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Hủy bỏ: void an earlier fact from now on."""

        def command(h: Household, c: dict[str, Any]) -> None:
            h.retract(
                version=version,
                reason=reason,
                now=c["now"],
                today=c["today"],
                recorded_by=recorded_by,
            )

        return self._update(
            household_id,
            expected_version,
            command,
            effective_on=self.today(),
            recorded_by=recorded_by,
        )

    # -- queries -------------------------------------------------------------------------------

    def situation(
        self, ref: str | uuid.UUID, as_of: date | None = None, known_at: datetime | None = None
    ) -> Situation:
        """The fold for one household; 404 when it was not yet known at ``known_at``."""
        household = self.get(ref)
        situation = household.situation(as_of or self.today(), known_at)
        if not situation.known:
            moment = known_at.isoformat() if known_at else "now"
            raise HouseholdNotFound(str(ref), f"household {ref} was not yet known at {moment}")
        return situation

    def facts(self, ref: str | uuid.UUID) -> list[Any]:
        """The household's events in recording order."""
        return list(self.get(ref).facts)

    def hashes(self, household_id: uuid.UUID) -> dict[int, bytes]:
        """The stored hash chain of a household (empty if the store keeps none)."""
        if isinstance(self.recorder, HashReader):
            return self.recorder.select_hashes(household_id)
        return {}

    # -- internals -------------------------------------------------------------------------------

    def _common(self, effective_on: date, recorded_by: str) -> dict[str, Any]:
        return {
            "now": self.now(),
            "today": self.today(),
            "effective_on": effective_on,
            "recorded_by": nfc(recorded_by),
        }

    def _fact(
        self,
        household_id: str | uuid.UUID,
        expected_version: int | None,
        method: Callable[..., None],
        kw: dict[str, Any],
    ) -> Recorded:
        effective_on = kw.pop("effective_on")
        recorded_by = kw.pop("recorded_by")
        return self._update(
            household_id,
            expected_version,
            lambda h, c: method(h, **kw, **c),
            effective_on=effective_on,
            recorded_by=recorded_by,
        )

    def _update(
        self,
        household_id: str | uuid.UUID,
        expected_version: int | None,
        command: Callable[[Household, dict[str, Any]], None],
        *,
        effective_on: date | None = None,
        recorded_by: str | None = None,
    ) -> Recorded:
        """Load, decide, save; retry on a concurrent write unless a version was pinned."""
        batch = _batch.get()
        for attempt in range(MAX_ATTEMPTS):
            household = self.get(household_id)
            if expected_version is not None and household.version != expected_version:
                raise StaleVersion(expected_version, household.version)
            common = self._common(effective_on or self.today(), recorded_by or "")
            command(household, common)
            if batch is not None:
                batch[household.id] = household
                return self._recorded(household)
            try:
                self.save(household)
            except RecordConflictError:
                if expected_version is not None:
                    raise StaleVersion(expected_version, expected_version + 1) from None
                _backoff(attempt)
                continue
            return self._recorded(household)
        raise WriteConflict(f"household {household_id} kept changing under concurrent writers")

    def _recorded(self, household: Household) -> Recorded:
        last = household.facts[-1]
        return Recorded(str(household.id), household.version, last.timestamp)

    def _with_transition(self, household: Household, effective_on: date) -> Recorded:
        """The answer to a recognition: the transition it makes on its date."""
        recorded = self._recorded(household)
        decision = next(p for p in timeline(household.facts) if p.version == household.version)
        contradicts = contradicts_assessment(live_facts(household.facts), decision)
        return Recorded(
            recorded.household_id,
            recorded.version,
            recorded.recorded_at,
            {
                "transition": decision.transition,
                "status": decision.status,
                "contradicts_assessment": contradicts,
            },
        )

    def _decision_year(self, effective_on: date, list_year: int | None) -> tuple[int, str]:
        year = (
            list_year
            if list_year is not None
            else default_list_year(effective_on, default_review_kind(effective_on))
        )
        try:
            return year, self.standards.for_list_year(year).code
        except (ClassificationInputError, UnknownStandardError) as e:
            raise InvalidInput("list_year", str(e)) from None

    def _unit(self, code: str, on: date, field_name: str = "unit") -> Any:
        try:
            return self.units.resolve(code, on)
        except UnknownUnitError as e:
            raise InvalidInput(field_name, str(e)) from None

    def commune(self, code: str, on: date, field_name: str = "unit") -> Any:
        """The commune ``code`` names on ``on``; :class:`InvalidInput` when it names none."""
        unit = self._unit(code, on, field_name)
        if unit.level != "commune":
            raise InvalidInput(
                field_name, f"{unit.code} is a {unit.level}; households belong to a commune"
            )
        return unit

    def _area_type_of(self, unit: Any, given: str | None) -> None:
        """The area type follows the unit: one that says otherwise is refused (422)."""
        if given is not None and given != unit.area_type:
            raise InvalidInput(
                "area_type",
                f"the area type follows the unit: {unit.name} ({unit.code}) is {unit.area_type}",
            )

    def _ethnicity(self, name: str) -> str:
        try:
            return self.ethnicities.canonical(name)
        except UnknownEthnicityError as e:
            raise InvalidInput("ethnicity", str(e)) from None

    def _area_type_on(self, household: Household, on: date) -> str:
        """Area type of the household's address on ``on`` (the one rule, beside the fold)."""
        return area_type_on(self.units, household.situation(on), on)
