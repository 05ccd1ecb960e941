"""Turning the Lark parse tree into the syntax tree of `ast`, keeping every position and comment."""

from __future__ import annotations

from lark import Token, Transformer, Tree, v_args

from ..errors import Span
from . import ast
from .names import clean_text, normalize, strip_accents
from .parser import token_span

__all__ = ["build_ast"]

_LITERALS = {"NAME": "word", "INT": "number", "DECIMAL": "number", "MONEY": "money",
             "DATE": "date", "STRING": "string", "CODE_LITERAL": "code", "OUI": "yes", "NON": "no"}
_PREDICATES = {"equal": "eq", "between": "between", "among": "among", "within": "within",
               "unknown": "unknown", "known": "known"}
#: The operator each comparison word stands for.
_ORDER_WORDS = {"AU_MOINS": "ge", "AU_PLUS": "le", "D_AU_MOINS": "ge", "D_AU_PLUS": "le", "PLUS_DE": "gt", "MOINS_DE": "lt",
                "SUPERIEUR_A": "gt", "SUPERIEUR_OU_EGAL_A": "ge", "INFERIEUR_A": "lt",
                "INFERIEUR_OU_EGAL_A": "le", "EGAL_A": "eq", "AU_DELA_DE": "gt", "AVANT": "lt",
                "APRES": "gt"}
#: Symbols, in their canonical spelling, and (operator, negated).
_SYMBOLS = {">=": "≥", "<=": "≤", "!=": "≠", "<>": "≠"}
_SYMBOL_OPS = {"≥": ("ge", False), "≤": ("le", False), ">": ("gt", False), "<": ("lt", False),
               "=": ("eq", False), "≠": ("eq", True)}
#: Words of the comparison keywords with their accents, keyed without them.
_ACCENTED = {"superieur": "supérieur", "superieure": "supérieure", "superieurs": "supérieurs",
             "superieures": "supérieures", "inferieur": "inférieur", "inferieure": "inférieure",
             "inferieurs": "inférieurs", "inferieures": "inférieures", "egal": "égal",
             "egale": "égale", "egaux": "égaux", "egales": "égales", "a": "à", "dela": "delà",
             "apres": "après", "annee": "année", "annees": "années",
             **{f"{stem}rieur{end}": f"{accented}rieur{end}" for stem, accented in (("ante", "anté"), ("poste", "posté"))
                for end in ("", "e", "s", "es")}}


def build_ast(tree: Tree, filename: str) -> ast.CharterFile:
    items = _Builder(filename).transform(tree)
    return ast.CharterFile(filename, tuple(items))


