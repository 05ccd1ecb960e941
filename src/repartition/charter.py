"""The embedding API: load a charter, validate households, route them to exactly one service."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from types import CodeType
from typing import Mapping

from . import cache as _cache
from . import model as m
from .decision import Decision, ValidatedHousehold
from .dsl.loader import Generated, load
from .errors import (CharterError, CharterNotProven, Diagnostic, InvalidHousehold, NoDecision,
                     RepartitionError, Span, os_reason, source_line)
from .semantics import DECIDED, Outcome, Semantics

# A charter found in the compiled-charter cache needs none of the parser (nor Lark), the checker,
# the code generator or the proof: those modules are imported where a charter is compiled.

__all__ = ["Charter", "load_charter", "ENGINES"]

#: The two backends: generated Python (default) and the reference interpreter.
ENGINES = ("compile", "interprete")


def load_charter(path: str | Path, *, verify: bool = True, engine: str = "compile",
                 date: object = None, cache: bool = True) -> "Charter":
    """Read, check and compile a rule file; table files are found relative to its folder.

    Given a folder of versions (or a `date`), the version in force at that date (today by
    default) is chosen, as `repartition.versions.load_charter` explains. With `cache` (and unless
    REPARTITION_CACHE=0), an unchanged charter is taken from the compiled-charter cache
    (`repartition.cache`) instead of being compiled and proven again.
    """
    path = Path(path)
    if date is not None or path.is_dir():
        from .versions import load_charter as load_version  # versions imports this module

        return load_version(path, date=date, verify=verify, engine=engine, cache=cache)
    raw, text = read_charter_file(path)
    return Charter._build(text, str(path), path.parent, raw, verify, engine, cache)


def _compile_text(text: str, name: str, base_dir: Path | None, raw: bytes) -> tuple[m.CharterModel, str]:
    """Parse and check a charter's text: its model, and the text as prepared for messages."""
    from .dsl.builder import build_ast
    from .dsl.checker import check
    from .dsl.parser import parse_tree, prepare_text

    prepared = prepare_text(text)
    tree = build_ast(parse_tree(prepared, name), name)
    return check(tree, prepared, base_dir, hashlib.sha256(raw)), prepared


