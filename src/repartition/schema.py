"""A charter for programs: its fields as structured data, and the JSON Schema (2020-12) of a household."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from . import model as m
from .values import INT_MAX, INT_MIN, MONEY_LIMIT

if TYPE_CHECKING:  # pragma: no cover
    from .charter import Charter

__all__ = ["expected", "jsonable", "json_value", "field_description", "charter_description",
           "household_schema", "JSON_SCHEMA_DIALECT"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DATE_FORMATS = ["AAAA-MM-JJ", "JJ/MM/AAAA"]


def _type_name(field_type: m.FieldType) -> str:
    """The name of a field type in structured data (`expected`, `GET /charte`)."""
    match field_type:
        case m.BoolType():
            return "oui_non"
        case m.IntType():
            return "entier"
        case m.MoneyType():
            return "montant"
        case m.DateType():
            return "date"
        case m.CodeType():
            return "code"
        case m.EnumType(ordered=ordered):
            return "etape" if ordered else "valeur"
    raise AssertionError(field_type)  # pragma: no cover


def jsonable(value: object) -> Any:
    """A value as a field's `external` gives it, made JSON: amounts as exact decimal text
    ("1234.50", never a binary float), dates in ISO form."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def json_value(field: m.Field, value: Any) -> Any:
    """An internal value (as `validate` reads it) as JSON carries it, as `jsonable` says; amounts
    straight from their cents (a decision's facts are made often)."""
    kind = field.type.__class__
    if value is None or kind is m.BoolType or kind is m.IntType or kind is m.CodeType:
        return value
    if kind is m.MoneyType:
        units, cents = divmod(abs(value), 100)
        return f"{'-' if value < 0 else ''}{units}.{cents:02d}"
    return jsonable(field.external(value))


def expected(field: m.Field) -> dict[str, Any]:
    """What a field accepts, as data: ``type``; ``min`` and ``max`` for numbers and amounts (None
    when unbounded; amounts as exact decimal text); ``valeurs`` for yes/no, stages and lists (the
    machine names); ``formats`` for dates; ``inconnu_possible``."""
    kind = field.type
    out: dict[str, Any] = {"type": _type_name(kind)}
    if isinstance(kind, (m.IntType, m.MoneyType)):
        out["min"] = None if kind.minimum is None else json_value(field, kind.minimum)
        out["max"] = None if kind.maximum is None else json_value(field, kind.maximum)
    elif isinstance(kind, m.EnumType):
        out["valeurs"] = [v.machine for v in kind.values]
    elif isinstance(kind, m.BoolType):
        out["valeurs"] = ["oui", "non"]
    elif isinstance(kind, m.DateType):
        out["formats"] = list(_DATE_FORMATS)
    out["inconnu_possible"] = field.may_be_unknown
    return out


def field_description(field: m.Field) -> dict[str, Any]:
    """A field for `GET /charte`: `expected` plus its name, label, default and value labels."""
    out: dict[str, Any] = {"nom": field.machine, "libelle": field.label, **expected(field)}
    if isinstance(field.type, m.EnumType):
        out["libelles_valeurs"] = {v.machine: v.label for v in field.type.values}
    out["par_defaut"] = field.has_default
    out["defaut"] = json_value(field, field.default) if field.has_default else None
    return out


def charter_description(charter: "Charter") -> dict[str, Any]:
    """Everything `GET /charte` shows: header, services, fields and rules with their texts."""
    from .render.sentences import condition_text  # the reviewers' wording, loaded when asked

    model = charter.model
    day = (lambda ordinal: None if ordinal is None else _dt.date.fromordinal(ordinal).isoformat())
    return {
        "titre": model.title,
        "reference": model.reference,
        "version": model.version,
        "validite": {"debut": day(model.valid_from), "fin": day(model.valid_to)},
        "sha256": model.sha256,
        "services": [{"code": s.code, "libelle": s.label,
                      "unites": None if s.unit is None else {"table": s.unit.table.name,
                                                             "champ": s.unit.field.machine}}
                     for s in model.services],
        "champs": [field_description(f) for f in model.fields],
        "regles": [{"nom": r.name, "service": r.service.code, "texte": r.text, "reference": r.reference,
                    "condition": condition_text(r.condition), "par_defaut": r.is_default,
                    "exception_a": [model.rules[i].name for i in r.overrides], "ligne": r.line}
                   for r in model.rules],
        "indicateurs": [i.name for i in model.indicators],
    }


