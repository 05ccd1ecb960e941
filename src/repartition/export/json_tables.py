"""The JSON document of a charter's decision tables, as its schema (`tables.schema.json`) describes it."""

from __future__ import annotations

import datetime as _dt
import json
from functools import cache
from importlib.resources import files

from .. import model as m
from .rows import (FORMAT, FORMAT_VERSION, Codes, DatesApart, DecisionRows, InIntervals, Interval, InValues, IsKnown,
                   IsUnknown, Linear, Membership, Ref, Row, field_kind, json_value, unit_value)

__all__ = ["to_dict", "to_json", "schema", "SCHEMA_FILE", "CONDITION"]

#: The JSON Schema (draft 2020-12) of the document, shipped beside this module.
SCHEMA_FILE = "tables.schema.json"


@cache
def schema() -> dict:
    """The document's JSON Schema."""
    return json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def to_json(rows: DecisionRows) -> str:
    """The document as indented UTF-8 JSON text (French keys, accents kept)."""
    return json.dumps(to_dict(rows), ensure_ascii=False, indent=2) + "\n"


def to_dict(rows: DecisionRows) -> dict:
    """The charter, its declarations, and the rows of every service, ready for `json.dumps`."""
    model = rows.model
    return {
        "format": FORMAT,
        "version_du_format": FORMAT_VERSION,
        "charte": {
            "titre": model.title,
            "reference": model.reference,
            "version": model.version,
            "en_vigueur_du": _date(model.valid_from),
            "en_vigueur_au": _date(model.valid_to),
            "sha256": model.sha256,
        },
        "donnees": [_field(f) for f in model.fields],
        "ensembles": [{"nom": ref.name, "valeurs": sorted(codes)}
                      for ref, codes in rows.code_lists.items() if ref.kind == "ensemble"],
        "tables": [_table(t) for t in model.tables],
        "regles": [_rule(model, r) for r in model.rules],
        "services": [
            {"code": s.code, "libelle": s.label,
             "unite": None if s.unit is None else {"table": s.unit.table.name, "donnee": s.unit.field.machine},
             "lignes": [_row(r) for g in rows.groups if g.service == s.code for r in g.rows]}
            for s in model.services
        ],
        "cas_non_tranches": [_row(r) for g in rows.groups if g.service is None for r in g.rows],
    }


def _date(ordinal: int | None) -> str | None:
    return None if ordinal is None else _dt.date.fromordinal(ordinal).isoformat()


def _field(f: m.Field) -> dict:
    out = {"nom": f.machine, "libelle": f.label, "type": field_kind(f), "peut_etre_inconnue": f.may_be_unknown}
    kind = f.type
    if isinstance(kind, m.EnumType):
        out["valeurs"] = [{"nom": v.machine, "libelle": v.label} for v in kind.values]
    elif isinstance(kind, (m.IntType, m.MoneyType)):
        out["min"] = json_value(unit_value(f, kind.minimum))
        out["max"] = json_value(unit_value(f, kind.maximum))
    if f.has_default:
        out["par_defaut"] = json_value(unit_value(f, f.default))
    return out


def _table(table: m.Table) -> dict:
    return {"nom": table.name, "fichier": table.path, "cle": table.key_column, "valeur": table.value_column,
            "code_absent": table.missing, "sha256": table.sha256, "lignes": dict(sorted(table.mapping.items()))}


def _rule(model: m.CharterModel, rule: m.Rule) -> dict:
    return {"nom": rule.name, "service": rule.service.code, "texte": rule.text, "reference": rule.reference,
            "par_exception_a": [model.rules[i].name for i in rule.overrides], "par_defaut": rule.is_default,
            "partenaires": [s.code for s in rule.partners]}


def _row(row: Row) -> dict:
    return {"conditions": [CONDITION.visit(c) for c in row.conditions], "issue": row.kind,
            "service": row.service, "regle": row.rule, "regles": list(row.rules), "reference": row.reference,
            "partenaires": list(row.partners)}


class _Conditions:
    """One method per kind of condition (`rows.CONDITIONS`): its JSON object."""

    def visit(self, condition) -> dict:
        return getattr(self, "visit_" + type(condition).__name__)(condition)

    def visit_InIntervals(self, c: InIntervals) -> dict:
        return {"donnee": c.field, "type": "intervalles", "intervalles": [_interval(i) for i in c.intervals],
                "ou_inconnue": c.or_unknown}

    def visit_InValues(self, c: InValues) -> dict:
        return {"donnee": c.field, "type": "valeurs", "valeurs": list(c.values), "ou_inconnue": c.or_unknown}

    def visit_Membership(self, c: Membership) -> dict:
        return {"donnee": c.field, "type": "appartenance", "dans": [_ref(r) for r in c.inside],
                "hors": [_ref(r) for r in c.outside], "ou_inconnue": c.or_unknown}

    def visit_Codes(self, c: Codes) -> dict:
        return {"donnee": c.field, "type": "codes", "codes": list(c.codes), "sauf": c.excluded,
                "ou_inconnue": c.or_unknown}

    def visit_IsKnown(self, c: IsKnown) -> dict:
        return {"donnee": c.field, "type": "connue"}

    def visit_IsUnknown(self, c: IsUnknown) -> dict:
        return {"donnee": c.field, "type": "inconnue"}

    def visit_Linear(self, c: Linear) -> dict:
        return {"type": "lineaire", "termes": [{"donnee": t.field, "coefficient": t.coefficient} for t in c.terms],
                "comparaison": c.op, "borne": json_value(c.bound)}

    def visit_DatesApart(self, c: DatesApart) -> dict:
        return {"type": "ecart_de_dates", "apres": c.later, "avant": c.earlier, "mois": c.months, "jours": c.days,
                "comparaison": c.op}


#: The JSON form of each kind of condition.
CONDITION = _Conditions()


def _interval(interval: Interval) -> dict:
    out = {}
    if interval.low is not None:
        out["min"] = json_value(interval.low.value)
        out["min_inclus"] = interval.low.inclusive
    if interval.high is not None:
        out["max"] = json_value(interval.high.value)
        out["max_inclus"] = interval.high.inclusive
    return out


def _ref(ref: Ref) -> dict:
    return {ref.kind: ref.name}
