"""Running a charter's examples one by one: what each expects, what it gets, which rules decide.

An example that gives every datum is routed like any household. A partial one (some data left
out) speaks for every household with the values it gives: the proof checks it over that whole
region (`proof.partial`) and, if it fails, shows a household that goes elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

from .errors import RepartitionError
from .model import Example

if TYPE_CHECKING:  # pragma: no cover - charter.py imports this module
    from .charter import Charter

__all__ = ["ExampleResult", "Coverage", "run_examples", "coverage", "household_text"]


@frozen
class ExampleResult:
    """One example routed: the expected service and rule, and what the charter gives."""

    example: Example
    service: str | None  # obtained service, None when the household is not routed
    rule: str | None  # obtained deciding rule (the first if several agree)
    rules: tuple[str, ...]  # every deciding rule
    error: str | None  # French message when the household is refused or not decided
    partners: tuple[str, ...] = ()  # obtained partners « en lien avec » the service
    #: For a failed partial example, a household with its values that goes elsewhere (JSON-style).
    counterexample: dict | None = None

    @property
    def passed(self) -> bool:
        expected = self.example
        return (self.error is None and self.service == expected.service
                and expected.rule in (None, self.rule)
                and (expected.partners is None or set(expected.partners) == set(self.partners)))

    @property
    def expected_text(self) -> str:
        """French: « CAF par « Familles allocataires » », « DEPARTEMENT en lien avec ADIL par « … » »."""
        rule, partners = self.example.rule, self.example.partners
        return (self.example.service + (_partners_text(partners) if partners is not None else "")
                + (f" par « {rule} »" if rule else ""))

    @property
    def obtained_text(self) -> str:
        """French: what the charter gives (for a failed partial example, with the household concerned)."""
        if self.error is not None:
            text = self.error
        else:
            shown = self.example.partners is not None or self.partners
            text = self.service + (_partners_text(self.partners) if shown else "")
            text += f" par « {self.rule} »" if self.rule else ""
        if self.counterexample is not None:
            text += f" pour le ménage {household_text(self.counterexample)}"
        return text


def household_text(household: dict) -> str:
    """A household on one line, by machine name: « enfants_a_charge = 2, aide_au_logement = oui »."""
    def shown(value) -> str:
        if value is None:
            return "inconnu"
        if value is True or value is False:
            return "oui" if value else "non"
        return str(value)

    return ", ".join(f"{k} = {shown(v)}" for k, v in household.items())


def _partners_text(partners: tuple[str, ...]) -> str:
    if not partners:
        return " sans partenaire"
    return " en lien avec " + (partners[0] if len(partners) == 1
                               else ", ".join(partners[:-1]) + " et " + partners[-1])


@frozen
class Coverage:
    """For each rule of the charter (file order), the names of the examples it decides."""

    rules: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def covered(self) -> int:
        return sum(1 for _, examples in self.rules if examples)

    @property
    def percent(self) -> float:
        """Share of rules covered, for display; compare with `reaches`, which is exact."""
        return 100.0 * self.covered / len(self.rules) if self.rules else 100.0

    def reaches(self, minimum) -> bool:
        """Whether at least `minimum` percent (int, Decimal or Fraction) of the rules are covered."""
        return 100 * self.covered >= minimum * len(self.rules)


def run_examples(charter: "Charter") -> list[ExampleResult]:
    """Route every example of the charter; failures are results, never exceptions."""
    results = []
    for example in charter.examples:
        if example.partial:
            from .proof.partial import check_example  # the proof is loaded when an example needs it

            results.append(check_example(charter, example))
            continue
        try:
            decision = charter.route(example.household)
        except RepartitionError as error:
            results.append(ExampleResult(example, None, None, (), error.diagnostic.message))
        else:
            results.append(ExampleResult(example, decision.service, decision.rule,
                                         tuple(decision.rules), None, decision.partners))
    return results


def coverage(charter: "Charter", results: list[ExampleResult]) -> Coverage:
    """Which examples each rule decides (a rule among the deciding ones counts)."""
    decided: dict[str, list[str]] = {rule.name: [] for rule in charter.rules}
    for result in results:
        for name in result.rules:
            decided[name].append(result.example.name)
    return Coverage(tuple((name, tuple(examples)) for name, examples in decided.items()))
