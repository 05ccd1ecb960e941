"""Checking a syntax tree and resolving it into a CharterModel; every problem is collected, located."""

from __future__ import annotations

import hashlib
import re
from fractions import Fraction
from pathlib import Path
from typing import Callable

from .. import model as m
from ..errors import CharterError, Diagnostic, Span
from ..values import BadValue, read_date
from . import ast
from .names import NUMBER_WORDS, machine_name, normalize, number_in_words, of_name, suggest
from .parser import MAX_NESTING, source_line, too_deep
from .tables import TableFile, read_table

__all__ = ["check", "invalid_date"]

_ORDERED_OPS = {"ge", "le", "gt", "lt"}
_MAX_CODE_LENGTH = 40  # « code de N chiffres »: longer is surely a typing mistake
_MAX_BAD_KEYS = 10  # misshapen codes reported one by one per table; past it, counted
_MAX_SUGGESTIONS = 50  # past them, errors go without a suggestion (as many as a CharterError shows)
_OP_WORDS = {"ge": "au moins", "le": "au plus", "gt": "plus de", "lt": "moins de"}
#: « A plus B », « A moins B » written as one name: arithmetic the language spells otherwise.
_ARITHMETIC = re.compile(r"\s+(plus|moins)\s+", re.IGNORECASE)
_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3})")
#: The longest duration between two dates, by unit (from the year 1 to the year 9999).
_LONGEST = {"jours": 3_652_058, "mois": 119_988, "ans": 9_999}
#: « de », « du », « des », « de la », « de l' » before each term of a sum.
_OF = re.compile(r"(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)", re.IGNORECASE)


def check(tree: ast.CharterFile, text: str, base_dir: Path | None, sha256: "hashlib._Hash",
          read_table: Callable[[ast.TableDecl, Path | None], TableFile] = read_table) -> m.CharterModel:
    """Resolve names and types; raise CharterError listing every problem found.

    `read_table(declaration, base_dir)` reads a table file (the charter keeps its bytes, and a
    pickled charter is rebuilt from them without reading files)."""
    return _Checker(tree, text, base_dir, sha256, read_table).run()


