"""Knowledge time and retraction are interpreted in one place: the fold's module.

"Recorded by ``known_at``" and "voided by a retraction" are rules of the time model; they live in
``domain/situation.py`` (``known_facts``, ``recorded_by``, ``recorded_between``, ``known_prefix``,
``retractions``, ``unvoided``, ``live_facts``). This test reads the product's source and fails when
either is written out anywhere else: an ordering comparison on a fact's ``timestamp``, a bisection
keyed by ``timestamp``, or a loop that tests for ``Retracted`` and reads the voided ``version``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "infrastructure", "web", "demo")
FOLD = ROOT / "domain" / "situation.py"
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _sources() -> list[Path]:
    found = []
    for package in PACKAGES:
        found.extend(p for p in sorted((ROOT / package).rglob("*.py")) if p != FOLD)
    return found


def _is_timestamp(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "timestamp"


def _names_retracted(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Retracted") or (
        isinstance(node, ast.Attribute) and node.attr == "Retracted"
    )


def _tests_retracted(test: ast.AST, name: str) -> bool:
    """Whether ``test`` checks that ``name`` is a retraction (``type(x) is Retracted`` or
    ``isinstance(x, Retracted)``)."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and any(_names_retracted(c) for c in node.comparators):
            left = node.left
            if (
                isinstance(left, ast.Call)
                and isinstance(left.func, ast.Name)
                and left.func.id == "type"
                and left.args
                and isinstance(left.args[0], ast.Name)
                and left.args[0].id == name
            ):
                return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
            and any(_names_retracted(n) for n in ast.walk(node.args[1]))
        ):
            return True
    return False


def _reads_version(nodes: list[ast.AST], name: str) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == "version"
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        for node in nodes
        for n in ast.walk(node)
    )


def violations(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a tree writes out knowledge-time filtering or retraction voiding."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ORDERING) for op in node.ops)
            and any(_is_timestamp(x) for x in [node.left, *node.comparators])
        ):
            found.append((node.lineno, "a fact's timestamp compared (knowledge time)"))
        if isinstance(node, ast.Call) and any(
            k.arg == "key" and any(_is_timestamp(n) for n in ast.walk(k.value))
            for k in node.keywords
        ):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.startswith("bisect"):
                found.append((node.lineno, "a bisection by timestamp (knowledge time)"))
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            parts = [getattr(node, "elt", None) or node.key, getattr(node, "value", None)]
            for gen in node.generators:
                if not isinstance(gen.target, ast.Name):
                    continue
                var = gen.target.id
                read = [p for p in parts if p is not None] + list(gen.ifs)
                if any(_tests_retracted(t, var) for t in gen.ifs) and _reads_version(read, var):
                    found.append((node.lineno, "a comprehension that collects retracted versions"))
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            var = node.target.id
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.If)
                    and _tests_retracted(inner.test, var)
                    and _reads_version([inner.test, *inner.body], var)
                ):
                    found.append((inner.lineno, "a loop that collects retracted versions"))
    return found


def test_the_checker_finds_what_it_looks_for() -> None:
    caught = """
known = [f for f in facts if f.timestamp <= known_at]
n = bisect_right(facts, moment, key=lambda f: f.timestamp)
voided = {f.version for f in facts if type(f) is Retracted}
voided = {f.version: f for f in facts if isinstance(f, ev.Retracted)}
for f in facts:
    if type(f) is Retracted and f.version not in seen:
        seen[f.version] = f.originator_version
"""
    assert len(violations(ast.parse(caught))) == 5
    fine = """
late = (f.timestamp.date() - f.effective_on).days > 90
stamp = now if now > last else last
live = [f for f in facts if f.originator_version in kept and not isinstance(f, Retracted)]
if isinstance(target, ev.Retracted):
    raise FactRejected("version", "a retraction cannot be retracted")
"""
    assert violations(ast.parse(fine)) == []


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_time_rule_outside_the_fold(path: Path) -> None:
    found = violations(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {what}; use domain.situation" for line, what in found
    )
