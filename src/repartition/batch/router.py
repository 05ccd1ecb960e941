"""Routing raw records through a charter, remembering the outcome of each distinct set of raw values."""

from __future__ import annotations

from collections import Counter
from typing import Mapping

from ..charter import Charter
from ..errors import InvalidHousehold, NoDecision
from .writers import neutralise

__all__ = ["Routed", "Rejected", "Router", "RejectTally", "ABSENT", "MEMO_LIMIT", "has_units",
           "has_partners", "added_columns", "indicator_counts"]

#: Stands for a field the record does not carry (so that its default, if any, applies).
ABSENT = object()
#: How many distinct raw value combinations are remembered before the memo starts afresh.
MEMO_LIMIT = 1 << 15


def has_units(charter: Charter) -> bool:
    """Whether some service of the charter has sub-units (then routed rows get a `unite`)."""
    return any(s.unit is not None for s in charter.model.services)


def has_partners(charter: Charter) -> bool:
    """Whether some rule of the charter names services « en lien avec » (then rows get `partenaires`)."""
    return any(rule.partners for rule in charter.model.rules)


def added_columns(charter: Charter) -> tuple[str, ...]:
    """The columns (or JSON keys) a batch adds to each routed row, in order."""
    return (("service", "regle") + (("unite",) if has_units(charter) else ())
            + (("partenaires",) if has_partners(charter) else ()))


class Routed:
    """One distinct routing result (service, rule, unit, partners, indicators) and how many rows got it."""

    __slots__ = ("service", "rule", "unit", "partners", "indicators", "cells", "fields", "count")

    def __init__(self, service: str, rule: str, unit: str | None, indicators: tuple, with_unit: bool,
                 partners: tuple[str, ...] = (), with_partners: bool = False):
        self.service = service
        self.rule = rule
        self.unit = unit
        self.partners = partners
        #: The charter's indicators for these households: True, False or None (unknown).
        self.indicators = indicators
        #: The cells appended to a CSV row (already safe for a spreadsheet); partners joined by « | ».
        self.cells = ([neutralise(service), neutralise(rule)] + ([neutralise(unit or "")] if with_unit else [])
                      + (["|".join(partners)] if with_partners else []))
        #: The keys added to a JSON object.
        self.fields = {"service": service, "regle": rule, **({"unite": unit} if with_unit else {}),
                       **({"partenaires": list(partners)} if with_partners else {})}
        self.count = 0


class Rejected:
    """Why a record is not routed: the French message, its reason class and, if undecided, the kind."""

    __slots__ = ("message", "reason", "kind")

    def __init__(self, message: str, reason: str, kind: str | None = None):
        self.message = message
        #: A bounded label for counting rejects (the message itself names the value).
        self.reason = reason
        #: The NoDecision kind (lacune, conflit, indetermination) when the charter does not decide.
        self.kind = kind

    def __repr__(self) -> str:
        return f"Rejected({self.message!r})"


class Router:
    """Route records by the raw values of the charter's fields; equal raw values are routed once.

    Routing is a pure function of those values, so remembering outcomes changes nothing but
    speed; the memo is bounded (`MEMO_LIMIT`) so that memory stays constant on any input. It
    pays because the charter's fields take few distinct value combinations: on the `simple` file
    of `benchmarks/bench_batch.py` (300 000 rows), routing alone is about 3 times slower without
    it (copy/routing 0.58 instead of 1.80, processor time).
    """

    def __init__(self, charter: Charter, names: tuple[str, ...], *, limit: int = MEMO_LIMIT):
        self.charter = charter
        #: Machine names of the fields, in the order of the keys given to `lookup`.
        self.names = names
        self.with_unit = has_units(charter)
        self.with_partners = has_partners(charter)
        self.limit = limit
        #: Raw values → Routed or Rejected; read it directly in hot loops (`memo.get`).
        self.memo: dict = {}
        self._routed: dict[tuple, Routed] = {}

    @property
    def outcomes(self) -> tuple[Routed, ...]:
        """Every distinct routing result met so far, with its count, in order of first appearance."""
        return tuple(self._routed.values())

    def lookup(self, key, values: tuple) -> Routed | Rejected:
        """The outcome for raw `values` (in `names` order), remembered under `key`."""
        outcome = self.decide(self._household(values))
        if len(self.memo) >= self.limit:
            self.memo.clear()
        self.memo[key] = outcome
        return outcome

    def route_values(self, values: tuple) -> Routed | Rejected:
        """The outcome for typed (JSON) values in `names` order: `1` and `true` are not the same key."""
        try:
            key = (values, tuple([v.__class__ for v in values]))
            outcome = self.memo.get(key)
        except TypeError:  # a list or object as a value: not memoisable, route it directly
            return self.decide(self._household(values))
        return outcome if outcome is not None else self.lookup(key, values)

    def _household(self, values: tuple) -> dict[str, object]:
        return {n: v for n, v in zip(self.names, values) if v is not ABSENT}

    def decide(self, household: Mapping[str, object]) -> Routed | Rejected:
        """Route one household through the charter, turning its errors into a Rejected."""
        try:
            decision = self.charter.route(household)
        except InvalidHousehold as error:
            if error.missing:
                reason = f"donnée « {error.field} » absente"
            else:
                reason = f"valeur invalide pour « {error.field} »"
            return Rejected(str(error.diagnostic.message), reason)
        except NoDecision as error:
            rules = ", ".join(f"« {r} »" for r in error.rules)
            reason = f"non décidé par la charte : {NoDecision.LABELS[error.kind]}" + (f" ({rules})" if rules else "")
            return Rejected(f"la charte ne décide pas : {error.diagnostic.message}", reason, error.kind)
        indicators = tuple(decision.indicators.values())
        key = (decision.service, decision.rule, decision.unit, decision.partners, indicators)
        routed = self._routed.get(key)
        if routed is None:
            routed = self._routed[key] = Routed(decision.service, decision.rule, decision.unit,
                                                indicators, self.with_unit, decision.partners,
                                                self.with_partners)
        return routed


class RejectTally:
    """Counts of rejected records by reason, and of households the charter does not decide by kind."""

    def __init__(self):
        self.by_reason: Counter[str] = Counter()
        self.undecided: Counter[str] = Counter()

    def add(self, reason: str, kind: str | None = None) -> None:
        """Count one reject of this reason (and of this NoDecision kind, if any)."""
        self.by_reason[reason] += 1
        if kind is not None:
            self.undecided[kind] += 1

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def indicator_counts(charter: Charter, outcomes) -> tuple[dict[str, int], dict[str, int]]:
    """Per declared indicator: how many routed households have it true, and how many unknown."""
    names = [indicator.name for indicator in charter.indicators]
    true = dict.fromkeys(names, 0)
    unknown = dict.fromkeys(names, 0)
    for outcome in outcomes:
        for name, value in zip(names, outcome.indicators):
            if value is True:
                true[name] += outcome.count
            elif value is None:
                unknown[name] += outcome.count
    return true, unknown
