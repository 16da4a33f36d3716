"""Plain-text tables of the reports and of the unit catalogue (``chungtay report …``, ``units``).

A unit version that did not last the whole period a table covers is labelled with its validity
("Xã Việt Chu (to 2020-02-29)", "Xã Thống Nhất (from 2020-03-01)"), so two versions of one code,
or two units of one name, never look alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def fmt(v: Any) -> str:
    """A cell: ``-`` for nothing, yes/no, two decimals, thousands separators."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def grid(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A left/right-aligned table (the first two columns are text)."""
    cells = [list(header)] + [[fmt(v) for v in r] for r in rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(
                str(v).ljust(w) if i < 2 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def unit_label(unit: Mapping[str, Any], first: str | None = None, last: str | None = None) -> str:
    """The unit's name, with its validity when it began after ``first`` or ended before
    ``last`` (ISO dates of the period the table covers)."""
    name = str(unit.get("name") or unit.get("code"))
    starts, ends = unit.get("valid_from"), unit.get("valid_to")
    if first is not None and starts and starts > first:
        return f"{name} (from {starts})"
    if last is not None and ends and ends < last:
        return f"{name} (to {ends})"
    return name


def title(report: Mapping[str, Any]) -> str:
    """``Huyện Hạ Lang (048)``."""
    unit = report["unit"]
    return f"{unit.get('name', unit.get('code'))} ({unit.get('code')})"


def own_label(report: Mapping[str, Any]) -> str:
    """The report's own row: ``total``, or for a province the households recorded in it."""
    return "households recorded" if report["unit"].get("level") == "province" else "total"


def _rows_below(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The child rows, without a row that is the report's unit itself (a commune's report)."""
    own = (report["unit"].get("code"), report["unit"].get("valid_from"))
    return [u for u in report["by_unit"] if (u["unit"]["code"], u["unit"]["valid_from"]) != own]


def poverty_text(report: Mapping[str, Any]) -> list[str]:
    """Households, poor and near-poor with rates, the unit then its child units."""
    day = report["as_of"]
    own = {**report, "ethnic_minority": report["by_ethnic_minority"]["ethnic_minority"]}
    rows = [
        [
            g["unit"].get("code"),
            own_label(report) if g is own else unit_label(g["unit"], day, day),
            g["households"],
            g["poor"],
            g["near_poor"],
            g["poor_rate"],
            g["near_poor_rate"],
            g["ethnic_minority"]["poor_rate"],
        ]
        for g in [own, *_rows_below(report)]
    ]
    header = ["unit", "name", "households", "poor", "near_poor", "poor_rate", "near_rate"]
    return [
        f"Poverty report, {title(report)}, as of {day}, known at {report['known_at']} "
        f"({report['units']} units)",
        grid([*header, "em_poor_rate"], rows),
    ]


def _annual_rows(report: Mapping[str, Any], keys: Sequence[str]) -> list[list[Any]]:
    groups = [report, *_rows_below(report)]
    return [
        [
            g["unit"]["code"],
            own_label(report)
            if g is report
            else unit_label(g["unit"], report["start"], report["end"]),
            *(g.get(k) for k in keys),
        ]
        for g in groups
    ]


POOR_COLUMNS = (
    ("households", "total_households_end"),
    ("poor_start", "poor_start"),
    ("exited", "exited_poverty"),
    ("re_poor", "re_poor"),
    ("newly", "newly_poor"),
    ("other", "other_poor_changes"),
    ("poor_end", "poor_end"),
    ("rate_start", "rate_start"),
    ("rate_end", "rate_end"),
    ("reduction_pp", "reduction_pp"),
    ("target_pp", "target_pp"),
    ("target_met", "target_met"),
)
NEAR_COLUMNS = (
    ("near_start", "near_poor_start"),
    ("exited", "exited_near_poverty"),
    ("to_poor", "poor_from_near_poor"),
    ("from_poor", "near_poor_from_poor"),
    ("newly", "newly_near_poor"),
    ("re_near", "re_near_poor"),
    ("other", "other_near_poor_changes"),
    ("near_end", "near_poor_end"),
)


def annual_text(report: Mapping[str, Any]) -> list[str]:
    """The year's figures: poor households, then near-poor, the unit then its child units."""
    em = report["ethnic_minority"]
    met = {True: "met", False: "not met", None: "not assessed"}[report["target_met"]]
    lines = [
        f"Annual review {report['year']}, {title(report)}: {report['start']} → {report['end']}, "
        f"standard {report['standard_start']} → {report['standard_end']}",
        f"  poor {fmt(report['poor_start'])} ({fmt(report['rate_start'])}%) → "
        f"{fmt(report['poor_end'])} ({fmt(report['rate_end'])}%); reduction "
        f"{fmt(report['reduction_pp'])} pp against a target of {report['target_pp']} pp: {met}",
        f"  ethnic minority: {fmt(em['rate_start'])}% → {fmt(em['rate_end'])}%, reduction "
        f"{fmt(em['reduction_pp'])} pp (national target {em['target_pp']})",
    ]
    if report["reduction_note"]:
        lines.append(f"  note: {report['reduction_note']}")
    lines += ["", "Poor households (hộ nghèo)"]
    lines.append(
        grid(
            ["unit", "name", *(h for h, _ in POOR_COLUMNS)],
            _annual_rows(report, [k for _, k in POOR_COLUMNS]),
        )
    )
    lines += ["", "Near-poor households (hộ cận nghèo)"]
    lines.append(
        grid(
            ["unit", "name", *(h for h, _ in NEAR_COLUMNS)],
            _annual_rows(report, [k for _, k in NEAR_COLUMNS]),
        )
    )
    return lines


def _summary_rows(report: Mapping[str, Any]) -> list[list[Any]]:
    rows = []
    for name, s in [("total", report["summary"])] + [
        (unit_label(u["unit"], None, report["summary"]["end_date"]), u["summary"])
        for u in report["by_unit"]
    ]:
        income = s["income"]
        rows.append(
            [
                name,
                s["rate_baseline"],
                s["rate_end"],
                s["average_reduction_pp"],
                s["target_pp"],
                s["target_met"],
                income["cohort_ratio"],
                income["met_min"],
                income["met_max"],
            ]
        )
    return rows


def campaign_text(report: Mapping[str, Any]) -> list[str]:
    """The summary over the span, then the figures of each year and unit."""
    s = report["summary"]
    lines = [
        f"Campaign {report['from_year']}–{report['to_year']}, {title(report)}",
        f"  summary from the list of {s['baseline_date']} to {s['end_date']} ({s['years']} "
        "years): average reduction per year against its target, income of the households "
        "poor at the baseline now ÷ then against ×1.5 and ×2",
        grid(
            ["unit", "rate_base", "rate_end", "avg_pp", "target", "met", "income_x", "x1.5", "x2"],
            _summary_rows(report),
        ),
        "",
    ]
    header = ["year", "unit", "reduction_pp", "target_met", "income_ratio", "sponsor_%"]
    header += ["exit_reg", "exited", "re_poor_2y_%", "support_vnd"]
    rows = []
    for y in report["years"]:
        first, last = f"{y['year'] - 1}-12-31", f"{y['year']}-12-31"
        blocks = [("total", y)] + [(unit_label(u["unit"], first, last), u) for u in y["by_unit"]]
        for name, blk in blocks:
            r = blk["reduction"] or {}
            rows.append(
                [
                    str(y["year"]),
                    name,
                    r.get("reduction_pp"),
                    r.get("target_met"),
                    blk["income"]["poor_ratio_to_baseline"],
                    blk["sponsorship"]["share"],
                    blk["exit_registrations"]["registered"],
                    blk["exit_registrations"]["exited"],
                    blk["re_poverty"]["share"],
                    blk["support"]["amount_vnd"],
                ]
            )
    lines.append(grid(header, rows))
    return lines


def emulation_text(report: Mapping[str, Any]) -> list[str]:
    """The communes ranked, with reasons, and the exemplary households."""
    lines = [f"Emulation {report['year']}, {title(report)}: {report['method']}"]
    for r in report["ranking"]:
        lines.append(
            f"{r['rank']:>3}. {r['unit']['name']} ({r['unit']['code']}), score {r['score']}"
        )
        lines.extend(f"       - {reason}" for reason in r["reasons"])
    lines.append(f"exemplary households: {len(report['exemplary_households'])}")
    lines.extend(
        f"  {h['code']} ({h['unit']['name']}): registered {h['exit_registered_on']}, exited "
        f"{h['exited_on']}" + ("" if h["window_complete"] else " (two-year window still open)")
        for h in report["exemplary_households"]
    )
    return lines


_TEXT = {
    "poverty": poverty_text,
    "annual": annual_text,
    "campaign": campaign_text,
    "emulation": emulation_text,
}


def report_text(report: Mapping[str, Any]) -> str:
    """Any report as text, with its notes and how current its source was."""
    lines = _TEXT[report["report"]](report)
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    src = report.get("source", {})
    if src.get("behind"):
        lines.append(f"note: the read models are {src['behind']} notification(s) behind the log")
    return "\n".join(lines)


def units_text(listing: Mapping[str, Any]) -> str:
    """The unit catalogue on a date: codes, names, levels, parents, validity and flags."""
    rows = []
    for u in listing["units"]:
        flags = u["flags"]
        marks = [
            name
            for name, on in (
                ("especially difficult", flags["especially_difficult"]),
                ("difficult", flags["difficult"]),
                ("border", flags["border"]),
            )
            if on
        ]
        rows.append(
            [
                u["code"],
                u["name"],
                u["level"],
                u["kind"],
                u["area_type"],
                u["parent"] or "",
                f"{u['valid_from']} – {u['valid_to'] or ''}",
                ", ".join(marks) + ("" if flags["verified"] else " (unverified)"),
            ]
        )
    header = ["code", "name", "level", "kind", "area", "parent", "valid", "flags on the date"]
    return (
        f"Administrative units valid on {listing['as_of']} (data {listing['data_version']})\n"
        + grid(header, rows)
    )
