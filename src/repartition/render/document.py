"""The whole charter as reviewers read it: one neutral description that the Sphinx directive and `documenter` both render."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from .. import model as m
from ..charter import Charter
from ..dsl.names import machine_name
from ..examples import ExampleResult, run_examples
from ..values import BadValue
from .graph import ExceptionGraph, exception_graph
from .sentences import condition_text, rule_sentence, type_text, unit_text, validity_text
from .tables import DecisionTables, decision_tables
from .verdict import Verdict, verdict

__all__ = [
    "FieldView", "ServiceView", "TableView", "ExampleView", "RuleView", "CharterDocument", "describe",
    "rule_anchor", "header_facts", "EXAMPLE_COLUMNS", "example_cells", "FALLBACK_NOTE", "ARROW_NOTE",
    "NO_EXCEPTION_NOTE", "Code", "Grid", "overview", "indicator_grid",
]

#: Columns of an examples table; `example_cells` gives a row.
EXAMPLE_COLUMNS = ("Exemple", "Ménage", "Attendu", "Obtenu")
#: Said above the decision tables when they fall back to each rule's own condition.
FALLBACK_NOTE = ("Le domaine est trop découpé pour une table exacte : chaque règle est montrée avec les "
                 "exceptions qui l'écartent.")
#: How to read the exception diagram.
ARROW_NOTE = "Une flèche de A vers B : A s'applique par exception à B et l'emporte sur elle."
#: Said instead of the diagram when no rule applies by exception to another.
NO_EXCEPTION_NOTE = "Aucune règle ne s'applique par exception à une autre."


@frozen
class Code:
    """A cell shown as code: a name as data files write it, a file name."""

    text: str


@frozen
class Grid:
    """A titled table of the page, cells already worded; each renderer only lays it out."""

    anchor: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | Code, ...], ...]


@frozen
class FieldView:
    label: str
    machine: str
    type: str
    may_be_unknown: bool
    default: str | None
    line: int | None


@frozen
class ServiceView:
    code: str
    label: str
    unit: str | None


@frozen
class TableView:
    name: str
    file: str
    key: str
    value: str | None
    missing: str  # what happens to a code the table lacks
    size: int


@frozen
class ExampleView:
    name: str
    values: tuple[tuple[str, str], ...]  # (field label, value as written)
    expected: str
    obtained: str
    ok: bool
    rule: str | None  # the rule that decided it, if any
    line: int | None


@frozen
class RuleView:
    name: str
    anchor: str
    sentence: str
    condition: str
    service: str
    service_label: str
    text: str | None
    reference: str | None
    exceptions: tuple[str, ...]  # rules this one applies "par exception à"
    overridden_by: tuple[str, ...]  # rules that apply by exception to this one
    definitions: tuple[tuple[str, str], ...]  # definitions the condition uses, with their meaning
    examples: tuple[ExampleView, ...]
    line: int | None
    is_default: bool


@frozen
class CharterDocument:
    """Everything the documentation of a charter shows, already worded in French."""

    source: str
    title: str
    reference: str | None
    version: str | None
    validity: str | None
    sha256: str
    services: tuple[ServiceView, ...]
    fields: tuple[FieldView, ...]
    sets: tuple[tuple[str, str], ...]
    tables: tuple[TableView, ...]
    definitions: tuple[tuple[str, str], ...]
    rules: tuple[RuleView, ...]
    decisions: DecisionTables
    graph: ExceptionGraph
    indicators: tuple[tuple[str, str], ...]
    examples: tuple[ExampleView, ...]
    verdict: Verdict
    dependencies: tuple[str, ...]  # the rule file and its table files


def overview(doc: "CharterDocument") -> tuple[Grid, ...]:
    """The tables before the rules: services, data, and the tables and sets the charter declares."""
    grids = [
        Grid("services", "Services", ("Code", "Service", "Unité"),
             tuple((s.code, s.label, s.unit or "—") for s in doc.services)),
        Grid("donnees", "Données du ménage",
             ("Donnée", "Nom dans les fichiers", "Type", "Peut être inconnue", "Par défaut"),
             tuple((f.label, Code(f.machine), f.type, "oui" if f.may_be_unknown else "non", f.default or "—")
                   for f in doc.fields)),
    ]
    if doc.tables:
        grids.append(Grid("tables", "Tables", ("Table", "Fichier", "Clé", "Valeur", "Code absent", "Lignes"),
                          tuple((t.name, Code(t.file), t.key, t.value or "—", t.missing, str(t.size))
                                for t in doc.tables)))
    if doc.sets:
        grids.append(Grid("ensembles", "Ensembles", ("Ensemble", "Valeurs"), doc.sets))
    return tuple(grids)


def indicator_grid(doc: "CharterDocument") -> Grid | None:
    """The charter's indicators, each with the households it counts; None without indicators."""
    if not doc.indicators:
        return None
    return Grid("indicateurs", "Indicateurs", ("Indicateur", "Ménages comptés"), doc.indicators)


