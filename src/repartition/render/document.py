"""The whole charter as reviewers read it: one neutral description that the Sphinx directive, `documenter`
and the PDF all render, top-down like the charter (verdict, who goes where, articles and their rules)."""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from .. import model as m
from ..charter import Charter
from ..dsl.names import machine_name
from ..examples import ExampleResult, run_examples
from ..proof.wording import named_sets
from ..values import BadValue
from .graph import ExceptionGraph, exception_graph, service_colour
from .sentences import condition_text, rule_sentence, type_text, unit_text, validity_text
from .tables import DecisionTables, decision_tables
from .verdict import Verdict, verdict

__all__ = [
    "FieldView", "ServiceView", "TableView", "SetView", "DefinitionView", "ExampleView", "RuleView",
    "ArticleView", "CharterDocument", "describe", "rule_anchor", "header_facts", "example_household",
    "example_outcome", "FALLBACK_NOTE", "ARROW_NOTE", "NO_EXCEPTION_NOTE", "TABLES_NOTE", "Code", "Grid",
    "declarations", "indicator_grid", "anchor",
]

#: Said above the decision tables when they fall back to each rule's own condition.
FALLBACK_NOTE = ("Le domaine est trop découpé pour une table exacte : chaque règle est montrée avec sa "
                 "condition et les exceptions qui l'écartent.")
#: How to read the decision tables.
TABLES_NOTE = ("Une table par service. Chaque ligne donne la règle qui décide et, dans les colonnes que "
               "cette règle lit, les ménages qu'elle y oriente (« — » : quelle que soit la valeur) ; "
               "« sauf » nomme les règles qui en orientent certains ailleurs.")
#: How to read the exception diagram.
ARROW_NOTE = ("Chaque règle est placée au-dessus des règles qu'elle écarte. Une flèche part d'une règle "
              "et désigne une règle à laquelle elle s'applique par exception : la première l'emporte.")
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
    motif: str | None = None


@frozen
class ServiceView:
    code: str
    label: str
    unit: str | None
    colour: tuple[str, str]  # fill and text colour, the same as in the diagram
    rules: tuple[str, ...] = ()  # the rules that route households to it, in file order


@frozen
class TableView:
    name: str
    anchor: str
    file: str
    key: str
    value: str | None
    missing: tuple[str, ...]  # what really happens to a code the table lacks, one sentence per use
    size: int
    motif: str | None
    rows: tuple[tuple[str, str | None, str | None], ...]  # (code, value, label), in code order


@frozen
class SetView:
    name: str
    anchor: str
    values: tuple[tuple[str, str | None], ...]  # (code, label where a table of the charter names it)
    motif: str | None


@frozen
class DefinitionView:
    name: str
    anchor: str
    text: str
    motif: str | None


@frozen
class ExampleView:
    name: str
    values: tuple[tuple[str, str], ...]  # (field label, value as written)
    expected: str
    obtained: str
    ok: bool
    rule: str | None  # the rule it is shown under: the one that decided it, else the one it expects
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
    motif: str | None = None


@frozen
class ArticleView:
    """An article of the charter with its rules; `number` None gathers rules outside any article."""

    number: str | None
    title: str
    anchor: str
    motif: str | None
    rules: tuple[RuleView, ...]


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
    sets: tuple[SetView, ...]
    tables: tuple[TableView, ...]
    definitions: tuple[DefinitionView, ...]
    articles: tuple[ArticleView, ...]
    decisions: DecisionTables
    graph: ExceptionGraph
    indicators: tuple[tuple[str, str], ...]
    examples: tuple[ExampleView, ...]  # every example; each shown once, under its rule or in the verdict
    verdict: Verdict
    dependencies: tuple[str, ...]  # the rule file and its table files

    @property
    def rules(self) -> tuple[RuleView, ...]:
        return tuple(rule for article in self.articles for rule in article.rules)

    @property
    def unplaced_examples(self) -> tuple[ExampleView, ...]:
        """Examples no rule of the charter shows (neither decided nor expected by a rule)."""
        names = {rule.name for rule in self.rules}
        return tuple(e for e in self.examples if e.rule not in names)


def anchor(prefix: str, name: str) -> str:
    """An HTML id: the prefix and the name's machine form, e.g. `table-unites-territoriales`."""
    return f"{prefix}-" + (machine_name(name) or "sans-nom").replace("_", "-")


def rule_anchor(name: str) -> str:
    """The HTML id of a rule's section: `regle-` and its machine name."""
    return anchor("regle", name)


def header_facts(doc: CharterDocument) -> tuple[tuple[str, str], ...]:
    """The header's (term, value) pairs that the charter gives, in the order pages show them."""
    facts = (("Référence", doc.reference), ("Version", doc.version), ("Validité", doc.validity),
             ("Fichier", doc.source), ("Empreinte sha256", doc.sha256))
    return tuple((term, value) for term, value in facts if value)


def example_household(example: ExampleView) -> str:
    """The household of an example on one line: « enfants à charge : 2 · aide au logement : oui »."""
    return " · ".join(f"{label} : {value}" for label, value in example.values)


def example_outcome(example: ExampleView) -> str:
    """« ✓ CAF par « Familles » », or « ✗ attendu …, obtenu … »."""
    if example.ok:
        return f"✓ {example.obtained}"
    return f"✗ attendu {example.expected} ; obtenu {example.obtained}"


def declarations(doc: CharterDocument) -> tuple[Grid, ...]:
    """The reference tables after the rules: services and the household's data."""
    return (
        Grid("services", "Services", ("Code", "Service", "Unité"),
             tuple((s.code, s.label, s.unit or "—") for s in doc.services)),
        Grid("donnees", "Données du ménage",
             ("Donnée", "Nom dans les fichiers", "Type", "Inconnue possible", "Par défaut", "Motif"),
             tuple((f.label, Code(f.machine), f.type, "oui" if f.may_be_unknown else "non", f.default or "—",
                    f.motif or "—") for f in doc.fields)),
    )


