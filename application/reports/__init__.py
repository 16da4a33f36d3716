"""Report use cases: poverty, annual review, campaign and emulation, one module per report.

* :mod:`.sources` — the port (census and flows) and the replay source that folds every household;
* :mod:`.scope` — which households a unit holds on a date (historical units or today's);
* :mod:`.tally` — counting and rates; :mod:`.targets` — the campaign's targets;
* :mod:`.poverty`, :mod:`.annual`, :mod:`.series`, :mod:`.campaign` (with
  :mod:`.campaign_figures`), :mod:`.emulation` — the reports;
* :mod:`.service` — :class:`Reports`, the use cases the API and the command line call.
"""

from application.reports.annual import annual_report
from application.reports.errors import ReportError
from application.reports.poverty import poverty_report
from application.reports.service import Reports
from application.reports.sources import (
    FLOW_TRANSITIONS,
    MOVEMENTS,
    REPORTED_TRANSITIONS,
    CensusRow,
    FlowRow,
    ReplaySource,
    ReportSource,
    load_histories,
)
from application.reports.tally import percent

__all__ = [
    "FLOW_TRANSITIONS",
    "MOVEMENTS",
    "REPORTED_TRANSITIONS",
    "CensusRow",
    "FlowRow",
    "ReplaySource",
    "ReportError",
    "ReportSource",
    "Reports",
    "annual_report",
    "load_histories",
    "percent",
    "poverty_report",
]