def header_facts(doc: "CharterDocument") -> tuple[tuple[str, str], ...]:
    """The header's (term, value) pairs that the charter gives, in the order pages show them."""
    facts = (("Référence", doc.reference), ("Version", doc.version), ("Validité", doc.validity),
             ("Fichier", doc.source), ("Empreinte sha256", doc.sha256))
    return tuple((term, value) for term, value in facts if value)


def example_cells(example: ExampleView) -> tuple[str, str, str, str]:
    """One row of an examples table: name, household, expected, and what the charter gives (✓ or ✗)."""
    household = ", ".join(f"{label} : {value}" for label, value in example.values)
    return example.name, household, example.expected, ("✓ " if example.ok else "✗ ") + example.obtained


def rule_anchor(name: str) -> str:
    """The HTML id of a rule's section: `regle-` and its machine name."""
    return "regle-" + (machine_name(name) or "sans-nom").replace("_", "-")


def describe(charter: Charter) -> CharterDocument:
    """Describe a loaded charter (load it with `verify=False` to document one whose proof fails)."""
    model = charter.model
    examples = tuple(_example(charter, result) for result in run_examples(charter))
    base = Path(model.name).parent
    return CharterDocument(
        source=model.name,
        title=model.title,
        reference=model.reference,
        version=model.version,
        validity=validity_text(model),
        sha256=model.sha256,
        services=tuple(ServiceView(s.code, s.label, unit_text(s)) for s in model.services),
        fields=tuple(_field(f) for f in model.fields),
        sets=tuple((s.name, ", ".join(sorted(str(v) for v in s.values))) for s in model.sets),
        tables=tuple(_table(t) for t in model.tables),
        definitions=tuple((d.name, condition_text(d.condition)) for d in model.definitions),
        rules=tuple(_rule(model, r, examples) for r in model.rules),
        decisions=decision_tables(model),
        graph=exception_graph(model),
        indicators=tuple((i.name, condition_text(i.condition)) for i in model.indicators),
        examples=examples,
        verdict=verdict(charter),
        dependencies=(model.name, *(str(base / t.path) for t in model.tables)),
    )


def _field(field: m.Field) -> FieldView:
    default = field.text(field.default) if field.has_default else None
    line = field.span.line if field.span else None
    return FieldView(field.label, field.machine, type_text(field), field.may_be_unknown, default, line)


def _table(table: m.Table) -> TableView:
    missing = "ménage refusé" if table.missing is None else f"« {table.missing} »"
    return TableView(table.name, table.path, table.key_column, table.value_column, missing, len(table.mapping))


def _rule(model: m.CharterModel, rule: m.Rule, examples: tuple[ExampleView, ...]) -> RuleView:
    overridden_by = tuple(r.name for r in model.rules if rule.index in r.overrides)
    mine = tuple(e for e in examples if e.rule == rule.name)
    return RuleView(
        name=rule.name,
        anchor=rule_anchor(rule.name),
        sentence=rule_sentence(rule),
        condition=condition_text(rule.condition),
        service=rule.service.code,
        service_label=rule.service.label,
        text=rule.text,
        reference=rule.reference,
        exceptions=tuple(model.rules[t].name for t in rule.overrides),
        overridden_by=overridden_by,
        definitions=tuple((d.name, condition_text(d.condition)) for d in _definitions(rule.condition)),
        examples=mine,
        line=rule.line,
        is_default=rule.is_default,
    )


def _definitions(condition, found: dict | None = None) -> list[m.Definition]:
    """Definitions a condition uses, directly or through other definitions, in order of use."""
    found = {} if found is None else found
    match condition:
        case m.DefinitionRef(definition=d):
            if d.name not in found:
                found[d.name] = d
                _definitions(d.condition, found)
        case m.Not(operand=op):
            _definitions(op, found)
        case m.All(operands=ops) | m.Any(operands=ops):
            for op in ops:
                _definitions(op, found)
    return list(found.values())


def _example(charter: Charter, result: ExampleResult) -> ExampleView:
    example = result.example
    values = []
    for field in charter.fields:
        if field.machine in example.household:
            values.append((field.label, _raw_text(field, example.household[field.machine])))
        elif field.has_default:
            values.append((field.label, f"{field.text(field.default)} (par défaut)"))
    obtained = result.obtained_text if result.error is None else f"non orienté : {result.error}"
    line = example.span.line if example.span else None
    return ExampleView(example.name, tuple(values), result.expected_text, obtained, result.passed,
                       result.rule, line)


def _raw_text(field: m.Field, raw: object) -> str:
    if raw is None:
        return "inconnu"
    try:
        return field.text(field.type.read(raw))
    except BadValue:  # shown as written; routing the example reports the problem
        return str(raw)