class _Checker:
    def __init__(self, tree, text, base_dir, sha256, read_table):
        self.tree = tree
        self.text = text
        self.base_dir = base_dir
        self.sha = sha256
        self.read_table = read_table
        self.diagnostics: list[Diagnostic] = []
        self.fields: dict[str, m.Field] = {}  # normalized label or machine name → field
        self.field_list: list[m.Field] = []
        self.services: dict[str, m.Service] = {}
        self.sets: dict[str, ast.SetDecl] = {}
        self.tables: dict[str, m.Table] = {}
        self.unreadable_tables: set[str] = set()  # declared, already reported: no "table inconnue" too
        self.checked_tables: set[tuple] = set()  # (table, code type) whose keys have had their shape checked
        self.definition_decls: dict[str, ast.DefinitionDecl] = {}
        self.definitions: dict[str, m.Definition] = {}
        self._depths: dict[int, int] = {}  # id of a resolved definition → its nesting levels
        self._tainted: set[str] = set()  # definitions using a definition refused for its nesting
        self._chain_reported = False  # a chain of definitions too long to resolve has been reported
        self._resolving: list[str] = []
        self._previous: ast.Name | None = None  # the subject a comparison may leave out
        self._previous_at: tuple[object, ast.Comparison] | None = None  # its group and comparison
        self._group: object = None  # the et / ou group being checked
        self._suggestions = _MAX_SUGGESTIONS

    # ---- reporting ----
    def _suggest(self, name: str, candidates) -> str:
        """« vouliez-vous dire … » among `candidates()` for the first _MAX_SUGGESTIONS mistakes: each
        compares the name with every candidate, and a file may have thousands of each."""
        self._suggestions -= 1
        return suggest(name, candidates()) if self._suggestions >= 0 else ""

    def error(self, message: str, span: Span | None) -> None:
        line = source_line(self.text, span.line) if span is not None and span.file == self.tree.name else None
        self.diagnostics.append(Diagnostic(message, span, line, code="charte"))

    # ---- the walk ----
    def run(self) -> m.CharterModel:
        header: dict[str, ast.Node] = {}
        section = None
        service_decls, field_decls, rule_decls = [], [], []
        definitions, indicators, examples, tables = [], [], [], []
        articles: list[tuple[ast.ArticleDecl, list[int]]] = []  # each with the rules that follow it
        for item in self.tree.items:
            match item:
                case ast.Title() | ast.Reference() | ast.Version() | ast.Validity():
                    key = type(item).__name__
                    if key in header:
                        self.error(f"{_HEADER_WORDS[key]} déjà donné(e) ligne {header[key].span.line}", item.span)
                    header[key] = item
                case ast.ServicesHeading():
                    section = "services"
                case ast.FieldsHeading():
                    section = "fields"
                case ast.ServiceDecl():
                    if section != "services":
                        self.error("déclaration de service hors de la section « services »", item.span)
                    service_decls.append(item)
                case ast.FieldDecl():
                    if section != "fields":
                        self.error("déclaration de donnée hors de la section « données du ménage »", item.span)
                    field_decls.append(item)
                case ast.SetDecl():
                    self._unique(self.sets, item.name, item, "ensemble")
                case ast.TableDecl():
                    tables.append(item)
                case ast.DefinitionDecl():
                    self._unique(self.definition_decls, item.name, item, "définition")
                    definitions.append(item)
                case ast.IndicatorDecl():
                    indicators.append(item)
                case ast.ArticleDecl():
                    self._new_article(articles, item)
                case ast.RuleDecl():
                    if articles:
                        articles[-1][1].append(len(rule_decls))
                    rule_decls.append(item)
                case ast.ExampleDecl():
                    examples.append(item)
            if not isinstance(item, (ast.ServiceDecl, ast.FieldDecl, ast.Comment,
                                     ast.ServicesHeading, ast.FieldsHeading)):
                section = None

        self.determiners = _determiners(self.tree.items)
        if "Title" not in header:
            self.error("la charte n'a pas de titre : commencez le fichier par charte « Titre »",
                       Span(self.tree.name, 1, 1, 1, 2))
        for decl in field_decls:
            self._declare_field(decl)
        for decl in tables:
            self._declare_table(decl)
        for decl in service_decls:
            self._declare_service(decl)
        if not service_decls:
            self.error("la charte ne déclare aucun service : ajoutez une section « services »",
                       Span(self.tree.name, 1, 1, 1, 2))
        for decl in definitions:
            self._definition(decl.name, decl.span)
        rules = self._rules(rule_decls)
        indicator_list = tuple(
            m.Indicator(d.name, self._nested(self.condition(d.condition), d.condition.span), span=d.span)
            for d in indicators
        )
        example_list = tuple(self._example(e, rules) for e in examples)
        validity = header.get("Validity")
        valid_from = self._date(validity.start) if validity else None
        valid_to = self._date(validity.end) if validity and validity.end else None
        if self.diagnostics:
            raise CharterError(sorted(self.diagnostics, key=_position))
        return m.CharterModel(
            name=self.tree.name,
            title=header["Title"].text,
            reference=header["Reference"].text if "Reference" in header else None,
            version=header["Version"].text if "Version" in header else None,
            valid_from=valid_from,
            valid_to=valid_to,
            services=tuple(self.services.values()),
            fields=tuple(self.field_list),
            sets=tuple(self._named_set(s) for s in self.sets.values()),
            tables=tuple(self.tables.values()),
            definitions=tuple(self.definitions.values()),
            rules=rules,
            indicators=indicator_list,
            examples=example_list,
            sha256=self.sha.hexdigest(),
            articles=tuple(m.Article(a.number, a.title, a.motif, tuple(r), span=a.span) for a, r in articles),
        )

    def _new_article(self, articles: list, decl: ast.ArticleDecl) -> None:
        same = next((a for a, _ in articles if normalize(a.number) == normalize(decl.number)), None)
        if same is not None:
            self.error(f"article « {decl.number} » déjà déclaré ligne {same.span.line}", decl.span)
        articles.append((decl, []))

    def _repeated(self, repeated, what: str) -> None:
        for word, span in repeated:
            self.error(f"« {word} » donné deux fois pour {what} : gardez-en un seul", span)

    def _unique(self, registry: dict, name: str, item, what: str) -> None:
        key = normalize(name)
        if key in registry:
            self.error(f"{what} « {name} » déjà déclaré(e) ligne {registry[key].span.line}", item.span)
        else:
            registry[key] = item

    # ---- declarations ----
    def _declare_field(self, decl: ast.FieldDecl) -> None:
        label = decl.name.text
        machine = decl.machine or machine_name(label)
        field_type = self._type(decl.type, label)
        if field_type is None:
            return
        default, has_default = None, decl.default is not None
        if has_default:
            default = self._constant_of_type(field_type, label, decl.default)
        self._repeated(decl.repeated, f"la donnée « {label} »")
        determiner = self.determiners.get(normalize(label)) or self.determiners.get(normalize(machine))
        field = m.Field(label, machine, field_type, len(self.field_list), decl.may_be_unknown,
                        default, has_default, decl.motif, determiner=determiner, span=decl.span)
        for key in {normalize(label), normalize(machine)}:
            if key in self.fields:
                self.error(f"donnée « {label} » déjà déclarée ligne {self.fields[key].span.line}", decl.name.span)
                return
        for key in {normalize(label), normalize(machine)}:
            self.fields[key] = field
        self.field_list.append(field)

    def _type(self, spec: ast.TypeSpec, label: str):
        if spec.kind == "bool":
            return m.BoolType()
        if spec.kind == "date":
            return m.DateType()
        if spec.kind == "code":
            if spec.shape not in (None, "commune", "chiffres", "caracteres"):
                self.error(f"forme de code inconnue « code {spec.shape} » pour « {label} » : écrivez « code », "
                           f"« code commune », « code de 5 chiffres » ou « code de 8 caractères »", spec.span)
                return None
            if spec.length is not None and not 1 <= spec.length <= _MAX_CODE_LENGTH:
                self.error(f"longueur de code invalide pour « {label} » : de 1 à {_MAX_CODE_LENGTH} "
                           f"chiffres ou caractères", spec.span)
                return None
            return m.CodeType(spec.shape, spec.length)
        if spec.kind in ("stage", "choice"):
            values, seen = [], {}
            for v in spec.values:
                machine = v.machine or machine_name(v.name.text)
                for key in {normalize(v.name.text), normalize(machine)}:
                    if key in seen:
                        self.error(f"valeur « {v.name.text} » déjà donnée pour « {label} »", v.span)
                    seen[key] = v
                values.append(m.EnumValue(v.name.text, machine))
            return m.EnumType(tuple(values), ordered=spec.kind == "stage")
        reader = m.IntType() if spec.kind == "int" else m.MoneyType()
        low = self._constant_of_type(reader, label, spec.minimum) if spec.minimum else None
        high = self._constant_of_type(reader, label, spec.maximum) if spec.maximum else None
        if low is not None and high is not None and low > high:
            self.error(f"bornes de « {label} » incohérentes : le minimum dépasse le maximum", spec.span)
        return type(reader)(low, high)

    def _declare_table(self, decl: ast.TableDecl) -> None:
        if normalize(decl.name) in self.tables or normalize(decl.name) in self.sets:
            self.error(f"table « {decl.name} » déjà déclarée", decl.span)
            return
        try:
            table = self.read_table(decl, self.base_dir)
        except CharterError as error:
            for diagnostic in error.diagnostics:  # those of the table file come with their line
                if diagnostic.span is not None and diagnostic.span.file == self.tree.name:
                    self.error(diagnostic.message, diagnostic.span)
                else:
                    self.diagnostics.append(diagnostic)
            self.unreadable_tables.add(normalize(decl.name))
            return
        self.sha.update(table.raw)
        self.tables[normalize(decl.name)] = m.Table(
            decl.name, decl.file, decl.key, decl.value, table.mapping, decl.missing,
            hashlib.sha256(table.raw).hexdigest(), decl.motif, table.labels, span=decl.span,
            key_lines=table.key_lines)

    def _check_table_keys(self, table: m.Table, field: m.Field) -> None:
        """Every key of a table used with a code field has the field's shape: else an error at its line."""
        if field.type.shape is None or (table.name, field.type) in self.checked_tables:
            return
        self.checked_tables.add((table.name, field.type))
        bad = [key for key in table.mapping if not field.type.fits(key)]
        path = str((self.base_dir or Path(".")) / table.path)
        for key in bad[:_MAX_BAD_KEYS]:
            line = table.key_lines[key]
            self.error(f"table « {table.path} », ligne {line} : code « {key} » invalide pour « {field.label} » : "
                       f"attendu {field.type.expected}", Span(path, line, 1, line, 2))
        if len(bad) > _MAX_BAD_KEYS:
            self.error(f"table « {table.path} » : {len(bad) - _MAX_BAD_KEYS} autres codes invalides pour "
                       f"« {field.label} »", table.span)

    def _declare_service(self, decl: ast.ServiceDecl) -> None:
        if decl.code in self.services:
            self.error(f"service {decl.code} déjà déclaré ligne {self.services[decl.code].span.line}", decl.span)
            return
        unit = None
        if decl.unit is not None:
            table = self._table(decl.unit.table, decl.unit.span)
            field = self._field(decl.unit.key)
            if field is not None and not isinstance(field.type, m.CodeType):
                self.error(f"« {field.label} » doit être une donnée de type code pour chercher "
                           f"l'unité dans une table", decl.unit.key.span)
            elif table is not None and table.value_column is None:
                self.error(f"la table « {table.name} » n'a pas de colonne valeur : "
                           f"ajoutez « , valeur « colonne » » à sa déclaration", decl.unit.span)
            elif table is not None and field is not None:
                self._check_table_keys(table, field)
                unit = m.Unit(table, field)
        self.services[decl.code] = m.Service(decl.code, decl.label, unit, span=decl.span)

    def _named_set(self, decl: ast.SetDecl) -> m.NamedSet:
        return m.NamedSet(decl.name, frozenset(v.text for v in decl.values), decl.motif, span=decl.span)

    # ---- lookups ----
    def _field(self, name: ast.Name) -> m.Field | None:
        found = self.fields.get(normalize(name.text))
        if found is None:
            message = self._arithmetic(name.text)
            if message is None:
                hint = self._suggest(name.text, lambda: [f.label for f in self.field_list]
                                     + [d.name for d in self.definition_decls.values()])
                message = f"donnée inconnue « {name.text} »{hint}"
            self.error(message, name.span)
        return found

    def _arithmetic(self, text: str) -> str | None:
        """The message for « le loyer plus les charges » or « la dette moins les aides » written where a
        name is expected, when the words around « plus » / « moins » are declared names."""
        parts = _ARITHMETIC.split(text)
        terms, words = parts[::2], {w.casefold() for w in parts[1::2]}
        if len(terms) < 2 or not all(normalize(t) in self.fields for t in terms):
            return None
        if "moins" in words:
            return (f"« {text} » : la soustraction n'est pas permise ; passez le terme soustrait de l'autre "
                    f"côté, dans une somme (par exemple « la dette est au moins la somme du loyer et des "
                    f"aides » plutôt que « la dette moins les aides est au moins le loyer »)")
        return (f"« {text} » : pour additionner, écrivez « la somme {of_name(terms[0])}"
                + "".join(f", {of_name(t)}" for t in terms[1:-1]) + f" et {of_name(terms[-1])} » (« plus » entre "
                f"deux données se lit de deux façons : « 2 fois le loyer plus les charges » double-t-il "
                f"aussi les charges ?)")

    def _table(self, name: str, span) -> m.Table | None:
        found = self.tables.get(normalize(name))
        if found is None and normalize(name) not in self.unreadable_tables:
            hint = self._suggest(name, lambda: [t.name for t in self.tables.values()])
            self.error(f"table inconnue « {name} »{hint}", span)
        return found

    def _service(self, code: str, span) -> m.Service | None:
        found = self.services.get(code)
        if found is None:
            self.error(f"service inconnu {code}{self._suggest(code, lambda: list(self.services))}", span)
        return found

    def _definition(self, name: str, span) -> m.Definition | None:
        key = normalize(name)
        if key in self.definitions:
            found = self.definitions[key]
            if id(found) in self._depths:
                return found
            if self._resolving:  # refused, already reported: so is any definition using it, silently
                self._tainted.add(self._resolving[-1])
            return None
        decl = self.definition_decls.get(key)
        if decl is None:
            return None
        if key in self._resolving:
            cycle = " → ".join(f"« {n} »" for n in self._resolving[self._resolving.index(key):] + [key])
            self.error(f"définitions circulaires : {cycle}", span)
            return None
        if len(self._resolving) >= MAX_NESTING:  # each definition adds a level: refuse before recursing on
            if not self._chain_reported:  # once: a long chain would report itself every MAX_NESTING links
                self.error(too_deep(None), span)
                self._chain_reported = True
            self._tainted.update(self._resolving)
            self.definitions[key] = m.Definition(decl.name, None, span=decl.span)  # refused: its uses too
            return None
        self._resolving.append(key)
        try:
            condition = self.condition(decl.condition)
        finally:
            self._resolving.pop()
        levels = self._levels(condition)
        if key in self._tainted:
            condition = None
        elif levels > MAX_NESTING:
            self.error(too_deep(levels), decl.condition.span)
            condition = None
        definition = m.Definition(decl.name, condition, decl.motif, span=decl.span)
        self.definitions[key] = definition
        if condition is None:
            return None
        self._depths[id(definition)] = levels
        return definition

    def _levels(self, condition) -> int:
        """How deep a resolved condition nests (MAX_NESTING explains what counts); a used definition
        counts as one level more than its own condition."""
        match condition:
            case m.Not(operand=op):
                return 1 + self._levels(op)
            case m.All(operands=ops) | m.Any(operands=ops):
                return 1 + max(map(self._levels, ops))
            case m.DefinitionRef(definition=d):
                return 1 + self._depths[id(d)]
        return 0

    def _nested(self, condition, span):
        """The condition, or None (reported) when definitions make it nest too deep."""
        if condition is not None and (levels := self._levels(condition)) > MAX_NESTING:
            self.error(too_deep(levels), span)
            return None
        return condition

    # ---- constants ----
    def _date(self, value: ast.Value) -> int | None:
        try:
            return read_date(value.text)
        except BadValue as error:
            self.error(invalid_date(value, error), value.span)
            return None

    def _constant(self, field: m.Field, value: ast.Value):
        return self._constant_of_type(field.type, field.label, value)

    def _constant_of_type(self, field_type, label: str, value: ast.Value):
        kind, text = value.kind, value.text
        try:
            if isinstance(field_type, m.BoolType) and kind in ("yes", "no"):
                return kind == "yes"
            if isinstance(field_type, m.IntType) and kind == "number" and "," not in text:
                return field_type.read(_GROUPS.sub("", text))
            if isinstance(field_type, m.IntType) and kind == "word":
                number = number_in_words(text)
                if number is not None:
                    return field_type.read(number)
                hint = self._suggest(text, lambda: list(NUMBER_WORDS))
                if hint:
                    self.error(f"« {text} » n'est pas un nombre{hint}", value.span)
                    return None
            if isinstance(field_type, m.MoneyType) and kind in ("number", "money"):
                return field_type.read(text)
            if isinstance(field_type, m.DateType) and kind == "date":
                return read_date(text)
            if isinstance(field_type, m.CodeType) and kind == "number" and _GROUPS.search(text):
                self.error(f"« {text} » : un code s'écrit sans espace (« {_GROUPS.sub('', text)} »), ou entre "
                           f"guillemets s'il en a une", value.span)
                return None
            if isinstance(field_type, m.CodeType) and kind in ("string", "number", "word", "code"):
                return field_type.read(text)
            if isinstance(field_type, m.EnumType) and kind in ("word", "string"):
                index = field_type.index(text)
                if index is not None:
                    return index
                hint = (self._suggest(text, lambda: [v.label for v in field_type.values])
                        or f" : attendu {_expected(field_type)}")
                self.error(f"valeur inconnue « {text} » pour « {label} »{hint}", value.span)
                return None
        except BadValue as error:
            self.error(f"valeur « {text} » invalide pour « {label} » : attendu {error}", value.span)
            return None
        self.error(f"« {text} » ne convient pas à « {label} » : attendu {_expected(field_type)}", value.span)
        return None

    # ---- conditions ----
    def condition(self, expr) -> m.Condition | None:
        """A checked condition. A subject left out after `et` / `ou` is the one said just before,
        within the same condition (a definition it names has its own)."""
        saved = self._previous, self._previous_at, self._group
        self._previous = self._previous_at = self._group = None
        try:
            return self._condition(expr)
        finally:
            self._previous, self._previous_at, self._group = saved

    def _condition(self, expr) -> m.Condition | None:
        match expr:
            case ast.Or(operands=ops):
                return m.Any(self._group_of(expr, ops), span=expr.span)
            case ast.And(operands=ops):
                return m.All(self._group_of(expr, ops), span=expr.span)
            case ast.Not(operand=op):
                return m.Not(self._condition(op), span=expr.span)
            case ast.Ref(name=name):
                after, self._previous = self._previous, None
                return self._reference(name, expr.span, after_comparison=after is not None)
            case ast.Comparison():
                return self._comparison(expr)
        raise AssertionError(expr)  # pragma: no cover

    def _group_of(self, group, operands) -> tuple:
        outer, self._group = self._group, group
        try:
            return tuple(self._condition(o) for o in operands)
        finally:
            self._group = outer

    def _reference(self, name: ast.Name, span, after_comparison: bool = False) -> m.Condition | None:
        key = normalize(name.text)
        if key in self.definition_decls:
            definition = self._definition(name.text, name.span)
            return m.DefinitionRef(definition, span=span) if definition else None
        field = self.fields.get(key)
        of = _OF.match(name.text)
        if field is None and of is not None and normalize(name.text[of.end():]) in self.fields:
            self.error(f"« et {name.text} » : pour additionner, écrivez la somme, par exemple « au moins 2 fois "
                       f"la somme du loyer et {name.text} »", name.span)
            return None
        if field is None:
            self._field(name)  # reports, with a suggestion among fields and definitions
            return None
        if not isinstance(field.type, m.BoolType):
            hint = ""
            if after_comparison and isinstance(field.type, (m.MoneyType, m.IntType)):
                hint = f" ; pour additionner, écrivez « la somme … et {of_name(name.text)} »"
            self.error(f"« {field.label} » n'est pas une donnée oui/non : comparez-la, par exemple "
                       f"« {field.label} est … »{hint}", name.span)
            return None
        return m.Truth(field, span=span)

    def _comparison(self, expr: ast.Comparison) -> m.Condition | None:
        subject = expr.subject
        if subject is None:
            written = self._written_name(expr)
            if written is not None:  # « plus de trois enfants » is a declared name, not a comparison
                self._previous = None
                return self._reference(written, expr.span)
            subject = self._previous
            if subject is None:
                self.error("il manque la donnée comparée : elle ne peut être omise qu'après « et » ou "
                           "« ou », juste après une comparaison de la même donnée (par exemple « la dette "
                           "est au moins 3 fois le loyer ou au moins 2 000 € »)", expr.span)
                return None
            if not self._same_group(expr):
                return None
        self._previous, self._previous_at = subject, (self._group, expr)
        left = self._sum(subject) if isinstance(subject, ast.Sum) else self._field(subject)
        if left is None:
            return None
        if isinstance(left, tuple):
            result = self._sum_predicate(left, expr)
        else:
            result = self._predicate(left, expr)
        if result is None:
            return None
        return m.Not(result, span=expr.span) if expr.negated else result

    def _same_group(self, expr: ast.Comparison) -> bool:
        """Whether a comparison without subject joins the one that said it as the officer wrote
        it: in « A et B ou au moins 5 000 € », « et » binds first, so the words would be read
        (A et B) ou C where a reader hears A et (B ou C); unless brackets between the two say
        the grouping, such a sentence is refused, never guessed."""
        group, said = self._previous_at
        between = self._between(said.span, expr.span)
        if group is self._group or "(" in between or ")" in between:
            return True
        said_text = self._written(said.span) or "…"
        left_out = self._written(expr.span) or "…"
        joined = " ".join(between.split()) or "ou"  # the word written between them
        self.error(f"« {left_out} » reprend la donnée de « {said_text} », qui est dans un autre groupe de "
                   f"la condition (« et » se lit avant « ou ») : la lecture serait ambiguë. Mettez les deux "
                   f"comparaisons entre parenthèses, par exemple « ({said_text} {joined} {left_out}) », "
                   f"ou répétez la donnée", expr.span)
        return False

    def _between(self, before, after) -> str:
        """The words of this file from the end of one span to the start of a later one, without
        the comments of the lines between."""
        if before is None or after is None or before.file != self.tree.name or after.file != before.file:
            return ""
        lines = [source_line(self.text, n) or "" for n in range(before.end_line, after.line + 1)]
        if len(lines) == 1:
            return lines[0][before.end_column - 1:after.column - 1]
        parts = [lines[0][before.end_column - 1:], *lines[1:-1], lines[-1][:after.column - 1]]
        return "\n".join(part.split("#", 1)[0] for part in parts)

    def _written(self, span) -> str | None:
        """The words of this file at a span on one line, as written."""
        if span is None or span.file != self.tree.name or span.line != span.end_line:
            return None
        line = source_line(self.text, span.line) or ""
        return line[span.column - 1:span.end_column - 1]

    def _written_name(self, expr: ast.Comparison) -> ast.Name | None:
        """The words of a comparison without subject, when they are a declared yes/no field or a
        definition: names win over the reading as a comparison (a label may start with « plus de »)."""
        written = self._written(expr.span)
        if written is None:
            return None
        key = normalize(written)
        field = self.fields.get(key)
        if key in self.definition_decls or (field is not None and isinstance(field.type, m.BoolType)):
            return ast.Name(written, span=expr.span)
        return None

    # ---- sums, multiples and durations ----
    def _sum(self, node: ast.Sum) -> "tuple[m.Field, ...] | m.Field | None":
        """The fields of « la somme du loyer et des charges » (a field if the words are a declared name)."""
        written = self._written(node.span)
        if written is not None and normalize(written) in self.fields:
            return self.fields[normalize(written)]  # a declared name wins over the reading as a sum
        if len(node.terms) == 1:
            self.error(f"« {written or node.head + ' ' + node.terms[0].text} » : une somme a au moins deux termes, "
                       f"chacun commençant par de, du, des, de la ou de l' (« la somme du loyer et des charges »)",
                       node.span)
            return None
        found, ok = [], True
        for term in node.terms:
            of = _OF.match(term.text)
            if of is None:
                self.error(f"« {term.text} » : dans une somme, chaque terme commence par de, du, des, de la "
                           f"ou de l' (« la somme du loyer et des charges »)", term.span)
                ok = False
                continue
            field = self._field(ast.Name(term.text[of.end():], span=term.span))
            ok = ok and field is not None
            found.append(field)
        if not ok:
            return None
        for field in found:
            if not isinstance(field.type, (m.MoneyType, m.IntType)):
                self.error(f"« {field.label} » ne s'additionne pas : une somme réunit des montants ou des "
                           f"nombres entiers", node.span)
                return None
        if len({type(f.type) for f in found}) > 1:
            self.error("une somme réunit des données de même nature : des montants ou des nombres entiers, "
                       "pas les deux", node.span)
            return None
        return tuple(found)

    def _sum_predicate(self, left: tuple[m.Field, ...], expr: ast.Comparison):
        """A sum compared with an amount or a number, a field, a multiple or another sum."""
        op, operands, span = expr.op, expr.operands, expr.span
        unbounded = type(left[0].type)()  # a sum may pass each term's bounds

        def constant(value):
            return self._constant_of_type(unbounded, "la somme", value)

        if op == "between":
            low, high = (constant(v) for v in operands)
            if low is None or high is None:
                return None
            return m.All((m.Linear(left, "ge", Fraction(0), (), low, span=span),
                          m.Linear(left, "le", Fraction(0), (), high, span=span)), span=span)
        if op not in _ORDERED_OPS and op != "eq":
            self.error("une somme se compare par « est », « au moins », « au plus », « plus de », « moins de » ou "
                       "« entre … et … »", span)
            return None
        (operand,) = operands
        if isinstance(operand, ast.Value) and _compares_dates(expr.wording):
            self.error(f"« {expr.wording.split()[0]} » compare des dates, pas une somme", span)
            return None
        right = self._operand_fields(left[0], operand)
        if right is False:
            return None
        if right is not None:
            factor, fields = right
            return self._linear(left, op, factor, fields, span)
        value = constant(operand)
        return None if value is None else m.Linear(left, op, Fraction(0), (), value, span=span)

    def _operand_fields(self, field: m.Field, operand):
        """(factor, fields) when the operand is another field, a sum or a multiple; None for a
        constant; False after an error."""
        if isinstance(operand, ast.Multiple):
            factor = self._factor(operand.factor)
            other = self._sum(operand.other) if isinstance(operand.other, ast.Sum) else self._field(operand.other)
            if factor is None or other is None:
                return False
            return factor, other if isinstance(other, tuple) else (other,)
        if isinstance(operand, ast.Sum):
            other = self._sum(operand)
            return False if other is None else (Fraction(1), other if isinstance(other, tuple) else (other,))
        if isinstance(operand, ast.Duration):
            self.error("une durée (« 3 mois avant … ») sépare deux dates : comparez une date", operand.span)
            return False
        other = self._other_field(field, operand)
        return None if other is None else (Fraction(1), (other,))

    def _linear(self, left: tuple[m.Field, ...], op: str, factor: Fraction, right: tuple[m.Field, ...], span,
                bare: bool = False):
        """Σ left op factor × Σ right, between fields of one nature; dates only as they are (`bare`)."""
        first, other = left[0], right[0]
        if any(isinstance(f.type, m.EnumType) for f in (*left, *right)):
            self.error(f"une étape ne se compare pas à une autre donnée : « {first.label} » et "
                       f"« {other.label} »", span)
            return None
        kinds = {type(f.type) for f in (*left, *right)}
        dates = m.DateType in kinds
        if len(kinds) > 1 or (dates and not bare) or not kinds <= {m.MoneyType, m.IntType, m.DateType}:
            self.error(f"« {first.label} » et « {other.label} » ne sont pas de même nature : "
                       f"on ne compare un multiple ou une somme qu'entre montants ou entre nombres", span)
            return None
        return m.Linear(left, op, factor, right, span=span)

    def _duration(self, field: m.Field, op: str, node: ast.Duration, span):
        """`field op count unit avant|après other` between two dates."""
        other = self._field(node.other)
        count = self._count(node.count)
        if other is None or count is None:
            return None
        for date in (field, other):
            if not isinstance(date.type, m.DateType):
                self.error(f"« {date.label} » n'est pas une date : une durée en {node.unit} sépare deux dates",
                           span)
                return None
        unit = "jours" if node.unit.startswith("jour") else "mois" if node.unit == "mois" else "ans"
        if count > _LONGEST[unit]:
            self.error(f"« {node.count.text} {node.unit} » : une durée entre deux dates ne dépasse pas "
                       f"{_LONGEST[unit]} {unit} (les dates vont de l'an 1 à l'an 9999)", node.count.span)
            return None
        return m.Duration(field, op, count, unit, node.direction.startswith(("après", "postérieur")), other, span=span)

    def _count(self, count: ast.Value) -> int | None:
        """A whole number of days, months or years: digits or words (« trois mois »)."""
        if count.kind == "word":
            return self._in_words(count)
        text = _GROUPS.sub("", count.text)
        if "," in text or text.startswith("-"):
            self.error(f"« {count.text} » : une durée se compte en jours, mois ou ans entiers, sans signe",
                       count.span)
            return None
        return int(text)

    def _predicate(self, field: m.Field, expr: ast.Comparison):
        op, operands, span = expr.op, expr.operands, expr.span
        if op in ("known", "unknown"):
            if not field.may_be_unknown:
                self.error(f"« {field.label} » ne peut pas être inconnue : ajoutez « peut être "
                           f"inconnu » à sa déclaration ou retirez ce test", span)
                return None
            known = m.Known(field, span=span)
            return known if op == "known" else m.Not(known, span=span)
        if op == "eq" or op in _ORDERED_OPS:
            return self._ordered(field, expr)
        if op == "between":
            if not field.type.ordered:
                self.error(f"« {field.label} » ne se compare pas par « entre » : réservé aux "
                           f"nombres, montants, dates et étapes", span)
                return None
            low, high = (self._constant(field, v) for v in operands)
            if low is None or high is None:
                return None
            if low > high:
                self.error(f"« entre {operands[0].text} et {operands[1].text} » : la première borne "
                           f"dépasse la seconde", span)
                return None
            return m.Between(field, low, high, span=span)
        if op == "among":
            values = [self._constant(field, v) for v in operands]
            if any(v is None for v in values):
                return None
            return m.Among(field, frozenset(values), span=span)
        if op == "within":
            return self._within(field, operands[0], span)
        raise AssertionError(op)  # pragma: no cover

    def _ordered(self, field: m.Field, expr: ast.Comparison):
        """`est`, `au moins`, `supérieure à`, `≥`, `avant le`…: against a constant, another field or a multiple."""
        op, (operand,), span, wording = expr.op, expr.operands, expr.span, expr.wording or "est"
        if _compares_dates(wording) and not isinstance(field.type, m.DateType):
            self.error(f"« {wording.split()[0]} » compare des dates : pour « {field.label} », écrivez "
                       f"« {'moins de' if op == 'lt' else 'plus de'} »", span)
            return None
        if op != "eq" and not field.type.ordered:
            self.error(f"« {field.label} » ne se compare pas par « {wording} » : réservé aux nombres, "
                       f"montants, dates et étapes", span)
            return None
        if isinstance(operand, ast.Duration):
            if _compares_dates(expr.wording):
                self.error(f"devant une durée, écrivez « au moins », « au plus », « plus de » ou « moins de » : "
                           f"« {field.label} est au moins {operand.count.text} {operand.unit} "
                           f"{operand.direction} … »", span)
                return None
            return self._duration(field, op, operand, span)
        right = self._operand_fields(field, operand)
        if right is False:
            return None
        if right is not None:
            factor, fields = right
            bare = not isinstance(operand, (ast.Multiple, ast.Sum))
            return self._linear((field,), op, factor, fields, span, bare=bare)
        value = self._constant(field, operand)
        return None if value is None else m.Compare(field, op, value, span=span)

    def _other_field(self, field: m.Field, value: ast.Value) -> m.Field | None:
        """The field a word names when a number, amount or date is compared with another field
        (« la dette est supérieure au loyer »): declared names win over numbers in words."""
        if value.kind != "word" or isinstance(field.type, (m.EnumType, m.BoolType, m.CodeType)):
            return None
        return self.fields.get(normalize(value.text))

    def _within(self, field: m.Field, name: ast.Value, span):
        key = normalize(name.text)
        if key in self.tables:
            table = self.tables[key]
            if not isinstance(field.type, m.CodeType):
                self.error(f"« {field.label} » n'est pas un code : elle ne peut pas être cherchée "
                           f"dans la table « {table.name} »", span)
                return None
            self._check_table_keys(table, field)
            return m.Among(field, table.keys, source=table.name, span=span)
        if key in self.sets:
            decl = self.sets[key]
            values = [self._constant(field, v) for v in decl.values]
            if any(v is None for v in values):
                return None
            return m.Among(field, frozenset(values), source=decl.name, span=span)
        if key in self.unreadable_tables:
            return None
        hint = self._suggest(name.text, lambda: [s.name for s in self.sets.values()]
                             + [t.name for t in self.tables.values()])
        self.error(f"ensemble ou table inconnu(e) « {name.text} »{hint}", name.span)
        return None

    def _in_words(self, word: ast.Value) -> int | None:
        """A whole number written in words, or None after saying which number it may have meant."""
        number = number_in_words(word.text)
        if number is None:
            hint = self._suggest(word.text, lambda: list(NUMBER_WORDS)) or (
                " : écrivez-le en chiffres, ou en lettres de « un » à « vingt »")
            self.error(f"« {word.text} » n'est pas un nombre{hint}", word.span)
        return number

    def _factor(self, factor: ast.Value) -> Fraction | None:
        """The constant before « fois »: digits (« 1,5 ») or a whole number in words (« trois »)."""
        if factor.kind == "word":
            number = self._in_words(factor)
            return None if number is None else Fraction(number)
        value = Fraction(_GROUPS.sub("", factor.text).replace(",", "."))
        if value < 0:
            self.error(f"« {factor.text} fois » : le facteur doit être positif", factor.span)
            return None
        return value

    # ---- rules ----
    def _rules(self, decls: list[ast.RuleDecl]) -> tuple[m.Rule, ...]:
        by_name: dict[str, int] = {}
        for index, decl in enumerate(decls):
            key = normalize(decl.name)
            if key in by_name:
                self.error(f"règle « {decl.name} » déjà déclarée ligne {decls[by_name[key]].span.line}", decl.span)
            else:
                by_name[key] = index
        defaults = [d for d in decls if d.condition is None]
        for extra in defaults[1:]:
            self.error(f"une seule règle « dans tous les autres cas » est permise ; la première est "
                       f"« {defaults[0].name} » ligne {defaults[0].span.line}", extra.span)
        rules, overrides = [], []
        for index, decl in enumerate(decls):
            self._repeated(decl.repeated, f"la règle « {decl.name} »")
            targets = []
            for name in decl.exceptions:
                target = by_name.get(normalize(name.text))
                if target is None:
                    hint = self._suggest(name.text, lambda: [d.name for d in decls])
                    self.error(f"règle inconnue « {name.text} »{hint}", name.span)
                elif target == index:
                    self.error(f"la règle « {decl.name} » ne peut pas être une exception à elle-même", name.span)
                elif decls[target].condition is None:
                    self.error(f"« {decls[target].name} » est la règle par défaut : toute règle "
                               f"l'emporte déjà sur elle", name.span)
                else:
                    targets.append(target)
            if decl.condition is None and decl.exceptions:
                self.error("la règle par défaut ne peut pas être une exception", decl.span)
            overrides.append(tuple(dict.fromkeys(targets)))
            service = self._service(decl.service, decl.service_span)
            condition = None
            if decl.condition is not None:
                condition = self._nested(self.condition(decl.condition), decl.condition.span)
            rules.append((decl, service, condition, self._partners(decl)))
        self._check_cycles(decls, overrides)
        return tuple(
            m.Rule(decl.name, index, condition, service, overrides[index], decl.text, decl.reference,
                   decl.motif, partners, span=decl.span)
            for index, (decl, service, condition, partners) in enumerate(rules)
        )

    def _partners(self, decl: ast.RuleDecl) -> tuple[m.Service, ...]:
        """The services named « en lien avec »: declared, other than the rule's own, each once."""
        found: list[m.Service] = []
        spans = decl.partner_spans or (decl.service_span,) * len(decl.partners)
        for code, span in zip(decl.partners, spans):
            service = self.services.get(code)
            if service is None:
                codes = ", ".join(self.services)
                self.error(f"service partenaire inconnu {code}{self._suggest(code, lambda: list(self.services))} ; "
                           f"services déclarés : {codes}", span)
            elif code == decl.service:
                self.error(f"{code} est déjà le service de la règle « {decl.name} » : un partenaire est un "
                           f"autre service, informé en lien avec lui", span)
            elif service in found:
                self.error(f"{code} est nommé deux fois après « en lien avec »", span)
            else:
                found.append(service)
        return tuple(found)

    def _check_cycles(self, decls, overrides) -> None:
        """Report each cycle of exceptions, by a depth-first walk without recursion (a chain of
        exceptions may be thousands of rules long)."""
        state = [0] * len(decls)  # 0 new, 1 on the path, 2 done
        for start in range(len(decls)):
            if state[start]:
                continue
            path, position = [start], {start: 0}
            state[start] = 1
            stack = [iter(overrides[start])]
            while stack:
                node = path[-1]
                target = next(stack[-1], None)
                if target is None:
                    state[node] = 2
                    del position[node]
                    path.pop()
                    stack.pop()
                elif state[target] == 1:
                    names = " → ".join(f"« {decls[i].name} »" for i in path[position[target]:] + [target])
                    self.error(f"exceptions circulaires : {names}", decls[node].span)
                elif state[target] == 0:
                    state[target] = 1
                    position[target] = len(path)
                    path.append(target)
                    stack.append(iter(overrides[target]))

    # ---- examples ----
    def _example(self, decl: ast.ExampleDecl, rules) -> m.Example:
        household: dict[str, object] = {}
        for assignment in decl.assignments:
            field = self._field(assignment.name)
            if field is None:
                continue
            if assignment.value is None:
                if not field.may_be_unknown:
                    self.error(f"« {field.label} » ne peut pas être inconnue", assignment.span)
                household[field.machine] = None
                continue
            value = self._constant(field, assignment.value)
            if value is not None:
                household[field.machine] = field.external(value)
        # An example that leaves out data without a default speaks for every value of the data it
        # leaves out (defaults are then not assumed): the proof checks it over that whole region.
        partial = any(f.machine not in household and not f.has_default for f in self.field_list)
        self._service(decl.service, decl.span)
        for code, span in zip(decl.partners or (), decl.partner_spans or (decl.span,) * len(decl.partners or ())):
            if code not in self.services:
                self.error(f"service partenaire inconnu {code}{self._suggest(code, lambda: list(self.services))} ; "
                           f"services déclarés : {', '.join(self.services)}", span)
        rule = None
        if decl.rule is not None:
            match = [r for r in rules if normalize(r.name) == normalize(decl.rule.text)]
            if not match:
                hint = self._suggest(decl.rule.text, lambda: [r.name for r in rules])
                self.error(f"règle inconnue « {decl.rule.text} »{hint}", decl.rule.span)
            else:
                rule = match[0].name
        return m.Example(decl.name, household, decl.service, rule, decl.partners, partial, span=decl.span)


