"""What routing returns: the service, the rules behind it, and its French explanation, built lazily."""

from __future__ import annotations

import functools
from operator import itemgetter
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from .charter import Charter
    from .semantics import Outcome

__all__ = ["Decision", "ValidatedHousehold"]


class ValidatedHousehold:
    """A household read and checked against one charter: route it many times at no reading cost."""

    __slots__ = ("values", "assumed", "charter_sha256")

    def __init__(self, values: tuple, assumed: tuple[str, ...], charter_sha256: str):
        self.values = values
        self.assumed = assumed
        self.charter_sha256 = charter_sha256

    def __repr__(self) -> str:
        return f"ValidatedHousehold({self.values!r}, assumed={self.assumed!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValidatedHousehold):
            return NotImplemented
        return (self.values, self.assumed, self.charter_sha256) == (
            other.values, other.assumed, other.charter_sha256)

    def __hash__(self) -> int:
        return hash((self.values, self.assumed, self.charter_sha256))


class Decision(tuple):
    """The service a household goes to, and why. Costly parts are computed on first access.

    An immutable record made by `Charter.route`. It is a tuple underneath (charter, outcome,
    values, assumed, unit) because creating one must cost next to nothing in batch routing.
    """

    _charter = property(itemgetter(0))
    _outcome = property(itemgetter(1))
    _values = property(itemgetter(2))
    assumed = property(itemgetter(3), doc="Machine names of absent fields whose default was assumed.")
    unit = property(itemgetter(4), doc="The service's sub-unit (e.g. territorial unit), or None.")

    @classmethod
    def make(cls, charter: "Charter", outcome: "Outcome", values: tuple, assumed: tuple[str, ...],
             unit: str | None) -> "Decision":
        return tuple.__new__(cls, (charter, outcome, values, assumed, unit))

    @property
    def service(self) -> str:
        return self._outcome.service

    @property
    def service_label(self) -> str:
        return self._charter._labels[self._outcome.service]

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule that decides, in file order (for a default decision: the default rule)."""
        names = self._charter._rule_names
        return tuple(names[i] for i in self._outcome.rules)

    @property
    def rule(self) -> str:
        return self._charter._rule_names[self._outcome.rules[0]]

    @property
    def partners(self) -> tuple[str, ...]:
        """Codes of the services informed « en lien avec » the service (the deciding rules' partners)."""
        return self._charter._semantics.partners(self._outcome)

    @property
    def charter_sha256(self) -> str:
        return self._charter.sha256

    @functools.cached_property
    def _set_aside(self) -> tuple[int, ...]:
        charter = self._charter
        return charter._semantics.set_aside(charter._backend.conditions(self._values))

    @property
    def set_aside(self) -> tuple[str, ...]:
        """Rules whose condition holds but that an applying exception sets aside."""
        names = self._charter._rule_names
        return tuple(names[i] for i in self._set_aside)

    @functools.cached_property
    def facts(self) -> Mapping[str, object]:
        """Machine name → value of each field read by the deciding and set-aside rules' conditions."""
        charter = self._charter
        used = set().union(*(charter._fields_read[i] for i in (*self._outcome.rules, *self._set_aside)))
        return {f.machine: f.external(self._values[f.index]) for f in charter.fields if f.index in used}

    @functools.cached_property
    def indicators(self) -> Mapping[str, bool | None]:
        """The charter's indicators for this household: true, false or None (unknown)."""
        values = self._charter._backend.indicators(self._values)
        return {ind.name: value for ind, value in zip(self._charter.indicators, values)}

    @functools.cached_property
    def explanation(self) -> str:
        """A French sentence citing the charter: service, rule and its text, exceptions, facts."""
        charter = self._charter
        rule = charter.rules[self._outcome.rules[0]]
        where = f" (ligne {rule.line})" if rule.line else ""
        unit = f", unité « {self.unit} »" if self.unit else ""
        named = [f"{code} ({charter._labels[code]})" for code in self.partners]
        partners = ", en lien avec " + (", ".join(named[:-1]) + " et " + named[-1] if len(named) > 1
                                        else named[0]) if named else ""
        kind = "la règle par défaut" if rule.is_default else "la règle"
        parts = [f"Le ménage relève du service {self.service} ({self.service_label}){unit}{partners}, "
                 f"en application de {kind} « {rule.name} »{where}"]
        parts[0] += f" : « {rule.text} »" if rule.text else "."
        if rule.text and not rule.text.endswith((".", "!", "?")):
            parts[0] += "."
        if len(self.rules) > 1:
            # Besides the deciding rule: rules that hold too, or that might (a value is unknown).
            holds = charter._backend.conditions(self._values)
            names = charter._rule_names
            also = [f"« {names[i]} »" for i in self._outcome.rules[1:] if holds[i] is True]
            maybe = [f"« {names[i]} »" for i in self._outcome.rules[1:] if holds[i] is not True]
            if also:
                parts.append("S'appliquent aussi : " + ", ".join(also) + ".")
            if maybe:
                parts.append("Pourraient aussi s'appliquer (une donnée est inconnue), avec le même service : "
                             + ", ".join(maybe) + ".")
        if self.set_aside:
            parts.append("Écartée(s) par exception : " + ", ".join(f"« {n} »" for n in self.set_aside) + ".")
        fields = {f.machine: f for f in charter.fields}
        if self.facts:
            shown = ", ".join(f"{fields[k].label} : {fields[k].text(self._values[fields[k].index])}"
                              for k in self.facts)
            parts.append(f"Données retenues : {shown}.")
        if self.assumed:
            shown = ", ".join(f"{fields[k].label} ({fields[k].text(self._values[fields[k].index])})"
                              for k in self.assumed)
            parts.append(f"Valeurs supposées par défaut : {shown}.")
        version = f", version {charter.version}" if charter.version else ""
        parts.append(f"Charte « {charter.title} »{version}.")
        return " ".join(parts)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary (French keys, as the CLI prints it)."""
        return {
            "service": self.service,
            "libelle_service": self.service_label,
            "unite": self.unit,
            "partenaires": list(self.partners),
            "regle": self.rule,
            "regles": list(self.rules),
            "regles_ecartees": list(self.set_aside),
            "faits": {k: _jsonable(v) for k, v in self.facts.items()},
            "valeurs_par_defaut": list(self.assumed),
            "explication": self.explanation,
            "charte": {"titre": self._charter.title, "version": self._charter.version,
                       "sha256": self._charter.sha256},
        }

    def __repr__(self) -> str:
        return f"Decision(service={self.service!r}, rule={self.rule!r})"


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