def indicator_grid(doc: CharterDocument) -> Grid | None:
    """The charter's indicators, each with the households it counts; None without indicators."""
    if not doc.indicators:
        return None
    return Grid("indicateurs", "Indicateurs", ("Indicateur", "Ménages comptés"), doc.indicators)


def describe(charter: Charter) -> CharterDocument:
    """Describe a loaded charter (load it with `verify=False` to document one whose proof fails)."""
    model = charter.model
    examples = tuple(_example(charter, result) for result in run_examples(charter))
    base = Path(model.name).parent
    colours = service_colour(tuple(s.code for s in model.services))
    labels = _labels(model)
    return CharterDocument(
        source=model.name,
        title=model.title,
        reference=model.reference,
        version=model.version,
        validity=validity_text(model),
        sha256=model.sha256,
        services=tuple(ServiceView(s.code, s.label, unit_text(s), colours[s.code],
                                   tuple(r.name for r in model.rules if r.service.code == s.code))
                       for s in model.services),
        fields=tuple(_field(f) for f in model.fields),
        sets=tuple(SetView(s.name, anchor("ensemble", s.name),
                           tuple((str(v), labels.get(str(v))) for v in sorted(s.values, key=str)), s.motif)
                   for s in model.sets),
        tables=tuple(_table(model, t) for t in model.tables),
        definitions=tuple(DefinitionView(d.name, anchor("definition", d.name), condition_text(d.condition), d.motif)
                          for d in model.definitions),
        articles=_articles(model, examples),
        decisions=decision_tables(model),
        graph=exception_graph(model),
        indicators=tuple((i.name, condition_text(i.condition)) for i in model.indicators),
        examples=examples,
        verdict=verdict(charter),
        dependencies=(model.name, *(str(base / t.path) for t in model.tables)),
    )


def _labels(model: m.CharterModel) -> dict[str, str]:
    """Code → name, from the tables that declare a `libellé` column (a code named twice alike, or not at all)."""
    found: dict[str, str] = {}
    clashes: set[str] = set()
    for table in model.tables:
        for code, label in table.labels.items():
            if found.setdefault(code, label) != label:
                clashes.add(code)
    return {code: label for code, label in found.items() if code not in clashes and label}


def _field(field: m.Field) -> FieldView:
    default = field.text(field.default) if field.has_default else None
    line = field.span.line if field.span else None
    return FieldView(field.label, field.machine, type_text(field), field.may_be_unknown, default, line, field.motif)


def _table(model: m.CharterModel, table: m.Table) -> TableView:
    rows = tuple((code, table.mapping[code] if table.value_column else None, table.labels.get(code))
                 for code in sorted(table.mapping))
    return TableView(table.name, anchor("table", table.name), table.path, table.key_column, table.value_column,
                     _missing(model, table), len(table.mapping), table.motif, rows)


def _missing(model: m.CharterModel, table: m.Table) -> tuple[str, ...]:
    """What a code absent from the table does, for each way the charter uses the table."""
    said = []
    for service in model.services:
        if service.unit is not None and service.unit.table.name == table.name:
            if table.missing is None:
                said.append(f"un ménage orienté vers {service.code} dont « {service.unit.field.label} » est absent(e) "
                            f"de la table est refusé : il n'est pas orienté et la raison est donnée")
            else:
                said.append(f"un ménage orienté vers {service.code} dont « {service.unit.field.label} » est absent(e) "
                            f"de la table est orienté vers l'unité « {table.missing} »")
    if any(table.name in tested for tested in named_sets(model).values()):  # a rule's condition tests it
        said.append(f"une condition « … dans « {table.name} » » est fausse pour un code absent de la table")
    if not said:
        said.append("la table n'est lue par aucune règle ni aucun service")
    return tuple(said)


def _articles(model: m.CharterModel, examples: tuple[ExampleView, ...]) -> tuple[ArticleView, ...]:
    rules = [_rule(model, r, examples) for r in model.rules]
    placed = {i for article in model.articles for i in article.rules}
    loose = tuple(rules[i] for i in range(len(rules)) if i not in placed)
    out = []
    if loose:  # before the first article, or every rule of a charter without articles
        out.append(ArticleView(None, "Règles" if not model.articles else "Dispositions générales", "regles", None, loose))
    for article in model.articles:
        out.append(ArticleView(article.number, article.title, anchor("article", article.number), article.motif,
                               tuple(rules[i] for i in article.rules)))
    return tuple(out)


def _rule(model: m.CharterModel, rule: m.Rule, examples: tuple[ExampleView, ...]) -> RuleView:
    overridden_by = tuple(r.name for r in model.rules if rule.index in r.overrides)
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
        examples=tuple(e for e in examples if e.rule == rule.name),
        line=rule.line,
        is_default=rule.is_default,
        motif=rule.motif,
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
        elif field.has_default and not example.partial:
            values.append((field.label, f"{field.text(field.default)} (par défaut)"))
    if example.partial:  # it speaks for every value of the data it leaves out
        values.append(("autres données", "toutes valeurs"))
    obtained = result.obtained_text if result.error is None else f"non orienté : {result.obtained_text}"
    line = example.span.line if example.span else None
    return ExampleView(example.name, tuple(values), result.expected_text, obtained, result.passed,
                       result.rule or example.rule, line)


def _raw_text(field: m.Field, raw: object) -> str:
    if raw is None:
        return "inconnu"
    try:
        return field.text(field.type.read(raw))
    except BadValue:  # shown as written; routing the example reports the problem
        return str(raw)