_HEADER_WORDS = {"Title": "titre", "Reference": "référence", "Version": "version",
                 "Validity": "période de validité"}


def invalid_date(value: ast.Value, error: BadValue) -> str:
    """The message for a date of the charter that cannot be read (in a header or a condition)."""
    return f"date invalide « {value.text} » : attendu {error}"


def _expected(field_type) -> str:
    """What a constant of the charter must be: stages and values by the labels the charter uses."""
    if isinstance(field_type, m.EnumType):
        return "une des valeurs " + ", ".join(v.label for v in field_type.values)
    return field_type.expected


def _compares_dates(wording: str | None) -> bool:
    """Whether comparison words are the ones of dates: « avant », « après la », « antérieure à »."""
    return (wording or "").startswith(("avant", "après", "antérieur", "postérieur"))


#: The article a contracted « de » stands for: « du loyer » is « le loyer ».
_CONTRACTED = {"du": "le ", "des": "les ", "de la": "la ", "de l'": "l'"}
_DETERMINER = re.compile(r"(?:(les|le|la)\s+|(l['’]))(?=\S)", re.IGNORECASE)


def _trailing_article(words: str | None) -> str | None:
    """The article that ends comparison words (« avant la » → « la »), as a determiner."""
    if not words:
        return None
    last = words.rsplit(" ", 1)[-1]
    if last in ("le", "la"):
        return last + " "
    return "l'" if last == "l'" else None


