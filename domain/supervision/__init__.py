"""Supervision (thanh tra, kiểm tra): explained anomalies, the re-poverty early-warning score,
separation of duties and plan sampling — pure functions over one household's facts.

The facts given are those recorded by the moment of the scan; each rule is evaluated **as known
when the fact that triggers it was recorded**, never with hindsight: the household's situation is
taken from :func:`domain.situation.fold` over the facts recorded up to that fact
(``known_at = fact.timestamp``), on the fact's own date (``as_of = fact.effective_on``).

One rule per module (:mod:`.reserved_programme`, :mod:`.contradiction`, :mod:`.re_poverty`,
:mod:`.sponsor_gap`, :mod:`.exit_support`, :mod:`.double_funding`, :mod:`.late_entry`,
:mod:`.self_retraction`, :mod:`.assessor_sponsor`), each with a ``find`` function over a
:class:`~.history.History`; :func:`~.anomalies.household_anomalies` runs them. The rules' codes,
severities and numbers are in :mod:`.rules`, the programmes reserved to poor households in
:mod:`.programmes` (data), the score in :mod:`.risk`, sampling in :mod:`.sampling`.

A trigger fact later voided by a retraction still yields its anomaly (that is what the record
said then), with ``corrected_by`` naming the retraction, and ``open`` false.
"""

from domain.supervision.anomalies import household_anomalies
from domain.supervision.assessor_sponsor import active_sponsorships
from domain.supervision.duties import duty_conflict
from domain.supervision.history import Anomaly, History, exits_before, status_on, truncate
from domain.supervision.programmes import (
    ProgrammeCatalogue,
    ProgrammeDataError,
    ProgrammeRule,
    load_programmes,
)
from domain.supervision.risk import (
    SCORE_WEIGHTS,
    RiskScore,
    ScoreComponent,
    fell_back_within,
    precision_at,
    risk_score,
    roc_auc,
)
from domain.supervision.rules import (
    LIMITS,
    RULE_CODES,
    RULES,
    SEVERITY_POINTS,
    SEVERITY_RANK,
    Limits,
    Rule,
)
from domain.supervision.sampling import Candidate, Drawn, allocate, stratified_sample
from domain.supervision.sponsor_gap import Gap, sponsor_gaps
from domain.supervision.text import (
    add_months,
    end_of_day,
    fact_ref,
    fold_text,
    local_date,
    months_between,
    person_keys,
)

__all__ = [
    "LIMITS",
    "RULES",
    "RULE_CODES",
    "SCORE_WEIGHTS",
    "SEVERITY_POINTS",
    "SEVERITY_RANK",
    "Anomaly",
    "Candidate",
    "Drawn",
    "Gap",
    "History",
    "Limits",
    "ProgrammeCatalogue",
    "ProgrammeDataError",
    "ProgrammeRule",
    "RiskScore",
    "Rule",
    "ScoreComponent",
    "active_sponsorships",
    "add_months",
    "allocate",
    "duty_conflict",
    "end_of_day",
    "exits_before",
    "fact_ref",
    "fell_back_within",
    "fold_text",
    "household_anomalies",
    "load_programmes",
    "local_date",
    "months_between",
    "person_keys",
    "precision_at",
    "risk_score",
    "roc_auc",
    "sponsor_gaps",
    "status_on",
    "stratified_sample",
    "truncate",
]
