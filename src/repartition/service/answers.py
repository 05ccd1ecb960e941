"""The service's answers as bytes: each decision's JSON assembled from parts encoded once per shape and per fact.

A decision's JSON is `dumps(decision.to_dict())`, byte for byte (tests compare them on random
households of both bundled charters). Decisions of one *shape* (`Decision._shape`: deciding rules,
hence partners, unit, rules set aside, assumed defaults) differ only in their facts: in ``faits`` and in the facts
sentence of ``explication``. So the first decision of each shape gives, from its own `to_dict()`,
the encoded text around those two slots; each fact is encoded once per field and value, and JSON
escapes character by character, so the pieces join into the same bytes as encoding the whole.
"""

from __future__ import annotations

from typing import Any

from ..charter import Charter
from ..decision import Decision, fact_text
from ..errors import NoDecision
from ..model import Field
from ..schema import json_value
from .payloads import dumps, refusal_body

__all__ = ["Answers", "Answer", "SHAPES_LIMIT", "FACTS_LIMIT"]

#: Most shapes kept per charter, and most encoded values kept per field; each memo starts afresh beyond.
SHAPES_LIMIT = 4096
FACTS_LIMIT = 4096

#: (the answer's JSON, whether it is a decision, its log entry's members before the facts, the facts' JSON)
Answer = tuple[bytes, bool, bytes, bytes | None]


class _Shape:
    """What every decision of one shape shares, encoded: the JSON around `faits` and around the facts
    of `explication`, and the log entry's members."""

    __slots__ = ("fields", "head", "middle", "tail", "log")

    def __init__(self, decision: Decision, memos: dict[int, dict[Any, tuple[bytes, bytes]]]):
        body = decision.to_dict()
        before, after = decision._frame()
        # Each field with its memo of encoded values: (the `faits` member, the fact's text in `explication`).
        self.fields = tuple((f, memos[f.index]) for f in decision._facts_fields())
        slots = iter((b"faits", b"explication"))
        pieces, current, expected = [], b"{", next(slots)
        for number, (key, value) in enumerate(body.items()):
            name = dumps(key)
            current += (b"," if number else b"") + name + b":"
            if name[1:-1] == expected:
                pieces.append(current)
                current, expected = b"", next(slots, b"")
            else:
                current += dumps(value)
        if len(pieces) != 2:
            raise AssertionError(f"to_dict() lacks faits or explication: {list(body)}")
        self.head = pieces[0]
        self.middle = pieces[1] + b'"' + dumps(before)[1:-1]
        self.tail = dumps(after)[1:-1] + b'"' + current + b"}"
        self.log = b'"service":%s,"unite":%s,"regle":%s' % (
            dumps(body["service"]), dumps(body["unite"]), dumps(body["regle"]))


class Answers:
    """The JSON answers of one charter: decisions (from shapes and facts encoded once) and refusals."""

    def __init__(self, charter: Charter):
        self.charter = charter
        self._route = charter.route
        self._shapes: dict[tuple[Any, ...], _Shape] = {}
        self._facts: dict[int, dict[Any, tuple[bytes, bytes]]] = {f.index: {} for f in charter.fields}
        self._refusals: dict[tuple[str, tuple[str, ...]], Answer] = {}

    def answer(self, household: object) -> Answer:
        """The answer to a household as it was received: a decision or a refusal (see `Answer`);
        InvalidHousehold is raised as routing raises it."""
        try:
            decision = self._route(household)  # type: ignore[arg-type]
        except NoDecision as error:
            return self._refusal(error)
        key = decision._shape()
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shape(key, decision)
        values = decision._values
        members, texts = [], []
        for field, memo in shape.fields:
            value = values[field.index]
            encoded = memo.get(value)
            if encoded is None:
                encoded = _encode_fact(field, value, memo)
            members.append(encoded[0])
            texts.append(encoded[1])
        facts = b"{" + b",".join(members) + b"}"
        return (shape.head + facts + shape.middle + b", ".join(texts) + shape.tail, True, shape.log, facts)

    def _shape(self, key: tuple[Any, ...], decision: Decision) -> _Shape:
        if len(self._shapes) >= SHAPES_LIMIT:
            self._shapes.clear()
        shape = self._shapes[key] = _Shape(decision, self._facts)
        return shape

    def _refusal(self, error: NoDecision) -> Answer:
        """A refusal depends only on its kind and rules: encoded once each (few: a proven charter has none)."""
        key = (error.kind, error.rules)
        found = self._refusals.get(key)
        if found is None:
            if len(self._refusals) >= SHAPES_LIMIT:
                self._refusals.clear()
            body = refusal_body(error)
            log = b'"service":null,"erreur":"non_oriente","nature":%s,"regles":%s' % (
                dumps(body["nature"]), dumps(body["regles"]))
            found = self._refusals[key] = (dumps(body), False, log, None)
        return found


def _encode_fact(field: Field, value: Any, memo: dict[Any, tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """A fact's member of `faits` and its text in `explication`, as `to_dict()` and its JSON say them."""
    if len(memo) >= FACTS_LIMIT:
        memo.clear()
    encoded = memo[value] = (dumps(field.machine) + b":" + dumps(json_value(field, value)),
                             dumps(fact_text(field, value))[1:-1])
    return encoded