def _determiners(items) -> dict[str, str]:
    """The article the charter first writes before each name it compares (« les enfants à charge »)."""
    found: dict[str, str] = {}

    def note(name, lead: str | None = None) -> None:
        """`lead`: the article the comparison's words end with (« avant la », « après l' »)."""
        if isinstance(name, ast.Sum):  # « du loyer » says « le loyer », « des charges » « les charges »
            for term in name.terms:
                of = _OF.match(term.text)
                key = normalize(term.text[of.end():]) if of else None
                article = _CONTRACTED.get(" ".join(of.group(0).lower().replace("’", "'").split())) if of else None
                if key and article and key not in found:
                    found[key] = article
            return
        if isinstance(name, ast.Multiple):
            return note(name.other)
        if isinstance(name, ast.Duration):
            return note(name.other, _trailing_article(name.direction))
        if isinstance(name, ast.Value) and name.kind == "word" and lead:  # « après la date du jugement »
            found.setdefault(normalize(name.text), lead)
            return
        if not isinstance(name, ast.Name):  # a left-out subject, a value
            return
        match = _DETERMINER.match(name.text)
        if match and normalize(name.text) not in found:
            found[normalize(name.text)] = match.group(1).lower() + " " if match.group(1) else "l'"
        elif lead and normalize(name.text) not in found:
            found[normalize(name.text)] = lead

    def visit(node) -> None:
        match node:
            case ast.Or(operands=ops) | ast.And(operands=ops):
                for op in ops:
                    visit(op)
            case ast.Not(operand=op):
                visit(op)
            case ast.Ref(name=name):
                note(name)
            case ast.Comparison(subject=subject, operands=operands, wording=wording):
                note(subject)
                for operand in operands:
                    note(operand, _trailing_article(wording))

    for item in items:
        if isinstance(item, (ast.DefinitionDecl, ast.IndicatorDecl, ast.RuleDecl)) and item.condition is not None:
            visit(item.condition)
    return found


def _position(diagnostic: Diagnostic) -> tuple:
    span = diagnostic.span
    return (0, "", 0, 0) if span is None else (1, span.file, span.line, span.column)

