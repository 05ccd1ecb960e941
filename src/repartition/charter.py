"""The embedding API: load a charter, validate households, route them to exactly one service."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from types import CodeType
from typing import Callable, Iterable, Mapping

from attrs import frozen

from . import cache as _cache
from . import model as m
from .decision import Decision, ValidatedHousehold
from .dsl.characters import visible
from .dsl.loader import Generated, load
from .errors import (CharterError, CharterNotProven, Diagnostic, InvalidHousehold, NoDecision,
                     RepartitionError, Span, os_reason, source_line)
from .keys import KeyCheck
from .schema import expected
from .semantics import DECIDED, Outcome, Semantics

# A charter found in the compiled-charter cache needs none of the parser (nor Lark), the checker,
# the code generator or the proof: those modules are imported where a charter is compiled.

__all__ = ["Charter", "load_charter", "ENGINES"]

#: The two backends: generated Python (default) and the reference interpreter.
ENGINES = ("compile", "interprete")


def load_charter(path: str | Path, *, verify: bool = True, engine: str = "compile",
                 date: object = None, strict: bool = False, expected_sha256: str | None = None,
                 cache: bool = True) -> "Charter":
    """Read, check and compile a rule file; its table files are read in its folder (or subfolders).

    Given a folder of versions (or a `date`), the version in force at that date (today by
    default) is chosen, as `repartition.versions.load_charter` explains. With `strict`, routing
    refuses any key of a household that the charter does not declare (a key that looks like a
    declared field the household lacks is refused in any case: `repartition.keys`). With
    `expected_sha256`, a charter whose content (rule file and tables) has another sha256 is
    refused with a CharterError (code ``empreinte``) before it is compiled. With `cache` (and unless
    REPARTITION_CACHE=0), an unchanged charter is taken from the compiled-charter cache
    (`repartition.cache`) instead of being compiled and proven again.
    """
    path = Path(path)
    if date is not None or path.is_dir():
        from .versions import load_charter as load_version  # versions imports this module

        return load_version(path, date=date, verify=verify, engine=engine, strict=strict,
                            expected_sha256=expected_sha256, cache=cache)
    raw, text = read_charter_file(path)
    return Charter._build(text, str(path), path.parent, raw, verify, engine, strict, path=path,
                          expected_sha256=expected_sha256, cache=cache)


def _compile_text(text: str, name: str, base_dir: Path | None, raw: bytes,
                  read_table: Callable) -> tuple[m.CharterModel, str]:
    """Parse and check a charter's text: its model, and the text as prepared for messages."""
    from .dsl.builder import build_ast
    from .dsl.checker import check
    from .dsl.parser import parse_tree, prepare_text

    prepared = prepare_text(text)
    tree = build_ast(parse_tree(prepared, name), name)
    return check(tree, prepared, base_dir, hashlib.sha256(raw), read_table), prepared


def _table_reader(tables: Mapping[str, bytes] | None, read: dict[str, bytes]) -> Callable:
    """How the checker reads table files: in the charter's folder, or from the bytes a pickled
    charter carries (`tables`, by path); each table's bytes are recorded in `read`."""
    from .dsl.tables import parse_table, read_table

    def read_one(decl, base: Path | None):
        where = str((base if base is not None else Path(".")) / decl.file)
        if tables is None:
            found = read_table(decl, base)
        elif where in tables:
            found = parse_table(decl, where, tables[where])
        else:
            raise CharterError([Diagnostic(f"fichier de table « {decl.file} » absent de la charte transmise",
                                           decl.span, code="charte")])
        read[where] = found.raw
        return found

    return read_one