def _tokens(children, *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _nodes(children, kind):
    return [c for c in children if isinstance(c, kind)]


@v_args(meta=True)
class _Builder(Transformer):
    def __init__(self, filename: str):
        super().__init__()
        self.filename = filename

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.filename, meta.line, meta.column, meta.end_line, meta.end_column)

    def _text(self, token: Token) -> str:
        return clean_text(str(token))

    # ---- file and header ----
    def start(self, meta, children):
        return children

    def comment(self, meta, children):
        return ast.Comment(str(children[0]).rstrip(), span=self._span(meta))

    def charte(self, meta, children):
        return ast.Title(self._text(_tokens(children, "STRING")[0]), span=self._span(meta))

    def reference(self, meta, children):
        return ast.Reference(self._text(_tokens(children, "STRING")[0]), span=self._span(meta))

    def version(self, meta, children):
        token = children[-1]
        text = self._text(token) if token.type == "STRING" else str(token)
        return ast.Version(text, span=self._span(meta))

    def vigueur_from(self, meta, children):
        (date,) = _tokens(children, "DATE")
        return ast.Validity(self._value(date), None, span=self._span(meta))

    def vigueur_between(self, meta, children):
        start, end = _tokens(children, "DATE")
        return ast.Validity(self._value(start), self._value(end), span=self._span(meta))

    # ---- services ----
    def services_heading(self, meta, children):
        return ast.ServicesHeading(span=self._span(meta))

    def service_decl(self, meta, children):
        code = _tokens(children, "SERVICE_CODE")[0]
        label = _tokens(children, "STRING")[0]
        units = _nodes(children, ast.UnitRef)
        return ast.ServiceDecl(str(code), self._text(label), units[0] if units else None,
                               span=self._span(meta))

    def unit_spec(self, meta, children):
        table = _tokens(children, "STRING")[0]
        return ast.UnitRef(self._text(table), _nodes(children, ast.Name)[0], span=self._span(meta))

    # ---- data declarations ----
    def fields_heading(self, meta, children):
        return ast.FieldsHeading(span=self._span(meta))

    def field_decl(self, meta, children):
        name = children[0]
        machine = next((str(c) for c in children if isinstance(c, _MachineName)), None)  # a plain str from here
        type_spec = _nodes(children, ast.TypeSpec)[0]
        unknown = any(isinstance(c, Tree) and c.data == "may_be_unknown" for c in children)
        defaults = [c for c in children if isinstance(c, tuple) and c[0] == "default"]
        repeated = [("par défaut", d[1].span) for d in defaults[1:]]
        repeated += [("motif", m.span) for m in _nodes(children, _Motif)[1:]]
        return ast.FieldDecl(name, machine, type_spec, unknown, defaults[0][1] if defaults else None,
                             _motif(children), tuple(repeated), span=self._span(meta))

    def machine_name(self, meta, children):
        return _MachineName(children[0])  # told apart from the other children; a plain str in the AST

    def may_be_unknown(self, meta, children):
        return Tree("may_be_unknown", [])

    def default_value(self, meta, children):
        return ("default", children[-1])

    def bool_type(self, meta, children):
        return ast.TypeSpec("bool", span=self._span(meta))

    def int_type(self, meta, children):
        return self._bounded("int", meta, children)

    def money_type(self, meta, children):
        return self._bounded("money", meta, children)

    def _bounded(self, kind, meta, children):
        low = high = None
        for child in children:
            if isinstance(child, tuple) and child[0] == "min":
                low = child[1]
            elif isinstance(child, tuple) and child[0] == "max":
                high = child[1]
            elif isinstance(child, tuple) and child[0] == "between":
                low, high = child[1], child[2]
        return ast.TypeSpec(kind, low, high, span=self._span(meta))

    def bound_min(self, meta, children):
        return ("min", self._value(children[-1]))

    def bound_max(self, meta, children):
        return ("max", self._value(children[-1]))

    bound_max_plain = bound_max

    def bound_between(self, meta, children):
        low, high = [c for c in children if c.type in ("INT", "DECIMAL", "MONEY")]
        return ("between", self._value(low), self._value(high))

    def date_type(self, meta, children):
        return ast.TypeSpec("date", span=self._span(meta))

    def code_type(self, meta, children):
        shape, length = _code_shape(str(children[0]))
        return ast.TypeSpec("code", shape=shape, length=length, span=self._span(meta))

    def stage_type(self, meta, children):
        return ast.TypeSpec("stage", values=_nodes(children, tuple)[0], span=self._span(meta))

    def choice_type(self, meta, children):
        return ast.TypeSpec("choice", values=_nodes(children, tuple)[0], span=self._span(meta))

    def enum_values(self, meta, children):
        return tuple(children)

    def enum_value(self, meta, children):
        machine = str(children[1]) if len(children) > 1 else None
        return ast.EnumValueDecl(children[0], machine, span=self._span(meta))

    # ---- sets and tables ----
    def ensemble(self, meta, children):
        name = _tokens(children, "STRING")[0]
        return ast.SetDecl(self._text(name), tuple(_nodes(children, ast.Value)), _motif(children),
                           span=self._span(meta))

    def table(self, meta, children):
        strings = [self._text(t) for t in _tokens(children, "STRING")]
        has_value = bool(_tokens(children, "VALEUR"))
        missing = next((c for c in children if isinstance(c, _Missing)), None)
        name, file, key = strings[:3]
        value = strings[3] if has_value else None
        label = next((c for c in children if isinstance(c, _Label)), None)
        return ast.TableDecl(name, file, key, value, missing.value if missing else None, _motif(children),
                             label.column if label else None, span=self._span(meta))

    def label_column(self, meta, children):
        return _Label(self._text(_tokens(children, "STRING")[0]))

    def missing_code(self, meta, children):
        strings = _tokens(children, "STRING")
        return _Missing(self._text(strings[0]) if strings else None)

    # ---- definitions, indicators, rules ----
    def definition(self, meta, children):
        name = _tokens(children, "STRING")[0]
        condition = next(c for c in reversed(children) if not isinstance(c, _Motif))
        return ast.DefinitionDecl(self._text(name), condition, _motif(children), span=self._span(meta))

    def article(self, meta, children):
        number, title = children[1], _tokens(children, "STRING")[-1]
        text = self._text(number) if number.type == "STRING" else str(number)
        return ast.ArticleDecl(text, self._text(title), _motif(children), span=self._span(meta))

    def motif(self, meta, children):
        return _Motif(self._text(_tokens(children, "STRING")[0]), self._span(meta))

    def indicateur(self, meta, children):
        name = _tokens(children, "STRING")[0]
        return ast.IndicatorDecl(self._text(name), children[-1], span=self._span(meta))

    def regle(self, meta, children):
        name = self._text(_tokens(children, "STRING")[0])
        exceptions = next((c for c in children if isinstance(c, _Exceptions)), _Exceptions(()))
        texts = [c for c in children if isinstance(c, _Texte)]
        references = _nodes(children, ast.Reference)
        motifs = _nodes(children, _Motif)
        conclusion = children[-1]
        return ast.RuleDecl(
            name, exceptions.names, texts[0].text if texts else None,
            references[0].text if references else None,
            tuple(_nodes(children, ast.Comment)), conclusion.condition, str(conclusion.service),
            service_span=token_span(conclusion.service, self.filename), span=self._span(meta),
            text_span=texts[0].span if texts else None,
            reference_span=references[0].span if references else None,
            motif=motifs[0].text if motifs else None, motif_span=motifs[0].span if motifs else None,
            repeated=tuple((word, c.span) for word, found in (("texte", texts), ("référence", references),
                                                              ("motif", motifs)) for c in found[1:]),
            partners=conclusion.partners.codes, partner_spans=conclusion.partners.spans,
        )

    def exceptions(self, meta, children):
        names = [ast.Name(self._text(t), span=token_span(t, self.filename))
                 for t in _tokens(children, "STRING")]
        return _Exceptions(tuple(names))

    def texte(self, meta, children):
        return _Texte(self._text(_tokens(children, "STRING")[0]), self._span(meta))

    def rule_if(self, meta, children):
        return _Conclusion(children[1], _tokens(children, "SERVICE_CODE")[0], _partners(children))

    def rule_default(self, meta, children):
        return _Conclusion(None, _tokens(children, "SERVICE_CODE")[0], _partners(children))

    def partners(self, meta, children):
        codes = _tokens(children, "SERVICE_CODE")
        return _Partners(tuple(str(c) for c in codes), tuple(token_span(c, self.filename) for c in codes))

    # ---- conditions ----
    def or_expr(self, meta, children):
        return ast.Or(tuple(c for c in children if not isinstance(c, Token)), span=self._span(meta))

    def and_expr(self, meta, children):
        return ast.And(tuple(c for c in children if not isinstance(c, Token)), span=self._span(meta))

    def negation(self, meta, children):
        return ast.Not(children[-1], span=self._span(meta))

    def reference_to(self, meta, children):
        return ast.Ref(children[0], span=self._span(meta))

    def comparison(self, meta, children):
        subject, *rest = children
        return self._comparison(subject, rest, meta)

    def elided(self, meta, children):
        return self._comparison(None, children, meta)

    def _comparison(self, subject, rest, meta) -> ast.Comparison:
        negated = rest[0] if len(rest) == 2 else False  # the verb, when one is written
        predicate: _Predicate = rest[-1]
        return ast.Comparison(subject, negated != predicate.negated, predicate.op, predicate.operands,
                              predicate.wording, span=self._span(meta))

    def verb(self, meta, children):
        return children[0].type == "N_EST_PAS"

    def _predicate(self, data, children):
        if data in ("unknown", "known"):  # « inconnue », « connus »: the agreement as written
            return _Predicate(_PREDICATES[data], (), _wording(str(children[0])))
        operands = tuple(c for c in children if not isinstance(c, Token) or c.type == "STRING")
        operands = tuple(
            ast.Value("string", self._text(c), span=token_span(c, self.filename))
            if isinstance(c, Token) else c
            for c in operands
        )
        return _Predicate(_PREDICATES[data], operands)

    def __default__(self, data, children, meta):
        if data in _PREDICATES:
            return self._predicate(data, children)
        return super().__default__(data, children, meta)

    def ordered(self, meta, children):
        word, operand = children
        return _Predicate(_ORDER_WORDS[word.type], (operand,), _wording(str(word)))

    def symbolic(self, meta, children):
        symbol, operand = children
        canonical = _SYMBOLS.get(str(symbol), str(symbol))
        op, negated = _SYMBOL_OPS[canonical]
        return _Predicate(op, (operand,), canonical, negated)

    def sum(self, meta, children):
        return ast.Sum(tuple(_nodes(children, ast.Name)), _wording(str(children[0])), span=self._span(meta))

    def multiple(self, meta, children):
        factor, other = children[0], children[-1]
        return ast.Multiple(self._value(factor), other, span=self._span(meta))

    def duration(self, meta, children):
        count, unit, direction, other = children
        return ast.Duration(self._value(count), _wording(str(unit)), _wording(str(direction)), other,
                            span=self._span(meta))

    # ---- examples ----
    def exemple(self, meta, children):
        strings = _tokens(children, "STRING")
        rule = None
        if len(strings) > 1:
            rule = ast.Name(self._text(strings[1]), span=token_span(strings[1], self.filename))
        service = _tokens(children, "SERVICE_CODE")[0]
        partners = next((c for c in children if isinstance(c, _Partners)), None)
        return ast.ExampleDecl(self._text(strings[0]), tuple(_nodes(children, ast.Assignment)),
                               str(service), rule, partners.codes if partners else None,
                               partners.spans if partners else (), span=self._span(meta))

    def assignment(self, meta, children):
        name, value = children[0], children[-1]
        if isinstance(value, Token):  # INCONNU
            value = None
        return ast.Assignment(name, value, span=self._span(meta))

    # ---- names and values ----
    def name(self, meta, children):
        token = children[0]
        return ast.Name(str(token), span=token_span(token, self.filename))

    term = name

    def _value(self, token: Token) -> ast.Value:
        text = self._text(token) if token.type == "STRING" else str(token)
        return ast.Value(_LITERALS.get(token.type, "number"), text, span=token_span(token, self.filename))

    def _single_value(self, meta, children):
        return self._value(children[0])

    word_value = number_value = money_value = date_value = string_value = _single_value
    yes_value = no_value = code_value = _single_value


