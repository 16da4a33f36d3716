"""``chungtay demo``: a reproducible synthetic history of Hạ Lang, 2016 → a year, on the real write path.

A tool, not a use case: it drives the application's commands like a district's officers would.

Every fact goes through the :class:`~application.households.Households` commands (register,
assess, recognise, deliver_support, ...) inside ``app.batch()`` blocks, so the demo exercises the
same invariants, classification and hash chain as the API. Recording time is simulated: the
application's clock is swapped for a :class:`SimulatedClock` that is set, before each command, to
the moment the fact was "entered" (a few days after it took effect; a few entries months late;
a few mistakes retracted and corrected weeks later), and restored afterwards.

The history is a function of ``(households, seed, to_year)`` and of the moment of generation only
through the cut-off: nothing is recorded after the application's clock at the start (facts not
yet "entered" by then are left out). Each household draws from its own random stream (seeded by
``seed`` and its code), so the facts do not depend on ``batch_size``.

The model, in short (everything deterministic with ``random.Random``):

* households in the 15 communes of 2016 (Thái Đức and Việt Chu included), sized by commune,
  registered in early 2016 (a few split-off households later), Nùng and Tày families with
  members and birth years;
* a baseline assessment and decision carrying over the end-2015 list, then every year a periodic
  review (1 Sep - 14 Dec) with income per capita growing ~8-15 %/yr with household noise and
  shocks, deprivations drawn from the indicators of the standard that applies (new indicators at
  the 2021 and 2026 reviews), and a commune decision for households on a list or changing status;
* support of every category, sponsorships from the 2017 campaign on, exit registrations, member
  changes, relocations, complaints, inspections, closures, late entries and corrections.
"""

from demo.run import (
    DemoRun,
    DemoRuns,
    SimulatedClock,
    StoreNotEmpty,
    generate_demo,
    store_is_empty,
)
from demo.summary import DemoSummary

__all__ = [
    "DemoRun",
    "DemoRuns",
    "DemoSummary",
    "SimulatedClock",
    "StoreNotEmpty",
    "generate_demo",
    "store_is_empty",
]