def read_charter_file(path: Path) -> tuple[bytes, str]:
    """A rule file's bytes and text; a French, located CharterError if it cannot be read as UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CharterError([Diagnostic(f"impossible de lire la charte « {path} » : {os_reason(error)}",
                                       code="fichier")]) from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = raw.rfind(b"\n", 0, error.start) + 1  # the bad byte's line, up to it, decodes
        shown = visible(raw[start:error.start].decode("utf-8", "replace"))  # no control reaches a terminal
        line = raw.count(b"\n", 0, start) + 1
        span = Span(str(path), line, len(shown) + 1, line, len(shown) + 2)
        reason = f"le fichier n'est pas en UTF-8 (octet 0x{raw[error.start]:02X} illisible)"
        raise CharterError([Diagnostic(reason, span, shown, code="encodage")]) from None


class Charter:
    """A checked, compiled charter. Build it with `load_charter` or `Charter.from_text`.

    A charter pickles: the pickle carries its rule file's and tables' bytes, and the receiving
    process rebuilds it from them (checked, proven again if it was, compiled) once per content:
    charters rebuilt there are kept by sha256, so a worker of a process pool pays once.
    """

    @classmethod
    def from_text(cls, text: str, *, name: str, base_dir: str | Path | None = None,
                  verify: bool = True, engine: str = "compile", strict: bool = False,
                  expected_sha256: str | None = None, cache: bool = True) -> "Charter":
        """A charter from its text; `name` appears in messages. `base_dir` is the charter's folder
        (the current folder if None): its tables are read there, and only there. `strict`,
        `expected_sha256` and `cache` are as `load_charter` says."""
        base = Path(base_dir) if base_dir is not None else None
        # surrogatepass: a lone surrogate is then refused by the parser, located, not by `encode`
        return cls._build(text, name, base, text.encode("utf-8", "surrogatepass"), verify, engine, strict,
                          expected_sha256=expected_sha256, cache=cache)

    @classmethod
    def _build(cls, text: str, name: str, base_dir: Path | None, raw: bytes, verify: bool, engine: str,
               strict: bool = False, *, path: Path | None = None, expected_sha256: str | None = None,
               tables: Mapping[str, bytes] | None = None, cache: bool = True) -> "Charter":
        """Parse, check, compile and (if `verify`) prove, or take all that from the compiled-charter
        cache; `tables` gives the table files' bytes by path instead of reading them (a charter
        rebuilt from a pickle: the cache is then left aside, as it reads the files)."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        use_cache = cache and tables is None and _cache.charters_enabled()
        slot = _cache.CharterSlot(name, base_dir, raw) if use_cache else None
        found = slot.load() if slot is not None else None
        entry, generated, code = None, None, None
        if found is not None:
            entry, read = found
            model, prepared, generated, code = entry.model, entry.text, entry.generated, entry.code
        else:
            read = {}
            model, prepared = _compile_text(text, name, base_dir, raw, _table_reader(tables, read))
        if expected_sha256 is not None and model.sha256 != expected_sha256:
            raise CharterError([Diagnostic(f"la charte « {name} » n'a pas le contenu attendu : sha256 "
                                           f"{model.sha256} au lieu de {expected_sha256}", code="empreinte")])
        charter = cls(model, prepared, engine, strict=strict, origin=_Origin(name, raw, base_dir, path, read, verify),
                      generated=generated, code=code)
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

    def __init__(self, model: m.CharterModel, text: str, engine: str = "compile", *, strict: bool = False,
                 origin: "_Origin | None" = None, generated: Generated | None = None, code: CodeType | None = None):
        """A charter from its checked model; `generated` (and its `code`) as the cache gives them."""
        self.model = model
        self._origin = origin
        self._text = text
        self._semantics = Semantics(model)
        self.engine = engine
        #: Whether households may carry only the keys the charter declares (see `load_charter`).
        self.strict = strict
        self._keys = KeyCheck(model.fields, strict)
        self._units = {s.code: s.unit for s in model.services if s.unit is not None}
        hooks = {"_C": self, "_refuse": self._refuse, "_unit": self._unit, "_decision": self._decision,
                 "_foreign": _foreign, "_not_a_mapping": _not_a_mapping}
        tree = None
        if generated is None:
            from .dsl.codegen import generate

            generated, tree = generate(model, self._semantics)
        compiled = load(generated, self._semantics, hooks, code)
        compiled.tree = tree  # the proof carries on from it, then lets it go
        self._validate = compiled.validate
        if engine == "compile":
            self._backend = compiled
            if not strict:  # the generated function does all that the method below does, minus one call
                self.route = compiled.route
        else:
            self._backend = _Interpreted(model, self._semantics)
        self._decide = self._backend.decide
        self._compiled = compiled
        self._labels = {s.code: s.label for s in model.services}
        self._rule_names = tuple(r.name for r in model.rules)
        self._field_named = {f.machine: f for f in model.fields}
        # What decisions share, computed once: (deciding rules, set-aside rules) → the fields they read,
        # and a decision's shape → its explanation around the facts (see `Decision._frame`).
        self._facts_fields: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[m.Field, ...]] = {}
        self._frames: dict[tuple, tuple[str, str]] = {}
        self._has_exceptions = any(r.overrides for r in model.rules)

    def _store(self, slot: "_cache.CharterSlot", verified: bool) -> None:
        compiled = self._compiled
        slot.save(_cache.CharterEntry(self.model, self._text, compiled.generated, compiled.code, verified))

    @property
    def _fields_read(self) -> tuple[frozenset[int], ...]:
        """For each rule, the indices of the fields its condition reads (none for the default rule)."""
        return self._compiled.generated.fields_read

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
    def files(self) -> tuple[Path, ...]:
        """The files its content depends on: the rule file (unless built from text), then each table
        file, as read; `sha256` is the digest of their bytes."""
        origin = self._origin
        if origin is None:
            return ()
        return (*(() if origin.path is None else (origin.path,)), *(Path(t) for t in origin.tables))

    def matches_files(self) -> bool:
        """Whether each of `files` still holds the bytes this charter was built from."""
        origin = self._origin
        if origin is None:
            return True
        contents = ([] if origin.path is None else [(origin.path, origin.raw)]) + [
            (Path(t), raw) for t, raw in origin.tables.items()]
        try:
            return all(path.read_bytes() == raw for path, raw in contents)
        except OSError:
            return False

    @property
    def source(self) -> str:
        """The generated Python source of this charter's functions."""
        return self._compiled.source

    @property
    def decide(self):
        """The decision function itself: `decide(validated.values)` returns the rule's Outcome."""
        return self._decide

    # ---- routing ----
    def check_keys(self, names: Iterable[str]) -> None:
        """Refuse (InvalidHousehold) a set of keys, such as a file's columns, of which one looks like
        a declared field absent from them, or, in strict mode, is not declared."""
        self._keys.keys(names)

    def validate(self, household: Mapping[str, object]) -> ValidatedHousehold:
        """Read a household (CSV/JSON field names); raise InvalidHousehold naming field and value."""
        if self.strict:
            self._keys.undeclared(household)
        try:
            values, assumed = self._validate(household)
        except TypeError:
            _not_a_mapping(household)
        return ValidatedHousehold(values, assumed, self.model.sha256)

    def route(self, household: Mapping[str, object] | ValidatedHousehold) -> Decision:
        """The service for a household; NoDecision if the charter does not route it."""
        if type(household) is ValidatedHousehold:
            return self._route_validated(household)
        if self.strict:
            self._keys.undeclared(household)
            if self.engine == "compile":
                return self._compiled.route(household)
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
        if outcome.kind != DECIDED:  # equal, not identical: an outcome may come out of a pickle
            self._refuse(outcome)
        unit = None
        if outcome.service in self._units:
            unit = self._unit(outcome.service, values[self._units[outcome.service].field.index])
        return Decision(self, outcome, values, assumed, unit)

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
                               f"un code présent dans la table « {unit.table.name} » ({unit.table.path})",
                               code="code_hors_table", expected={**expected(unit.field), "table": unit.table.name})

    # ---- examples ----
    def check_examples(self) -> list[Diagnostic]:
        """One diagnostic per example whose household does not get the expected service and rule."""
        from .examples import run_examples

        return [Diagnostic(f"l'exemple « {r.example.name} » attend {r.expected_text}, la charte donne "
                           f"{r.obtained_text}", r.example.span,
                           source_line(self._text, r.example.span.line) if r.example.span else None,
                           code="exemple")
                for r in run_examples(self) if not r.passed]

    def _verify(self) -> None:
        problems = self.check_examples()
        if problems:
            raise CharterError(problems)
        from .proof import verify  # imported on first use: verify=False never loads the proof

        try:
            report = verify(self)
        finally:
            self._compiled.tree = None  # held for the proof only: it can be large
        if not report.ok:
            raise CharterNotProven(report.errors, [self._located(p) for p in report.errors])

    def _located(self, problem) -> Diagnostic:
        """A proof problem as a diagnostic pointing at its first rule in the charter's text."""
        rules = {r.name: r for r in self.model.rules}
        span = rules[problem.rules[0][0]].span if problem.rules else None
        return problem.diagnostic(span, source_line(self._text, span.line) if span else None)

    def __repr__(self) -> str:
        return f"<Charter {self.title!r} version {self.version!r} ({len(self.rules)} règles)>"

    def __reduce__(self) -> tuple[object, ...]:
        origin = self._origin
        if origin is None:
            raise TypeError("a Charter made from a model alone cannot be pickled: load it from its text")
        _REBUILT.keep(self)  # unpickled in this very process: the same charter
        return _rebuild, (self.sha256, self.engine, origin.verified, origin.name, origin.raw,
                          None if origin.base_dir is None else str(origin.base_dir),
                          None if origin.path is None else str(origin.path), dict(origin.tables), self.strict)