def _code_shape(token: str) -> tuple[str | None, int | None]:
    """The shape of « code … »: None, "commune", ("chiffres" or "caracteres", N), or the words as
    written when they name no shape (the checker reports them)."""
    words = token.split()[1:]
    key = [normalize(w) for w in words]
    if not key:
        return None, None
    if key == ["commune"]:
        return "commune", None
    if len(key) == 3 and key[0] == "de" and key[1].isdigit() and key[1].isascii() and key[2] in _CODE_UNITS:
        digits = key[1].lstrip("0") or "0"
        return _CODE_UNITS[key[2]], int(digits) if len(digits) <= 9 else 10**9  # far too long: the checker says so
    return " ".join(words), None


_CODE_UNITS = {"chiffre": "chiffres", "chiffres": "chiffres", "caractere": "caracteres", "caracteres": "caracteres"}


class _MachineName(str):
    """The bracketed CSV/JSON name of a field or value, while building (the AST and the checked
    model get a plain str: they pickle without importing Lark)."""


def _motif(children) -> str | None:
    motifs = _nodes(children, _Motif)
    return motifs[0].text if motifs else None


class _Motif:
    def __init__(self, text, span=None):
        self.text = text
        self.span = span


class _Label:
    def __init__(self, column):
        self.column = column


class _Missing:
    def __init__(self, value):
        self.value = value


class _Exceptions:
    def __init__(self, names):
        self.names = names


class _Texte:
    def __init__(self, text, span=None):
        self.text = text
        self.span = span


class _Conclusion:
    def __init__(self, condition, service, partners):
        self.condition = condition
        self.service = service
        self.partners = partners


class _Partners:
    def __init__(self, codes=(), spans=()):
        self.codes = codes
        self.spans = spans


def _partners(children) -> _Partners:
    return next((c for c in children if isinstance(c, _Partners)), _Partners())


class _Predicate:
    """A comparison's operator, operands and words, before its subject and verb are known."""

    def __init__(self, op, operands, wording=None, negated=False):
        self.op = op
        self.operands = operands
        self.wording = wording
        self.negated = negated


def _wording(token: str) -> str:
    """Comparison words in one spelling: lower case, single spaces, straight apostrophe, accents."""
    words = token.casefold().replace("’", "'").split()
    text = " ".join(_ACCENTED.get(strip_accents(w), w) for w in words)
    return text.replace("au-dela", "au-delà").replace("au delà", "au-delà")