def _euros(field: m.Field, cents: int) -> int | float:
    """A bound in euros as a JSON number (the schema's bounds; values themselves stay exact)."""
    return cents // 100 if cents % 100 == 0 else float(Decimal(cents).scaleb(-2))


def _value_schema(field: m.Field) -> dict[str, Any]:
    kind = field.type
    schema: dict[str, Any]
    if isinstance(kind, m.BoolType):
        schema = {"type": "boolean"}
    elif isinstance(kind, m.IntType):
        schema = {"type": "integer"}
    elif isinstance(kind, m.MoneyType):
        # JSON numbers, read exactly; at most two decimals (no JSON Schema keyword checks that
        # exactly: `multipleOf: 0.01` fails on binary floats such as 1234.56).
        schema = {"type": "number"}
    elif isinstance(kind, m.DateType):
        schema = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    elif isinstance(kind, m.CodeType):  # a shape is matched whole; a code of no shape is not blank
        schema = {"type": "string", "pattern": "\\S" if kind.pattern is None else f"^{kind.pattern}$"}
    else:
        schema = {"type": "string", "enum": [v.machine for v in kind.values]}
    if isinstance(kind, (m.IntType, m.MoneyType)):  # declared bounds, else the limits every backend holds
        bound = (lambda v: v) if isinstance(kind, m.IntType) else (lambda v: _euros(field, v))
        low, high = (INT_MIN, INT_MAX) if isinstance(kind, m.IntType) else (-MONEY_LIMIT, MONEY_LIMIT)
        schema["minimum"] = bound(low if kind.minimum is None else kind.minimum)
        schema["maximum"] = bound(high if kind.maximum is None else kind.maximum)
    if field.may_be_unknown:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def household_schema(charter: "Charter") -> dict[str, Any]:
    """The JSON Schema (2020-12) of a household as `route` and `POST /orienter` read it.

    It describes the canonical JSON forms: booleans, integers, amounts as numbers in euros, ISO
    dates, the machine names of stages and values, null for « inconnu » where a field may be
    unknown; fields with a default may be left out. The reading accepts more (« oui », numbers in
    text, labels…), so a household valid by this schema is one the reading accepts, except for
    amounts with more than two decimals and impossible dates (2026-02-30), which no keyword can
    rule out and which get the usual error.
    """
    model = charter.model
    properties = {}
    for field in model.fields:
        schema = {"title": field.label, "description": f"{field.label} : {field.type.expected}"
                  + (", peut être inconnu (null)" if field.may_be_unknown else ""),
                  **_value_schema(field)}
        if field.has_default:
            schema["default"] = _schema_default(field)
        properties[field.machine] = schema
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:repartition:menage:{model.sha256}",
        "title": f"Ménage — {model.title}",
        "description": f"Un ménage tel que la charte « {model.title} »"
                       + (f" (version {model.version})" if model.version else "") + " le lit.",
        "type": "object",
        "properties": properties,
        "required": [f.machine for f in model.fields if not f.has_default],
    }


def _schema_default(field: m.Field) -> Any:
    """The default as the schema's JSON type gives it (an amount as a number of euros)."""
    if isinstance(field.type, m.MoneyType) and field.default is not None:
        return _euros(field, field.default)  # type: ignore[arg-type]
    return json_value(field, field.default)