@frozen
class _Origin:
    """What a charter was built from: enough to rebuild it in another process."""

    name: str
    raw: bytes  # the rule file's bytes
    base_dir: Path | None
    path: Path | None
    tables: Mapping[str, bytes]  # each table file's bytes, by path, in the order read
    verified: bool


class _Rebuilt:
    """The charters of this process by content (sha256, engine, proof), for unpickling: bounded, thread-safe."""

    LIMIT = 32

    def __init__(self) -> None:
        self._charters: dict[tuple[str, str, bool, bool], Charter] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how many charters unpickling had to build in this process

    def get(self, key: tuple[str, str, bool, bool]) -> "Charter | None":
        with self._lock:
            return self._charters.get(key)

    def keep(self, charter: "Charter") -> None:
        assert charter._origin is not None
        key = (charter.sha256, charter.engine, charter._origin.verified, charter.strict)
        with self._lock:
            self._charters.pop(key, None)
            if len(self._charters) >= self.LIMIT:
                del self._charters[next(iter(self._charters))]  # the oldest
            self._charters[key] = charter


_REBUILT = _Rebuilt()


def _rebuild(sha256: str, engine: str, verified: bool, name: str, raw: bytes, base_dir: str | None,
             path: str | None, tables: dict[str, bytes], strict: bool = False) -> Charter:
    """Unpickling a charter: the one of this process with that content, else built from the bytes."""
    found = _REBUILT.get((sha256, engine, verified, strict))
    if found is None:
        found = Charter._build(raw.decode("utf-8"), name, None if base_dir is None else Path(base_dir), raw,
                               verified, engine, strict, path=None if path is None else Path(path),
                               expected_sha256=sha256, tables=tables)
        _REBUILT.builds += 1
        _REBUILT.keep(found)
    return found


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

    def set_aside(self, outcome: Outcome, values: tuple) -> tuple[int, ...]:
        """The rules set aside in a decision of that outcome, from the conditions its plan reads."""
        plan = self._semantics.aside_plan(outcome)
        seen: dict = {}
        rules, evaluate = self._rules, self._interpreter.evaluate
        return plan.select({r: evaluate(rules[r].condition, values, seen) for r in plan.reads})


def _foreign(household: ValidatedHousehold):
    raise RepartitionError("ce ménage a été validé avec une autre charte")


def _not_a_mapping(household: object):
    """Reading failed with a TypeError: say the input is not a mapping (bugs of ours are not hidden)."""
    if isinstance(household, Mapping):
        raise  # noqa: PLE0704 - re-raise the TypeError being handled
    raise InvalidHousehold(None, household, "un objet associant chaque donnée à sa valeur",
                           code="menage_illisible", expected={"type": "objet"}) from None
