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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, RecordConflictError, Transcoder, Transcoding
from eventsourcing.utils import get_topic

from application import commands as c
from application.errors import (
    DuplicateHousehold,
    HouseholdNotFound,
    InvalidInput,
    StaleVersion,
    WriteConflict,
)
from application.log_reader import LogReader
from application.recorded import (
    Assessed,
    ComplaintFiled,
    Recognised,
    Recorded,
    Registered,
    SponsorshipStarted,
)
from domain import events
from domain.ethnicity import EthnicityCatalogue, UnknownEthnicityError, load_ethnicities
from domain.household import Entry, Household, household_id_for
from domain.situation import (
    Situation,
    area_type_on,
    contradicts_assessment,
    live_facts,
    timeline,
    unit_on,
)
from domain.standards import (
    Classification,
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

Decision = Callable[[Household, Entry], None]
"""What a command asks of the loaded household: check its invariants and trigger the fact."""


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
        return LogReader(self, page_size).originator_ids(topics=[get_topic(events.Registered)])

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

    def register(self, command: c.RegisterHousehold) -> Registered:
        """Đăng ký hộ: a code registers once; a second attempt is a :class:`DuplicateHousehold`."""
        resolved_unit = self.commune(command.unit, command.effective_on)
        self._area_type_of(resolved_unit, command.area_type)
        canonical = self._ethnicity(command.ethnicity)
        code = nfc(command.code)
        hid = household_id_for(code)
        batch = _batch.get()
        if (batch is not None and hid in batch) or hid in self.repository:
            raise DuplicateHousehold(code, str(hid))
        household = Household.register(
            self._entry(command.effective_on, command.recorded_by),
            code=code,
            unit=resolved_unit.code,
            village=command.village,
            head_name=command.head_name,
            ethnicity=canonical,
            ethnic_minority=self.ethnicities.is_minority(canonical),
            members=[dict(m) for m in command.members],
            area_type=resolved_unit.area_type,
        )
        if batch is not None:
            batch[hid] = household
        else:
            try:
                self.save(household)
            except IntegrityError:
                raise DuplicateHousehold(code, str(hid)) from None
        recorded = self._recorded(household)
        return Registered(**vars(recorded), code=household.facts[0].code)

    def change_member(self, command: c.ChangeMember) -> Recorded:
        """Biến động nhân khẩu."""
        return self._fact(
            command,
            lambda h, e: h.change_member(
                e, change=command.change, member=dict(command.member), reason=command.reason
            ),
        )

    def relocate(self, command: c.Relocate) -> Recorded:
        """Chuyển nơi ở: the new unit must be a commune valid on ``effective_on``."""
        resolved = self.commune(command.unit, command.effective_on)
        self._area_type_of(resolved, command.area_type)
        return self._fact(
            command,
            lambda h, e: h.relocate(
                e, unit=resolved.code, village=command.village, area_type=resolved.area_type
            ),
        )

    def assess(self, command: c.Assess) -> Assessed:
        """Rà soát: classify under the standard that applies and record both."""
        try:
            selection = self.standards.resolve_review(
                command.effective_on,
                kind=command.kind,
                list_year=command.list_year,
                standard=command.standard,  # type: ignore[arg-type]
            )
        except (ClassificationInputError, UnknownStandardError) as e:
            where = getattr(e, "field", None) or ("standard" if command.standard else "list_year")
            raise InvalidInput(where, str(e)) from None
        classified: list[Classification] = []

        def decide(h: Household, entry: Entry) -> None:
            area_type = self._area_type_on(h, command.effective_on)
            try:
                classification = selection.standard.classify(
                    area_type, command.income_per_capita, [nfc(d) for d in command.deprivations]
                )
            except ClassificationInputError as e:
                field_name = "income_per_capita" if "income" in str(e) else "deprivations"
                raise InvalidInput(field_name, str(e)) from None
            classified[:] = [classification]
            h.assess(
                entry,
                kind=selection.kind,
                list_year=selection.list_year,
                standard=selection.standard.code,
                area_type=area_type,
                income_per_capita=command.income_per_capita,
                deprivations=list(classification.deprivations),
                classification={
                    "status": classification.status,
                    "route": classification.route,
                    "thresholds": dict(classification.thresholds),
                },
                assessor=command.assessor,
                form=command.form,
                standards_version=self.standards.data_version,
            )

        recorded = self._fact(command, decide)
        return Assessed(
            **vars(recorded),
            classification=classified[0],
            kind=selection.kind,
            list_year=selection.list_year,
            standard=selection.standard.code,
        )

    def recognise(self, command: c.Recognise) -> Recognised:
        """Quyết định công nhận: the answer carries the transition it makes."""
        year, standard = self._decision_year(command.effective_on, command.list_year)
        decided: list[Household] = []

        def decide(h: Household, entry: Entry) -> None:
            decided[:] = [h]
            h.recognise(
                entry,
                status=command.status,
                decision_number=command.decision_number,
                list_year=year,
                standard=standard,
                signed_by=command.signed_by,
            )

        self._fact(command, decide)
        return self._with_transition(decided[0])

    def recognise_many(self, command: c.RecogniseMany) -> list[Recognised]:
        """One commune decision for many households, all or nothing (one transaction)."""
        on, unit = command.effective_on, command.unit
        self.commune(unit, on)
        year, standard = self._decision_year(on, command.list_year)
        for attempt in range(MAX_ATTEMPTS):
            loaded: dict[uuid.UUID, Household] = {}
            for i, item in enumerate(command.items):
                hid = self.household_id(str(item.household))
                if hid in loaded:
                    raise InvalidInput(f"items.{i}.household_id", "a household appears twice")
                household = self.get(hid)
                where = unit_on(self.units, household.situation(on), on).code
                if not self.units.contains(unit, where, on):
                    raise InvalidInput(
                        f"items.{i}.household_id", f"household is not in unit {unit}"
                    )
                try:
                    household.recognise(
                        self._entry(on, command.recorded_by),
                        status=item.status,
                        decision_number=command.decision_number,
                        list_year=year,
                        standard=standard,
                        signed_by=command.signed_by,
                    )
                except ValueError as e:
                    field_name = getattr(e, "field", "status")
                    raise InvalidInput(
                        f"items.{i}.{field_name}", getattr(e, "message", str(e))
                    ) from None
                loaded[hid] = household
            if self._save_all(loaded.values(), attempt):
                return [self._with_transition(h) for h in loaded.values()]
        raise WriteConflict("the batch kept colliding with other writers")

    def deliver_support(self, command: c.DeliverSupport) -> Recorded:
        """Hỗ trợ."""
        return self._fact(
            command,
            lambda h, e: h.deliver_support(
                e,
                category=command.category,
                programme=command.programme,
                funding_source=command.funding_source,
                amount_vnd=command.amount_vnd,
                in_kind=command.in_kind,
                provider=command.provider,
            ),
        )

    def start_sponsorship(self, command: c.StartSponsorship) -> SponsorshipStarted:
        """Phân công giúp đỡ: the answer carries the new ``sponsorship_id``."""
        sponsorship_id = str(uuid.uuid4())
        sponsor = dict(command.sponsor)
        if sponsor.get("unit"):
            self._unit(sponsor["unit"], command.effective_on, field_name="sponsor.unit")
        recorded = self._fact(
            command,
            lambda h, e: h.start_sponsorship(e, sponsorship_id=sponsorship_id, sponsor=sponsor),
        )
        return SponsorshipStarted(**vars(recorded), sponsorship_id=sponsorship_id)

    def end_sponsorship(self, command: c.EndSponsorship) -> Recorded:
        """End a sponsorship."""
        return self._fact(
            command,
            lambda h, e: h.end_sponsorship(
                e, sponsorship_id=command.sponsorship_id, reason=command.reason
            ),
        )

    def register_exit(self, command: c.RegisterExit) -> Recorded:
        """Đăng ký thoát nghèo: only for a household poor or near-poor on its date."""

        def decide(h: Household, entry: Entry) -> None:
            on = entry.effective_on
            status = h.situation(on).status
            if status not in ("poor", "near_poor"):
                raise InvalidInput(
                    "effective_on",
                    f"the household is {status} on {on.isoformat()}; only a poor or near-poor "
                    "household registers to exit poverty",
                )
            h.register_exit(entry, target_year=command.target_year, plan=command.plan)

        return self._fact(command, decide)

    def file_complaint(self, command: c.FileComplaint) -> ComplaintFiled:
        """Khiếu nại: the answer carries the new ``complaint_id``."""
        complaint_id = str(uuid.uuid4())
        recorded = self._fact(
            command,
            lambda h, e: h.file_complaint(
                e,
                complaint_id=complaint_id,
                complainant=command.complainant,
                subject=command.subject,
                text=command.text,
            ),
        )
        return ComplaintFiled(**vars(recorded), complaint_id=complaint_id)

    def resolve_complaint(self, command: c.ResolveComplaint) -> Recorded:
        """The outcome of a complaint."""
        return self._fact(
            command,
            lambda h, e: h.resolve_complaint(
                e, complaint_id=command.complaint_id, outcome=command.outcome, note=command.note
            ),
        )

    def inspect(self, command: c.Inspect) -> Recorded:
        """Kiểm tra."""
        return self._fact(
            command,
            lambda h, e: h.inspect(
                e,
                team=command.team,
                findings=[dict(f) for f in command.findings],
                outcome=command.outcome,
                plan_id=command.plan_id,
            ),
        )

    def close_household(self, command: c.CloseHousehold) -> Recorded:
        """Đóng hồ sơ."""
        return self._fact(command, lambda h, e: h.close(e, reason=command.reason))

    def retract(self, command: c.Retract) -> Recorded:
        """Hủy bỏ: void an earlier fact from now on."""
        return self._update(
            command,
            self.today(),
            lambda h, e: h.retract(e, version=command.version, reason=command.reason),
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

    def _entry(self, effective_on: date, recorded_by: str) -> Entry:
        """What the fact shares with every other: its date, its author, the server's clock."""
        return Entry(effective_on, nfc(recorded_by), self.now(), self.today())

    def _fact(self, command: c.FactCommand, decide: Decision) -> Recorded:
        return self._update(command, command.effective_on, decide)

    def _update(
        self, command: c.HouseholdCommand, effective_on: date, decide: Decision
    ) -> Recorded:
        """Load, decide, save; retry on a concurrent write unless a version was pinned."""
        expected = command.expected_version
        batch = _batch.get()
        for attempt in range(MAX_ATTEMPTS):
            household = self.get(command.household)
            if expected is not None and household.version != expected:
                raise StaleVersion(expected, household.version)
            decide(household, self._entry(effective_on, command.recorded_by))
            if batch is not None:
                batch[household.id] = household
                return self._recorded(household)
            try:
                self.save(household)
            except RecordConflictError:
                if expected is not None:
                    raise StaleVersion(expected, expected + 1) from None
                _backoff(attempt)
                continue
            return self._recorded(household)
        raise WriteConflict(f"household {command.household} kept changing under concurrent writers")

    def _save_all(self, households: Iterable[Household], attempt: int) -> bool:
        """Save these households in one transaction (or add them to the open batch); False
        after a collision with another writer (the caller reloads and tries again)."""
        batch = _batch.get()
        if batch is not None:
            batch.update((h.id, h) for h in households)
            return True
        try:
            self.save(*households)
        except RecordConflictError:
            if attempt + 1 == MAX_ATTEMPTS:
                raise WriteConflict("the batch kept colliding with other writers") from None
            _backoff(attempt)
            return False
        return True

    def _recorded(self, household: Household) -> Recorded:
        last = household.facts[-1]
        return Recorded(str(household.id), household.version, last.timestamp)

    def _with_transition(self, household: Household) -> Recognised:
        """The answer to a recognition: the transition it makes on its date."""
        decision = next(p for p in timeline(household.facts) if p.version == household.version)
        contradicts = contradicts_assessment(live_facts(household.facts), decision)
        return Recognised(
            **vars(self._recorded(household)),
            transition=decision.transition,
            status=decision.status,
            contradicts_assessment=contradicts,
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
