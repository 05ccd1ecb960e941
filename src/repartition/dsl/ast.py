"""Syntax tree of a rule file, as written: names unresolved, comments kept, positions out of equality."""

from __future__ import annotations

from attrs import field, frozen

from ..errors import Span

__all__ = [
    "Node", "Comment", "Name", "Value", "Title", "Reference", "Version", "Validity",
    "ServicesHeading", "FieldsHeading", "UnitRef", "ServiceDecl", "EnumValueDecl", "TypeSpec",
    "FieldDecl", "SetDecl", "TableDecl", "DefinitionDecl", "IndicatorDecl", "ArticleDecl", "RuleDecl",
    "Assignment", "ExampleDecl", "Or", "And", "Not", "Ref", "Sum", "Multiple", "Duration",
    "Comparison", "CharterFile",
]


@frozen
class Node:
    span: Span | None = field(eq=False, kw_only=True, default=None)


@frozen
class Comment(Node):
    text: str


@frozen
class Name(Node):
    """A run of words naming a field, a definition or a value."""

    text: str


@frozen
class Value(Node):
    """A literal as written; its meaning depends on the field it is compared with."""

    kind: str  # word, number, money, date, string, yes, no
    text: str


@frozen
class Title(Node):
    text: str


@frozen
class Reference(Node):
    text: str


@frozen
class Version(Node):
    text: str


@frozen
class Validity(Node):
    start: Value
    end: Value | None


@frozen
class ServicesHeading(Node):
    pass


@frozen
class FieldsHeading(Node):
    pass


@frozen
class UnitRef(Node):
    table: str
    key: Name


@frozen
class ServiceDecl(Node):
    code: str
    label: str
    unit: UnitRef | None


@frozen
class EnumValueDecl(Node):
    name: Name
    machine: str | None


@frozen
class TypeSpec(Node):
    kind: str  # bool, int, money, date, code, stage, choice
    minimum: Value | None = None
    maximum: Value | None = None
    values: tuple[EnumValueDecl, ...] = ()
    shape: str | None = None  # codes: None (any text), "commune", "chiffres", "caracteres", or words unknown
    length: int | None = None  # codes of a number of digits or characters


@frozen
class FieldDecl(Node):
    name: Name
    machine: str | None
    type: TypeSpec
    may_be_unknown: bool = False
    default: Value | None = None
    motif: str | None = None  # the published reason of the declaration
    repeated: tuple[tuple[str, Span | None], ...] = field(eq=False, default=())  # options given twice


@frozen
class SetDecl(Node):
    name: str
    values: tuple[Value, ...]
    motif: str | None = None


@frozen
class TableDecl(Node):
    name: str
    file: str
    key: str
    value: str | None
    missing: str | None  # None: refuse a missing code; otherwise the value to use
    motif: str | None = None
    label: str | None = None  # the column that names each code (« commune »), shown to reviewers


@frozen
class DefinitionDecl(Node):
    name: str
    condition: "Expr"
    motif: str | None = None


@frozen
class ArticleDecl(Node):
    """`article 1 : « Titre »`: a heading over the rules that follow, up to the next article."""

    number: str
    title: str
    motif: str | None = None


@frozen
class IndicatorDecl(Node):
    name: str
    condition: "Expr"


@frozen
class RuleDecl(Node):
    name: str
    exceptions: tuple[Name, ...]
    text: str | None
    reference: str | None
    comments: tuple[Comment, ...]
    condition: "Expr | None"  # None for the default rule
    service: str
    service_span: Span | None = field(eq=False, default=None)
    # Where the clauses were written, so the formatter can keep comments in place among them.
    text_span: Span | None = field(eq=False, default=None)
    reference_span: Span | None = field(eq=False, default=None)
    motif: str | None = None
    motif_span: Span | None = field(eq=False, default=None)
    repeated: tuple[tuple[str, Span | None], ...] = field(eq=False, default=())  # clauses given twice
    #: Codes of the services informed « en lien avec » the rule's service, as written.
    partners: tuple[str, ...] = ()
    partner_spans: tuple[Span | None, ...] = field(eq=False, default=())


@frozen
class Assignment(Node):
    name: Name
    value: Value | None  # None: inconnu


@frozen
class ExampleDecl(Node):
    name: str
    assignments: tuple[Assignment, ...]
    service: str
    rule: Name | None
    #: The partners the example expects (« attendu DEPARTEMENT, en lien avec ADIL »), None if not said.
    partners: tuple[str, ...] | None = None
    partner_spans: tuple[Span | None, ...] = field(eq=False, default=())


@frozen
class Or(Node):
    operands: tuple["Expr", ...]


@frozen
class And(Node):
    operands: tuple["Expr", ...]


@frozen
class Not(Node):
    operand: "Expr"


@frozen
class Ref(Node):
    """A bare name used as a condition: a yes/no field or a definition."""

    name: Name


@frozen
class Sum(Node):
    """`la somme du loyer et des charges`: the terms as written (« du loyer », « des charges »), after
    `head` (« la somme » or « somme »)."""

    terms: tuple[Name, ...]
    head: str = "la somme"


@frozen
class Multiple(Node):
    """`6 fois le loyer`, `trois fois la somme du loyer et des charges`: a constant factor (digits or
    a number in words) times a field or a sum."""

    factor: Value
    other: Name | Sum


@frozen
class Duration(Node):
    """`3 mois avant la date du signalement`: a whole count of days, months or years before or after
    another date."""

    count: Value
    unit: str  # as written, accents restored: jour, jours, mois, an, ans, année, années
    direction: str  # as written: avant, avant le, après la, après l'…
    other: Name


@frozen
class Comparison(Node):
    """A comparison as written. `subject` is None where it is left out after `et` / `ou` (the
    subject said just before applies); `wording` is the comparison's words as written (accents
    restored), None for the plain `est` of an equality."""

    subject: Name | Sum | None
    negated: bool
    op: str
    operands: tuple[Value | Multiple | Sum | Duration | Name, ...]
    wording: str | None = None


Expr = Or | And | Not | Ref | Comparison


@frozen
class CharterFile(Node):
    name: str
    items: tuple[Node, ...]