def read_charter_file(path: Path) -> tuple[bytes, str]:
    """A rule file's bytes and text; a French, located CharterError if it cannot be read as UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CharterError([Diagnostic(f"impossible de lire la charte « {path} » : {os_reason(error)}")]) from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = raw.rfind(b"\n", 0, error.start) + 1  # the bad byte's line, up to it, decodes
        shown = raw[start:error.start].decode("utf-8", "replace")
        line = raw.count(b"\n", 0, start) + 1
        span = Span(str(path), line, len(shown) + 1, line, len(shown) + 2)
        reason = f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02X} illisible)"
        raise CharterError([Diagnostic(reason, span, shown)]) from None


class Charter:
    """A checked, compiled charter. Build it with `load_charter` or `Charter.from_text`."""

    @classmethod
    def from_text(cls, text: str, *, name: str, base_dir: str | Path | None = None,
                  verify: bool = True, engine: str = "compile", cache: bool = True) -> "Charter":
        """A charter from its text; `name` appears in messages, `base_dir` locates its tables;
        `cache` as `load_charter` says."""
        base = Path(base_dir) if base_dir is not None else None
        return cls._build(text, name, base, text.encode("utf-8"), verify, engine, cache)

    @classmethod
    def _build(cls, text: str, name: str, base_dir: Path | None, raw: bytes, verify: bool,
               engine: str, cache: bool = True) -> "Charter":
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        slot = _cache.CharterSlot(name, base_dir, raw) if cache and _cache.charters_enabled() else None
        entry = slot.load() if slot is not None else None
        if entry is not None:
            charter = cls(entry.model, entry.text, engine, generated=entry.generated, code=entry.code)
        else:
            charter = cls(*_compile_text(text, name, base_dir, raw), engine)
        verified = entry is not None and entry.verified
        if verify and not verified:
            try:
                charter._verify()
            except RepartitionError:
                if slot is not None and entry is None:
                    charter._store(slot, verified=False)  # spare the next load the compiling
                raise
            verified = True
        if slot is not None and (entry is None or verified != entry.verified):
            charter._store(slot, verified)
        return charter

    def __init__(self, model: m.CharterModel, text: str, engine: str = "compile", *,
                 generated: Generated | None = None, code: CodeType | None = None):
        """A charter from its checked model; `generated` (and its `code`) as the cache gives them."""
        self.model = model
        self._text = text
        self._semantics = Semantics(model)
        self.engine = engine
        self._units = {s.code: s.unit for s in model.services if s.unit is not None}
        hooks = {"_C": self, "_refuse": self._refuse, "_unit": self._unit, "_decision": self._decision,
                 "_foreign": _foreign, "_not_a_mapping": _not_a_mapping}
        if generated is None:
            from .dsl.codegen import generate

            generated = generate(model, self._semantics)
        compiled = load(generated, self._semantics, hooks, code)
        self._validate = compiled.validate
        if engine == "compile":
            self._backend = compiled
            # The generated function does all that the method below does, minus one call per household.
            self.route = compiled.route
        else:
            self._backend = _Interpreted(model, self._semantics)
        self._decide = self._backend.decide
        self._compiled = compiled
        self._labels = {s.code: s.label for s in model.services}
        self._rule_names = tuple(r.name for r in model.rules)

    def _store(self, slot: _cache.CharterSlot, verified: bool) -> None:
        compiled = self._compiled
        slot.save(_cache.CharterEntry(self.model, self._text, compiled.generated, compiled.code, verified))

    @functools.cached_property
    def _fields_read(self) -> tuple[frozenset[int], ...]:
        """For each rule, the indices of the fields its condition reads (none for the default rule)."""
        from .dsl.lowering import fields_of, lower

        return tuple(frozenset() if r.condition is None else fields_of(lower(r.condition))
                     for r in self.model.rules)

    # ---- what the charter declares ----
    @property
    def title(self) -> str:
        return self.model.title

    @property
    def version(self) -> str | None:
        return self.model.version

    @property
    def sha256(self) -> str:
        """sha256 of the charter file and its table files, in declaration order."""
        return self.model.sha256

    @property
    def rules(self) -> tuple[m.Rule, ...]:
        return self.model.rules

    @property
    def services(self) -> dict[str, str]:
        """Service code → French label."""
        return dict(self._labels)

    @property
    def fields(self) -> tuple[m.Field, ...]:
        return self.model.fields

    @property
    def indicators(self) -> tuple[m.Indicator, ...]:
        return self.model.indicators

    @property
    def examples(self) -> tuple[m.Example, ...]:
        return self.model.examples

    @property
    def source(self) -> str:
        """The generated Python source of this charter's functions."""
        return self._compiled.source

    @property
    def decide(self):
        """The decision function itself: `decide(validated.values)` returns the rule's Outcome."""
        return self._decide

    # ---- routing ----
    def validate(self, household: Mapping[str, object]) -> ValidatedHousehold:
        """Read a household (CSV/JSON field names); raise InvalidHousehold naming field and value."""
        try:
            values, assumed = self._validate(household)
        except TypeError:
            _not_a_mapping(household)
        return ValidatedHousehold(values, assumed, self.model.sha256)

    def route(self, household: Mapping[str, object] | ValidatedHousehold) -> Decision:
        """The service for a household; NoDecision if the charter does not route it."""
        if type(household) is ValidatedHousehold:
            return self._route_validated(household)
        try:
            values, assumed = self._validate(household)
        except TypeError:
            _not_a_mapping(household)
        return self._decision(self._decide(values), values, assumed)

    def _route_validated(self, household: ValidatedHousehold) -> Decision:
        if household.charter_sha256 != self.model.sha256:
            _foreign(household)
        return self._decision(self._decide(household.values), household.values, household.assumed)

    def _decision(self, outcome: Outcome, values: tuple, assumed: tuple[str, ...]) -> Decision:
        if outcome.kind != DECIDED:  # not `is`: an outcome from the cache has its own strings
            self._refuse(outcome)
        unit = None
        if outcome.service in self._units:
            unit = self._unit(outcome.service, values[self._units[outcome.service].field.index])
        return Decision.make(self, outcome, values, assumed, unit)

    def _refuse(self, outcome: Outcome):
        raise self._no_decision(outcome)

    def _no_decision(self, outcome: Outcome) -> NoDecision:
        names = tuple(self._rule_names[i] for i in outcome.rules)
        services = tuple(dict.fromkeys(self.model.rules[i].service.code for i in outcome.rules))
        return NoDecision(outcome.kind, names, services)

    def _unit(self, service: str, code: str | None) -> str | None:
        """The service's sub-unit for a code, from its table (or the table's fallback)."""
        unit = self._units[service]
        found = unit.table.mapping.get(code) if code is not None else None
        if found is not None:
            return found
        if unit.table.missing is not None:
            return unit.table.missing
        raise InvalidHousehold(unit.field.machine, code,
                               f"un code présent dans la table « {unit.table.name} » ({unit.table.path})")

    # ---- examples ----
    def check_examples(self) -> list[Diagnostic]:
        """One diagnostic per example whose household does not get the expected service and rule."""
        from .examples import run_examples

        return [Diagnostic(f"l'exemple « {r.example.name} » attend {r.expected_text}, la charte donne "
                           f"{r.obtained_text}", r.example.span,
                           source_line(self._text, r.example.span.line) if r.example.span else None)
                for r in run_examples(self) if not r.passed]

    def _verify(self) -> None:
        problems = self.check_examples()
        if problems:
            raise CharterError(problems)
        from .proof import verify  # imported on first use: verify=False never loads the proof

        report = verify(self)
        if not report.ok:
            raise CharterNotProven(report.errors, [self._located(p) for p in report.errors])

    def _located(self, problem) -> Diagnostic:
        """A proof problem as a diagnostic pointing at its first rule in the charter's text."""
        rules = {r.name: r for r in self.model.rules}
        span = rules[problem.rules[0][0]].span if problem.rules else None
        return problem.diagnostic(span, source_line(self._text, span.line) if span else None)

    def __repr__(self) -> str:
        return f"<Charter {self.title!r} version {self.version!r} ({len(self.rules)} règles)>"


class _Interpreted:
    """The reference backend: the interpreter walks each rule's condition."""

    def __init__(self, model: m.CharterModel, semantics: Semantics):
        from .dsl.interpreter import Interpreter

        self._interpreter = Interpreter()
        self._rules = model.rules
        self._indicators = model.indicators
        self._semantics = semantics

    def conditions(self, values: tuple) -> tuple:
        return self._interpreter.conditions(self._rules, values)

    def indicators(self, values: tuple) -> tuple:
        return tuple(self._interpreter.evaluate(i.condition, values) for i in self._indicators)

    def decide(self, values: tuple) -> Outcome:
        return self._semantics.resolve(self.conditions(values))


def _foreign(household: ValidatedHousehold):
    raise RepartitionError("ce ménage a été validé avec une autre charte")


def _not_a_mapping(household: object):
    """Reading failed with a TypeError: say the input is not a mapping (bugs of ours are not hidden)."""
    if isinstance(household, Mapping):
        raise  # noqa: PLE0704 - re-raise the TypeError being handled
    raise InvalidHousehold(None, household, "un objet associant chaque donnée à sa valeur") from None
