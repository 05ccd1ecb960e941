"""What routing returns: the service, the rules behind it, and its French explanation, built lazily."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .schema import json_value

if TYPE_CHECKING:  # pragma: no cover
    from .charter import Charter
    from .model import Field
    from .semantics import Outcome

__all__ = ["Decision", "ValidatedHousehold"]


#: Most explanation frames (`Decision._frame`) a charter keeps; it starts afresh beyond.
FRAMES_LIMIT = 4096


def fact_text(field: "Field", value: Any) -> str:
    """One fact as the explanation shows it: « label : value in French »."""
    return f"{field.label} : {field.text(value)}"


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


class Decision:
    """The service a household goes to, and why: an immutable value made by `Charter.route`.

    Two decisions are equal when they say the same thing: same charter content (its sha256),
    service, unit, deciding and set-aside rules, facts and assumed defaults; equal decisions
    have equal `to_dict()`. A decision pickles with its charter (see `Charter`). Its costly
    parts (facts, explanation, indicators) are computed on first access: making one must cost
    next to nothing in batch routing, so generated code fills its first five slots directly
    (through the C recorder of `runtime`, or `__init__` where it is not built).
    """

    __slots__ = ("_charter", "_outcome", "_values", "_assumed", "_unit",
                 "_conditions_cache", "_set_aside_cache", "_facts_cache", "_explanation_cache",
                 "_indicators_cache")
    #: The slots a decision is made of, in the order of `__init__`'s arguments.
    STATE = ("_charter", "_outcome", "_values", "_assumed", "_unit")

    _charter: "Charter"
    _outcome: "Outcome"
    _values: tuple[Any, ...]
    _assumed: tuple[str, ...]
    _unit: str | None

    def __init__(self, charter: "Charter", outcome: "Outcome", values: tuple[Any, ...],
                 assumed: tuple[str, ...], unit: str | None) -> None:
        self._charter = charter
        self._outcome = outcome
        self._values = values
        self._assumed = assumed
        self._unit = unit

    # ---- what it says ----
    @property
    def service(self) -> str:
        """The code of the service the household goes to."""
        return self._outcome.service  # type: ignore[return-value]  # always set in a Decision

    @property
    def service_label(self) -> str:
        return self._charter._labels[self.service]

    @property
    def unit(self) -> str | None:
        """The service's sub-unit (e.g. territorial unit), or None."""
        return self._unit

    @property
    def assumed(self) -> tuple[str, ...]:
        """Machine names of absent fields whose default was assumed."""
        return self._assumed

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule that decides, in file order (for a default decision: the default rule)."""
        names = self._charter._rule_names
        return tuple(names[i] for i in self._outcome.rules)

    @property
    def rule(self) -> str:
        """The deciding rule's name (the first of `rules`)."""
        return self._charter._rule_names[self._outcome.rules[0]]

    @property
    def partners(self) -> tuple[str, ...]:
        """Codes of the services informed « en lien avec » the service (the deciding rules' partners)."""
        return self._charter._semantics.partners(self._outcome)

    @property
    def reference(self) -> str | None:
        """The deciding rule's `référence` in the charter, if it has one."""
        return self._charter.rules[self._outcome.rules[0]].reference

    @property
    def charter(self) -> "Charter":
        """The charter that decided."""
        return self._charter

    @property
    def charter_sha256(self) -> str:
        return self._charter.sha256

    def _conditions(self) -> tuple[bool | None, ...]:
        """Every rule's condition for this household (computed once; only a decision by default,
        with rules that might apply too, needs them)."""
        try:
            return self._conditions_cache
        except AttributeError:
            self._conditions_cache: tuple[bool | None, ...] = self._charter._backend.conditions(self._values)
            return self._conditions_cache

    @property
    def _set_aside(self) -> tuple[int, ...]:
        try:
            return self._set_aside_cache
        except AttributeError:
            charter = self._charter
            found: tuple[int, ...] = ()
            if charter._has_exceptions:  # without exceptions no rule is ever set aside
                found = charter._backend.set_aside(self._outcome, self._values)
            self._set_aside_cache: tuple[int, ...] = found
            return found

    @property
    def set_aside(self) -> tuple[str, ...]:
        """Rules whose condition holds but that an applying exception sets aside."""
        names = self._charter._rule_names
        return tuple(names[i] for i in self._set_aside)

    def _facts_fields(self) -> tuple["Field", ...]:
        """The fields the deciding and set-aside rules read, in declaration order (shared per charter)."""
        charter = self._charter
        key = (self._outcome.rules, self._set_aside)
        found = charter._facts_fields.get(key)
        if found is None:
            used = set().union(*(charter._fields_read[i] for i in (*key[0], *key[1])))
            found = charter._facts_fields[key] = tuple(f for f in charter.fields if f.index in used)
        return found

    @property
    def facts(self) -> Mapping[str, object]:
        """Machine name → value of each field read by the deciding and set-aside rules' conditions."""
        try:
            return self._facts_cache
        except AttributeError:
            values = self._values
            found = MappingProxyType({f.machine: f.external(values[f.index]) for f in self._facts_fields()})
            self._facts_cache: Mapping[str, object] = found
            return found

    @property
    def indicators(self) -> Mapping[str, bool | None]:
        """The charter's indicators for this household: true, false or None (unknown)."""
        try:
            return self._indicators_cache
        except AttributeError:
            values = self._charter._backend.indicators(self._values)
            found = MappingProxyType({ind.name: value for ind, value in zip(self._charter.indicators, values)})
            self._indicators_cache: Mapping[str, bool | None] = found
            return found

    @property
    def explanation(self) -> str:
        """A French sentence citing the charter: service, rule and its text, exceptions, facts."""
        try:
            return self._explanation_cache
        except AttributeError:
            self._explanation_cache: str = self._explain()
            return self._explanation_cache

    def _explain(self) -> str:
        before, after = self._frame()
        values = self._values
        return before + ", ".join(fact_text(f, values[f.index]) for f in self._facts_fields()) + after

    def _shape(self) -> tuple[Any, ...]:
        """All that a decision says but its facts' values: deciding rules (hence partners), unit, rules
        set aside, assumed defaults, and which of the further deciding rules hold for sure. Decisions of one shape differ
        only in `faits` and in the facts of `explication` (the service builds its answers on this)."""
        rules = self._outcome.rules
        holds: tuple[bool, ...] = ()
        if len(rules) > 1:
            if self._charter.rules[rules[0]].is_default:  # the others might apply: do they hold?
                conditions = self._conditions()
                holds = tuple(conditions[i] is True for i in rules[1:])
            else:  # deciding rules all hold
                holds = (True,) * (len(rules) - 1)
        return (rules, self._unit, self._set_aside, self._assumed, holds)

    def _frame(self) -> tuple[str, str]:
        """The explanation around its facts: it is `before + ", ".join(fact_text(…) of each fact) + after`,
        the same `before` and `after` for every decision of one shape (kept per charter, bounded)."""
        shape = self._shape()
        frames = self._charter._frames
        found = frames.get(shape)
        if found is None:
            if len(frames) >= FRAMES_LIMIT:
                frames.clear()
            found = frames[shape] = self._make_frame(*shape)
        return found

    def _make_frame(self, rules: tuple[int, ...], unit: str | None, set_aside: tuple[int, ...],
                    assumed: tuple[str, ...], holds: tuple[bool, ...]) -> tuple[str, str]:
        charter = self._charter
        names = charter._rule_names
        rule = charter.rules[rules[0]]
        where = f" (ligne {rule.line})" if rule.line else ""
        kind = "la règle par défaut" if rule.is_default else "la règle"
        unit_text = f", unité « {unit} »" if unit else ""
        named = [f"{code} ({charter._labels[code]})" for code in self.partners]  # the rules' partners
        partners = (", en lien avec " + (", ".join(named[:-1]) + " et " + named[-1] if len(named) > 1
                                         else named[0])) if named else ""
        head = (f"Le ménage relève du service {self.service} ({self.service_label}){unit_text}{partners}, "
                f"en application de {kind} « {rule.name} »{where}")
        head += f" : « {rule.text} »" if rule.text else "."
        if rule.text and not rule.text.endswith((".", "!", "?")):
            head += "."
        before = [head]
        # Besides the deciding rule: rules that hold too, or that might (a value is unknown).
        also = [f"« {names[i]} »" for i, sure in zip(rules[1:], holds) if sure]
        maybe = [f"« {names[i]} »" for i, sure in zip(rules[1:], holds) if not sure]
        if also:
            before.append("S'appliquent aussi : " + ", ".join(also) + ".")
        if maybe:
            before.append("Pourraient aussi s'appliquer (une donnée est inconnue), avec le même service : "
                          + ", ".join(maybe) + ".")
        if set_aside:
            before.append("Écartée(s) par exception : " + ", ".join(f"« {names[i]} »" for i in set_aside) + ".")
        after = []
        if assumed:  # an assumed field holds its default: the same value in every decision of the shape
            named = charter._field_named
            values = self._values
            shown = ", ".join(f"{named[k].label} ({named[k].text(values[named[k].index])})" for k in assumed)
            after.append(f"Valeurs supposées par défaut : {shown}.")
        version = f", version {charter.version}" if charter.version else ""
        after.append(f"Charte « {charter.title} »{version}.")
        if self._facts_fields():
            return " ".join(before) + " Données retenues : ", ". " + " ".join(after)
        return " ".join(before) + " ", " ".join(after)

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON-ready data, with French keys, as the CLI and the service give it.

        - ``service``, ``libelle_service``: the service's code and label;
        - ``unite``: its sub-unit, or None;
        - ``regle``, ``reference``: the deciding rule's name and its `référence` (or None);
        - ``regles``: every deciding rule; ``regles_ecartees``: rules set aside by an exception;
        - ``partenaires``: codes of the services informed « en lien avec » the service (the deciding rules' partners);
        - ``faits``: machine name → value of each field the rules read (amounts as exact
          decimal text such as "1234.50", dates as "AAAA-MM-JJ", unknown values as None);
        - ``valeurs_par_defaut``: absent fields whose default was assumed;
        - ``explication``: the French explanation;
        - ``charte``: ``{"titre", "version", "sha256"}`` of the charter that decided.
        """
        charter = self._charter
        values = self._values
        return {
            "service": self.service,
            "libelle_service": self.service_label,
            "unite": self._unit,
            "regle": self.rule,
            "reference": self.reference,
            "regles": list(self.rules),
            "regles_ecartees": list(self.set_aside),
            "partenaires": list(self.partners),
            "faits": {f.machine: json_value(f, values[f.index]) for f in self._facts_fields()},
            "valeurs_par_defaut": list(self._assumed),
            "explication": self.explanation,
            "charte": {"titre": charter.title, "version": charter.version, "sha256": charter.sha256},
        }

    # ---- a value ----
    def _content(self) -> tuple[Any, ...]:
        outcome = self._outcome
        return (self._charter.sha256, outcome.service, outcome.rules, self._unit, self._assumed,
                self._set_aside, tuple(self.facts.items()))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Decision:
            return NotImplemented
        return self._content() == other._content()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._content())

    def __reduce__(self) -> tuple[Any, ...]:
        return Decision, (self._charter, self._outcome, self._values, self._assumed, self._unit)

    def __repr__(self) -> str:
        unit = f", unit={self._unit!r}" if self._unit is not None else ""
        return f"Decision(service={self.service!r}, rule={self.rule!r}{unit})"
