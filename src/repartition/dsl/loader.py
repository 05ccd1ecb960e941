"""Running generated code: a charter's generated module, bound to the runtime and the Charter's hooks."""

from __future__ import annotations

import linecache
from types import CodeType, SimpleNamespace
from typing import Mapping

from attrs import frozen

from .. import model as m
from .. import runtime
from ..decision import Decision, ValidatedHousehold
from ..semantics import Semantics

__all__ = ["Generated", "CompiledCharter", "load"]


@frozen
class Generated:
    """What code generation makes of a charter, before it runs: data only, so that it pickles.

    `constants` are the values the source names that are not literals in it (outcomes, fields,
    sets of table keys, unit tables…); everything else it names is bound by `load`: the runtime,
    the memos of the reading and the Charter's hooks. The compiled-charter cache stores this, so
    a code generator that needs another value puts it in `constants` (picklable data) or in
    `_bindings` (objects of this process).
    """

    source: str
    filename: str
    strategy: str  # "arbre" (decision tree) or "lineaire" (every rule in turn)
    constants: Mapping[str, object]
    #: For each rule, the indices of the fields its condition reads (a decision's facts): known at
    #: generation, kept so that a charter from the cache needs no lowering to explain a decision.
    fields_read: tuple[frozenset[int], ...] = ()


class CompiledCharter(SimpleNamespace):
    """The functions compiled from a charter, with what they were made from."""

    generated: Generated
    code: CodeType
    source: str
    filename: str
    strategy: str
    tree: object  # the decision tree when just generated (the proof carries on from it), else None


def load(generated: Generated, semantics: Semantics, hooks: dict | None = None,
         code: CodeType | None = None) -> CompiledCharter:
    """Run a generated module (compiling its source unless `code` is given) and register its source
    in linecache, for tracebacks.

    `hooks` gives `route` its way out: `_C` (the Charter), `_refuse(outcome)` raising NoDecision,
    `_unit(service, code)`, `_decision(outcome, values, assumed)`, `_foreign(household)` (validated
    with another charter) and `_not_a_mapping(household)`, each raising the error it names.
    """
    source, filename = generated.source, generated.filename
    if code is None:
        code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {**_bindings(semantics), **generated.constants, **(hooks or {})}
    # One memo per field, fresh for each load: the reading adds the spellings it meets to it.
    namespace.update((f"_MEMO{f.index}", _seed(f)) for f in generated.constants["_FIELDS"])
    exec(code, namespace)
    return CompiledCharter(
        generated=generated, code=code, source=source, filename=filename, strategy=generated.strategy, tree=None,
        decide=namespace["decide"], validate=namespace["validate"], route=namespace["route"],
        conditions=namespace["conditions"], indicators=namespace["indicators"], set_aside=namespace["set_aside"],
    )


def _bindings(semantics: Semantics) -> dict[str, object]:
    """The objects of this process that generated code names. No builtins: it sees these names only.

    The C recorder (or the class itself) is bound now: a charter keeps the code it was generated for."""
    make = Decision if runtime.recorder is None else runtime.recorder(Decision, Decision.STATE)
    return {"__builtins__": {}, "_rt": runtime, "_MISSING": runtime.MISSING, "_Decision": make,
            "_ValidatedHousehold": ValidatedHousehold, "_resolve": semantics.resolve,
            "_set_aside": semantics.set_aside, "_int": int, "_str": str,
            "_float": float, "_round": round, "_len": len, "KeyError": KeyError, "TypeError": TypeError}


def _seed(field: m.Field) -> dict:
    """What the memo of a field knows in advance: native JSON values and the usual spellings.

    Only text is added later: True, 1 and 1.0 are equal keys, so a native key is seeded only where
    all its equals read the same (yes/no, where the JSON number 1.0 is the number 1).
    """
    seed: dict = {None: None} if field.may_be_unknown else {}
    if isinstance(field.type, m.BoolType):
        for truth, words in ((True, ("oui", "vrai", "true", "1")), (False, ("non", "faux", "false", "0"))):
            seed[truth] = truth
            for word in words:
                seed.update({word: truth, word.capitalize(): truth, word.upper(): truth})
    elif isinstance(field.type, m.EnumType):
        seed.update({v.machine: i for i, v in enumerate(field.type.values)})
    return seed
