"""The verifier's verdict on a charter, as its documentation shows it."""

from __future__ import annotations

from attrs import frozen

from ..charter import Charter

__all__ = ["Finding", "Verdict", "verdict", "BASIC_TITLE", "PROOF_TITLE"]

#: The check every build can run: the file parsed, its names and types resolved, its examples routed.
BASIC_TITLE = "vérification : noms, types et exemples"
#: The check when the proof (`repartition.proof`) is installed.
PROOF_TITLE = "preuve : un seul service pour chaque ménage, et exemples"


@frozen
class Finding:
    message: str
    line: int | None  # line in the rule file
    severity: str = "erreur"  # or "avertissement"


@frozen
class Verdict:
    title: str
    ok: bool
    summary: str
    problems: tuple[Finding, ...]


def verdict(charter: Charter) -> Verdict:
    """The proof's verdict when `repartition.proof` is installed, else the names-types-examples check."""
    examples = tuple(Finding(d.message, d.span.line if d.span else None) for d in charter.check_examples())
    try:
        from ..proof import verify as prove  # the proof issue's entry point, when it is installed
    except ImportError:
        prove = None
    if prove is None:
        count = len(charter.examples)
        summary = (f"La charte se lit sans erreur ; ses {count} exemples donnent le service attendu."
                   if not examples else f"{len(examples)} exemple(s) sur {count} ne donnent pas le service attendu.")
        return Verdict(BASIC_TITLE, not examples, summary, examples)
    return _proof_verdict(prove(charter), examples)


def _proof_verdict(report, examples: tuple[Finding, ...]) -> Verdict:
    found = []
    for problem in report.problems:
        text = f"{problem.kind} : {problem.message} — région : {problem.region}"
        if problem.example is not None:
            text += " — exemple : " + ", ".join(f"{k} = {v}" for k, v in problem.example.items())
        line = next((line for _, line in problem.rules if line is not None), None)
        found.append(Finding(text, line, problem.severity))
    ok = report.ok and not examples
    errors = sum(f.severity == "erreur" for f in found) + len(examples)
    if ok:
        summary = "Preuve faite : chaque ménage du domaine déclaré relève d'un seul service ; les exemples donnent le service attendu."
    else:
        summary = f"La vérification échoue : {errors} problème(s)."
    return Verdict(PROOF_TITLE, ok, summary, tuple(found) + examples)
