"""The verifier's verdict on a charter, as its documentation shows it."""

from __future__ import annotations

from attrs import frozen

from ..charter import Charter
from ..proof import verify

__all__ = ["Finding", "Verdict", "verdict", "TITLE"]

#: What the verdict establishes: the proof, and the charter's own examples.
TITLE = "preuve : un seul service pour chaque ménage, et exemples"


@frozen
class Finding:
    message: str
    line: int | None  # line in the rule file
    severity: str = "erreur"  # or "avertissement"
    correction: str | None = None  # how to settle it, what to write and what it changes


@frozen
class Verdict:
    title: str
    ok: bool
    summary: str
    problems: tuple[Finding, ...]


def verdict(charter: Charter) -> Verdict:
    """The proof's problems (errors and warnings) and the examples that do not give their service."""
    examples = tuple(Finding(d.message, d.span.line if d.span else None) for d in charter.check_examples())
    report = verify(charter)
    found = tuple(Finding(p.text(), next((line for _, line in p.rules if line is not None), None), p.severity,
                          p.correction.text(p.region) if p.correction is not None else None)
                  for p in report.problems)
    ok = report.ok and not examples
    if ok:
        summary = ("Preuve faite : chaque ménage du domaine déclaré relève d'un seul service ; "
                   "les exemples donnent le service attendu.")
    else:
        errors = len(report.errors) + len(examples)
        summary = f"La vérification échoue : {errors} problème(s)."
    return Verdict(TITLE, ok, summary, found + examples)
