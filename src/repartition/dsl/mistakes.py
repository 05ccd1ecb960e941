"""Syntax errors in plain French: what was being read, what may follow, and hints for typical mistakes.

The parser (the only module that sees Lark's exceptions) describes where it stopped as plain data,
a `Stuck`: the piece it could not read, the terminals it would have accepted, and the pieces of the
declaration it was reading. This module turns that into a message a policy officer can act on:
« dans la condition de la règle « A » : … ; on attend ici une comparaison (est, est au moins…) ».
Hints for the common mistakes take a second look at the text (the declared services and data), and
may move the error to where the mistake really is (`alors MSA sinon CAF` is read up to the next
rule: the mistake is « sinon », on the line before).
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from attrs import frozen

from .names import normalize

__all__ = ["Piece", "Stuck", "explain", "spelt_number", "thousands_hint", "MISTAKES", "COMPARISONS", "EXPECTED",
           "TERMINAL_WORDS"]

_RULE = "services\n  CAF : « c »\nrègle « R »\n"

#: message → snippets that fail in the same parser state (Lark's match_examples): hints that only
#: the state tells apart. The message follows the « where » of the error.
MISTAKES: dict[str, list[str]] = {
    "il manque « alors » entre la condition et le service": [
        _RULE + "  si aide au logement\n  CAF",
        _RULE + "  si enfants à charge est au moins 1\n  CAF",
        _RULE + "  si enfants à charge est assignation\n  CAF",
    ],
    "après un nombre, attendu « fois » (« 3 fois le loyer »), une durée en jours, mois ou ans (« 3 mois "
    "avant la date du signalement ») ou la suite de la condition": [
        _RULE + "  si la dette est au moins 3 loyers alors CAF",
    ],
    "il manque la valeur après « est »": [
        _RULE + "  si aide au logement est alors CAF",
        _RULE + "  si aide au logement n'est pas alors CAF",
    ],
    "il manque une condition après « et », « ou » ou « non »": [
        _RULE + "  si aide au logement et alors CAF",
        _RULE + "  si aide au logement ou alors CAF",
        _RULE + "  si non alors CAF",
    ],
    "un commentaire ne peut pas couper une condition : placez-le au-dessus de la règle": [
        _RULE + "  si aide au logement # commentaire\n  alors CAF",
        _RULE + "  si aide au logement et # commentaire\n  enfants à charge est 1 alors CAF",
    ],
    "il manque la condition : écrivez « si … alors SERVICE » ou « dans tous les autres cas, SERVICE »": [
        _RULE + "  texte « t »\nrègle « S »",
        _RULE + "  alors CAF",
    ],
}

#: The comparisons of the language, as a condition writes them (listed when a comparison is unknown).
COMPARISONS = ("est", "n'est pas", "est au moins", "est au plus", "est plus de", "est moins de",
               "est supérieur à", "est supérieur ou égal à", "est inférieur à", "est inférieur ou égal à",
               "est égal à", "est au-delà de", "est avant", "est après", "est antérieur à", "est postérieur à",
               "est entre … et …", "est parmi", "est dans « … »", "est inconnu", "est connu")

#: What may follow, in words: each group of terminals and how a message names it. A terminal's own
#: words (TERMINAL_WORDS) are listed after the group's name when the group holds several.
EXPECTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("une comparaison", ("EST", "N_EST_PAS")),
    ("un mot de comparaison", ("AU_MOINS", "AU_PLUS", "PLUS_DE", "MOINS_DE", "SUPERIEUR_A", "SUPERIEUR_OU_EGAL_A",
                               "INFERIEUR_A", "INFERIEUR_OU_EGAL_A", "EGAL_A", "AU_DELA_DE", "AVANT", "APRES",
                               "SYMBOL", "ENTRE", "PARMI", "DANS", "INCONNU", "CONNU")),
    ("une valeur", ("INT", "DECIMAL", "MONEY", "DATE", "STRING", "CODE_LITERAL", "OUI", "NON", "SOMME", "NAME")),
    ("", ("ET", "ET_DE", "ET_A", "OU", "RPAR", "FOIS", "UNIT", "ALORS", "SERVICE_CODE", "EN_LIEN_AVEC")),
    ("la condition de la règle", ("SI", "DANS_TOUS_LES_AUTRES_CAS", "SINON")),
    ("une précision de la règle", ("PAR_EXCEPTION_A", "TEXTE", "REFERENCE", "MOTIF")),
    ("un type", ("OUI_OU_NON", "NOMBRE_ENTIER", "MONTANT_EN_EUROS", "DATE_TYPE", "CODE_TYPE", "CODE_SHAPE",
                 "ETAPE_PARMI", "VALEUR_PARMI")),
    ("des bornes", ("D_AU_MOINS", "D_AU_PLUS")),
    ("une option de la donnée", ("PEUT_ETRE_INCONNU", "PAR_DEFAUT")),
    ("", ("COLON", "COMMA", "LPAR", "LSQB", "RSQB", "IDENT", "ATTENDU", "PAR", "AU", "D_APRES", "UNITE_SELON",
          "FICHIER", "CLE", "VALEUR", "LIBELLE", "CODE_ABSENT", "REFUSER", "VERSION_TEXT")),
    ("une nouvelle déclaration", ("REGLE", "DEFINITION", "INDICATEUR", "EXEMPLE", "ENSEMBLE", "TABLE", "ARTICLE",
                                  "CHARTE", "VERSION", "EN_VIGUEUR_A_PARTIR_DU", "EN_VIGUEUR_DU", "SERVICES",
                                  "DONNEES_DU_MENAGE")),
    ("", ("$END",)),
)

#: Each terminal as a charter writes it (a keyword, or what kind of thing it is).
TERMINAL_WORDS: dict[str, str] = {
    "EST": "est", "N_EST_PAS": "n'est pas",
    "AU_MOINS": "au moins", "AU_PLUS": "au plus", "PLUS_DE": "plus de", "MOINS_DE": "moins de",
    "ENTRE": "entre … et …", "PARMI": "parmi", "DANS": "dans « … »", "INCONNU": "inconnu", "CONNU": "connu",
    "INT": "un nombre", "DECIMAL": "un nombre", "MONEY": "un montant (2 000 €)", "DATE": "une date (1er mars 2026)",
    "STRING": "un texte entre « »", "CODE_LITERAL": "un code", "OUI": "oui", "NON": "non",
    "SUPERIEUR_A": "supérieur à", "SUPERIEUR_OU_EGAL_A": "supérieur ou égal à", "INFERIEUR_A": "inférieur à",
    "INFERIEUR_OU_EGAL_A": "inférieur ou égal à", "EGAL_A": "égal à", "AU_DELA_DE": "au-delà de",
    "AVANT": "avant", "APRES": "après", "SYMBOL": "≥, ≤, >, <, =, ≠",
    "SOMME": "la somme de … et de …",
    "NAME": "un nom",
    "ET": "« et »", "OU": "« ou »", "RPAR": "« ) » qui ferme la parenthèse", "FOIS": "« fois » (3 fois le loyer)",
    "ET_DE": "« et de … », le terme suivant de la somme", "UNIT": "une unité de durée (jours, mois ou ans)",
    "EN_LIEN_AVEC": "« en lien avec » (les services informés)", "ET_A": "« et à »",
    "ALORS": "« alors » suivi du code du service",
    "SERVICE_CODE": "le code d'un service (en majuscules sans accents, par exemple CAF)",
    "SI": "« si … alors … »", "DANS_TOUS_LES_AUTRES_CAS": "« dans tous les autres cas, … »", "SINON": "« sinon … »",
    "PAR_EXCEPTION_A": "« par exception à « … » »", "TEXTE": "« texte « … » »", "REFERENCE": "« référence « … » »",
    "MOTIF": "« motif « … » »",
    "OUI_OU_NON": "oui ou non", "NOMBRE_ENTIER": "nombre entier", "MONTANT_EN_EUROS": "montant en euros",
    "DATE_TYPE": "date", "CODE_TYPE": "code", "ETAPE_PARMI": "étape parmi (…)", "VALEUR_PARMI": "valeur parmi (…)",
    "CODE_SHAPE": "code commune, code de 5 chiffres",
    "D_AU_MOINS": "d'au moins …", "D_AU_PLUS": "d'au plus …",
    "PEUT_ETRE_INCONNU": "peut être inconnu", "PAR_DEFAUT": "par défaut …",
    "COLON": "« : »", "COMMA": "« , »", "LPAR": "« ( »", "LSQB": "« [ » et le nom technique",
    "RSQB": "« ] »", "IDENT": "un nom technique (minuscules, chiffres et _)", "ATTENDU": "« attendu » et le service",
    "PAR": "« par » et le nom de la règle", "AU": "« au » et la date de fin", "D_APRES": "« d'après » et la donnée",
    "UNITE_SELON": "« unités selon la table « … » »", "FICHIER": "« fichier « … » »", "CLE": "« clé « … » »",
    "VALEUR": "« valeur « … » »", "LIBELLE": "« libellé « … » »", "CODE_ABSENT": "« code absent : … »",
    "REFUSER": "« refuser »", "VERSION_TEXT": "un numéro de version",
    "REGLE": "règle", "DEFINITION": "définition", "INDICATEUR": "indicateur", "EXEMPLE": "exemple",
    "ENSEMBLE": "ensemble", "TABLE": "table", "ARTICLE": "article", "CHARTE": "charte", "VERSION": "version",
    "EN_VIGUEUR_A_PARTIR_DU": "en vigueur à partir du …", "EN_VIGUEUR_DU": "en vigueur du … au …",
    "SERVICES": "services", "DONNEES_DU_MENAGE": "données du ménage",
    "$END": "la fin du fichier", "COMMENT": "un commentaire",
}
_GROUP = {t: name for name, terminals in EXPECTED for t in terminals}
_ORDER = {t: i for i, t in enumerate(t for _, terminals in EXPECTED for t in terminals)}


@frozen
class Piece:
    """A piece of text the parser read: a terminal (NAME, STRING…) or a rule of the grammar it
    reduced (name, comparison…), with its text and where it is (end column exclusive)."""

    kind: str
    text: str
    line: int
    column: int
    end_line: int
    end_column: int


@frozen
class Stuck:
    """Where the parser stopped, as plain data.

    `found` is what it could not read (a token, or a single character when no token matches;
    None at the end of the file); `expected`, the terminals it would have accepted; `pieces`,
    what it read of the declaration in progress (after the last complete one, `before`);
    `previous`, the last token it read; `matched`, the message of the table of typical mistakes
    for its state.
    """

    found: Piece | None
    expected: frozenset[str]
    pieces: tuple[Piece, ...]
    previous: Piece | None
    matched: str | None = None
    before: Piece | None = None  # the last complete declaration


def explain(stuck: Stuck, text: str) -> tuple[str, tuple[int, int, int]]:
    """The French message of a syntax error and where to show it: (line, column, end column).

    The message says where the parser was (« dans la condition de la règle « A » »), then what is
    wrong: a hint for a typical mistake, or what it found and what may follow, in words.
    """
    look = _Look(stuck, text)
    for hint in _HINTS:
        found = hint(look)
        if found is not None:
            message, where, *context = found
            return _with_context(context[0] if context else _where(stuck.pieces), message), where
    return _with_context(_where(stuck.pieces), _generic(look)), _location(look)


def _generic(look: "_Look") -> str:
    """What was found and what may follow, when no hint knows the mistake better."""
    stuck = look.stuck
    if stuck.matched:
        return stuck.matched
    expected, single = _expected_text(stuck), _single(stuck)
    if stuck.found is None:
        return f"le fichier s'arrête avant la fin ; on attend encore {expected}"
    if _location(look) != _at(stuck.found):  # the line before is unfinished
        line = stuck.previous.end_line
        if stuck.previous.kind == "COMMA":
            return (f"la ligne {line} finit par une virgule, qui annonce encore {expected} ; si la déclaration "
                    "est complète, retirez cette virgule")
        missing = f"il manque {expected}" if single else f"on attend encore {expected}"
        return f"la ligne {line} s'arrête avant la fin : {missing}{_opened(stuck)}"
    if single in _PUNCTUATION:
        return f"il manque {TERMINAL_WORDS[single]} avant {look.written_text()}"
    return f"{look.written_text()} inattendu ; on attend ici {expected}{look.close_word()}"


def _single(stuck: Stuck) -> str | None:
    """The one terminal that may follow, if only one may (comments and the end of file aside)."""
    left = stuck.expected - _QUIET
    return next(iter(left)) if len(left) == 1 else None


def _opened(stuck: Stuck) -> str:
    """« (la parenthèse est ouverte ligne 65, colonne 10) » when a bracket of the declaration is still open."""
    opened = []
    for piece in stuck.pieces:
        if piece.kind in ("LPAR", "LSQB"):
            opened.append(piece)
        elif piece.kind in ("RPAR", "RSQB") and opened:
            opened.pop()
    if not opened:
        return ""
    return f" (la parenthèse est ouverte ligne {opened[-1].line}, colonne {opened[-1].column})"


_PUNCTUATION = {"COLON", "COMMA", "LPAR", "RPAR", "LSQB", "RSQB"}


# ---- what was being read ----------------------------------------------------------------------

_DECLARATIONS = {
    "DEFINITION": "la définition", "INDICATEUR": "l'indicateur", "EXEMPLE": "l'exemple", "ENSEMBLE": "l'ensemble",
    "TABLE": "la table", "ARTICLE": "l'article",
}
_HEADER = {
    "CHARTE": "dans le titre de la charte", "REFERENCE": "dans la référence de la charte",
    "VERSION": "dans la version de la charte", "EN_VIGUEUR_A_PARTIR_DU": "dans la date d'entrée en vigueur",
    "EN_VIGUEUR_DU": "dans les dates de validité", "MOTIF": "dans un motif",
}
#: Inside a rule, the last of these keywords read says which part was being read.
_RULE_PARTS = {
    "SI": "dans la condition de {rule}", "ALORS": "après « alors », dans {rule}",
    "DANS_TOUS_LES_AUTRES_CAS": "dans {rule}, après « dans tous les autres cas »", "SINON": "dans {rule}, après « sinon »",
    "PAR_EXCEPTION_A": "dans les exceptions de {rule}", "TEXTE": "dans le texte de {rule}",
    "REFERENCE": "dans la référence de {rule}", "MOTIF": "dans le motif de {rule}",
}


_CLAUSES = {"TEXTE": "son texte", "REFERENCE": "sa référence", "MOTIF": "son motif",
            "PAR_EXCEPTION_A": "ses exceptions"}


def _where(pieces: tuple[Piece, ...]) -> str:
    """The declaration being read, and which part of it, in words (empty between declarations)."""
    if not pieces:
        return ""
    head, kinds = pieces[0], [p.kind for p in pieces]
    name = next((_quoted(p.text) for p in pieces[1:3] if p.kind == "STRING"), None)
    if head.kind == "REGLE":
        rule = f"la règle « {name} »" if name else "la règle"
        last = next((i for i in range(len(kinds) - 1, 0, -1) if kinds[i] in _RULE_PARTS), None)
        if last is None:
            return f"dans l'en-tête de {rule}"
        if kinds[last] in _CLAUSES and last + 1 < len(kinds):  # its text read: the clause is complete
            return f"dans {rule}, après {_CLAUSES[kinds[last]]}"
        return _RULE_PARTS[kinds[last]].format(rule=rule)
    if head.kind in _DECLARATIONS:
        what = _DECLARATIONS[head.kind] + (f" « {name} »" if name else "")
        if head.kind == "EXEMPLE" and "ATTENDU" in kinds:
            return f"après « attendu », dans {what}"
        if head.kind in ("DEFINITION", "INDICATEUR") and "COLON" in kinds:
            return f"dans la condition de {what}"
        return f"dans {what}"
    if head.kind in _HEADER:
        return _HEADER[head.kind]
    if head.kind == "SERVICE_CODE":
        return f"dans la déclaration du service {head.text}"
    if head.kind in ("name", "NAME") and len(pieces) > 1:
        what = f"la donnée « {head.text} »"
        if "LPAR" in kinds and "RPAR" not in kinds:
            return f"dans la liste des valeurs de {what}"
        if kinds[-1] == "COLON":
            return f"dans le type de {what}"
        return f"dans la déclaration de {what}"
    return ""


def _with_context(where: str, detail: str) -> str:
    return f"{where} : {detail}" if where else detail


def _rule_name(piece: Piece | None) -> str | None:
    """The name of a complete rule (its source text), if the piece is one."""
    if piece is None or piece.kind != "regle":
        return None
    match = re.match(r"\s*\S+\s*(«[^»]*»|\"[^\"]*\")", piece.text)
    return _quoted(match[1]) if match else None


# ---- what may follow --------------------------------------------------------------------------

#: Terminals never worth listing, or listed only when nothing else may follow.
_QUIET = frozenset({"COMMENT", "$END"})
#: What may start a declaration: when they may follow, the declaration in progress may end here.
_STARTERS = frozenset(t for name, terminals in EXPECTED if name == "une nouvelle déclaration" for t in terminals)
#: What may start a condition.
_CONDITION = frozenset({"NAME", "NON", "LPAR"})


def _expected_text(stuck: Stuck) -> str:
    """The accepted terminals in words, grouped: « une comparaison (est, n'est pas…) ou « alors » … »."""
    expected = {t for t in stuck.expected if not t.startswith("__") and t != "COMMENT"}
    if len(expected) > 1:
        expected.discard("$END")
    single = _single(stuck)
    if single is not None:
        return _words(single, stuck)
    parts, last = [], []
    if expected & _STARTERS:  # the declaration may end here: what starts one is a single choice
        expected -= _STARTERS | {"NAME", "SERVICE_CODE", "REFERENCE", "MOTIF", "$END"}
        last = ["la fin de la déclaration (une nouvelle déclaration commence à la ligne suivante : "
                "règle, définition, exemple…)"]
    if _CONDITION <= expected and "INT" not in expected:  # where a condition starts
        expected -= _CONDITION
        parts.append("une condition (une comparaison comme « la dette est au moins 500 € », le nom d'une "
                     "définition, « non … » ou « ( … ) »)")
    groups: dict[str, list[str]] = {}
    for terminal in sorted(expected, key=lambda t: _ORDER.get(t, len(_ORDER))):
        words = _words(terminal, stuck)
        group = groups.setdefault(_GROUP.get(terminal, ""), [])
        if words not in group:
            group.append(words)
    for group, words in groups.items():
        if group == "une comparaison":
            parts.append("une comparaison (" + ", ".join(COMPARISONS[:6]) + "…)")
        elif group:
            parts.append(f"{group} ({', '.join(words)})")
        else:
            parts.extend(words)
    parts = (parts + last)[:5]
    if not parts:
        return "autre chose"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " ou " + parts[-1]


def _words(terminal: str, stuck: Stuck) -> str:
    if terminal == "NAME":
        kinds = [p.kind for p in stuck.pieces]
        if "verb" in kinds and kinds[-1] in ("verb", "AU_MOINS", "AU_PLUS", "PLUS_DE", "MOINS_DE", "ENTRE",
                                             "PARMI", "COMMA", "ET"):
            return "une valeur de la liste"
        if not stuck.pieces:
            return "le nom d'une donnée"
        return "le nom d'une donnée ou d'une définition"
    if terminal in TERMINAL_WORDS:
        return TERMINAL_WORDS[terminal]
    # A terminal added to the grammar without words here still reads as words, never as its name.
    return "« " + terminal.lower().replace("_", " ") + " »"


# ---- where to show it -------------------------------------------------------------------------

def _at(piece: Piece | None) -> tuple[int, int, int]:
    if piece is None:
        return (1, 1, 2)
    return (piece.line, piece.column, piece.end_column if piece.end_line == piece.line else piece.column + 1)


def _after(piece: Piece) -> tuple[int, int, int]:
    return (piece.end_line, piece.end_column, piece.end_column + 1)


def _location(look: "_Look") -> tuple[int, int, int]:
    """Where the mistake is: at what could not be read; but when that starts a line and the line
    before is left unfinished (an open bracket, a word that needs a sequel, or a keyword that only
    starts a line), at the end of that line: the mistake is there, not on the next rule."""
    stuck = look.stuck
    found, previous = stuck.found, stuck.previous
    if found is None:  # the end of the file: after the last thing read
        return (1, 1, 2) if previous is None else _after(previous)
    if previous is None or previous.end_line >= found.line or not stuck.pieces:
        return _at(found)
    unfinished = (_opened(stuck) or previous.kind in _NEEDS_SEQUEL or found.kind in _LINE_STARTERS)
    if unfinished and not (found.kind == "SERVICE_CODE" and stuck.expected & {"ALORS", "ATTENDU"}):
        return (previous.line, previous.column, previous.end_column) if previous.kind == "COMMA" else _after(previous)
    return _at(found)


#: Tokens that usually start a line: found there, they say the line before was left unfinished.
_LINE_STARTERS = {"REGLE", "DEFINITION", "INDICATEUR", "EXEMPLE", "ENSEMBLE", "TABLE", "ARTICLE", "CHARTE",
                  "REFERENCE", "VERSION", "SERVICES", "DONNEES_DU_MENAGE", "ALORS", "SI", "TEXTE", "MOTIF",
                  "ATTENDU", "DANS_TOUS_LES_AUTRES_CAS", "SINON", "EN_VIGUEUR_A_PARTIR_DU", "EN_VIGUEUR_DU"}
#: Tokens that cannot end a line's thought: what they announce is missing.
_NEEDS_SEQUEL = {"ET", "OU", "NON", "EST", "N_EST_PAS", "AU_MOINS", "AU_PLUS", "PLUS_DE", "MOINS_DE", "ENTRE",
                 "PARMI", "DANS", "ALORS", "SI", "COLON", "COMMA", "PAR_EXCEPTION_A", "ATTENDU", "PAR", "LPAR",
                 "LSQB", "FOIS", "TEXTE", "REFERENCE", "MOTIF", "DANS_TOUS_LES_AUTRES_CAS", "SINON", "UNIT", "AVANT",
                 "APRES", "SYMBOL", "EN_LIEN_AVEC"}


# ---- a second look at the text ------------------------------------------------------------------

_SERVICE_LINE = re.compile(r"^[ \t]*([^\W\d][\w]*)[ \t]*:[ \t]*(«[^»\n]*»?|\"[^\"\n]*\"?)", re.MULTILINE)
_FIELDS_HEADING = re.compile(r"^donn[ée]es\s+du\s+m[ée]nage\b", re.IGNORECASE)
_FIELD_LINE = re.compile(r"^[ \t]+([^\W\d_][^\[:\n]*?)[ \t]*(?:\[[^\]\n]*\])?[ \t]*:")


class _Look:
    """Where the parser stopped, and a second look at the text: the services and data the charter
    declares (the text did not parse, so the checker cannot say), and what is written there."""

    def __init__(self, stuck: Stuck, text: str):
        self.stuck = stuck
        self.lines = text.splitlines()
        self.services: dict[str, str] = {}  # code → label
        for match in _SERVICE_LINE.finditer(text):
            if _is_code(match[1]):
                self.services[match[1]] = _quoted(match[2].rstrip("»\"") + match[2][:1].replace("«", "»"))
        self.fields: list[str] = []
        inside = False
        for line in self.lines:
            if _FIELDS_HEADING.match(line):
                inside = True
            elif line[:1] not in ("", " ", "\t", "#"):
                inside = False
            elif inside and (match := _FIELD_LINE.match(line)):
                self.fields.append(match[1].strip())

    def written(self) -> str:
        """What is written where the parser stopped (its first line)."""
        found = self.stuck.found
        return "" if found is None or not found.text else found.text.splitlines()[0]

    def written_text(self) -> str:
        found = self.stuck.found
        if found.kind == "CHARACTER":
            return f"le caractère « {found.text} »"
        text = self.written()
        if found.kind == "STRING":
            return f"le texte {text}…" if text != found.text else f"le texte {text}"
        return f"« {text} »"

    def span(self) -> tuple[int, int, int]:
        """The location of what is written where the parser stopped."""
        found = self.stuck.found
        return (found.line, found.column, found.column + len(self.written()))

    def close_word(self) -> str:
        """« ; vouliez-vous dire « nombre entier » ? » when what is written is close to an expected keyword."""
        found = self.stuck.found
        if found is None or found.kind == "CHARACTER":
            return ""
        line = self.lines[found.line - 1][found.column - 1:] if found.line <= len(self.lines) else ""
        first = normalize(line.split()[0]) if line.split() else ""
        for terminal in sorted(self.stuck.expected):
            keyword = _plain(terminal)
            if keyword is None:
                continue
            written = normalize(" ".join(line.split()[:len(keyword.split())]))
            if (first in normalize(keyword).split() or normalize(keyword).startswith(written)
                    or difflib.SequenceMatcher(None, written, normalize(keyword)).ratio() > 0.8):
                return f" ; vouliez-vous dire « {keyword} » ?"
        return ""

    def service_like(self, written: str) -> str | None:
        """The declared code that a service written with accents, in lower case, or by its label stands for."""
        key = _code_key(written)
        for code, label in self.services.items():
            if _code_key(code) == key or normalize(label) == normalize(written):
                return code
        return None

    def field_prefix(self, name: str) -> tuple[str, str] | None:
        """(declared label, the words after it) when a name starts with a declared label."""
        words = name.split()
        for cut in range(len(words) - 1, 0, -1):
            head = " ".join(words[:cut])
            if any(normalize(head) == normalize(label) for label in self.fields):
                return head, " ".join(words[cut:])
        return None


def _plain(terminal: str) -> str | None:
    """A keyword's own words (« par exception à »), or None for what is not a keyword (a name, a value)."""
    if terminal not in TERMINAL_WORDS or terminal in _NOT_KEYWORDS:
        return None
    words = " ".join(re.sub(r"\([^)]*\)|[«»…()]", " ", TERMINAL_WORDS[terminal]).split())
    return words if re.fullmatch(r"[^\W\d_][\w' ]*", words) else None


_NOT_KEYWORDS = {"NAME", "IDENT", "INT", "DECIMAL", "MONEY", "DATE", "STRING", "CODE_LITERAL", "SERVICE_CODE",
                 "VERSION_TEXT", "COMMENT", "$END", "ALORS", "ATTENDU", "PAR", "AU", "D_APRES"}


def _is_code(word: str) -> bool:
    return word == word.upper() and not word.isdigit()


def _code_key(text: str) -> str:
    plain = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", plain.strip()).upper()


def _quoted(text: str) -> str:
    return " ".join(text[1:-1].split()) if text[:1] in "«\"" else text


def _list(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


# ---- hints for the common mistakes --------------------------------------------------------------
#
# Each looks at where the parser stopped and at the text, and returns (message, location) or None,
# or (message, location, where) when the mistake is not in the declaration the parser was reading.

def _runaway_text(look: _Look):
    """A text left open that runs over the next lines until a later quote closes it."""
    stuck = look.stuck
    for piece in (stuck.previous, *reversed(stuck.pieces)):
        if piece is None or piece.kind != "STRING" or piece.end_line - piece.line < 2:
            continue
        if any(_STATEMENT.match(line) for line in piece.text.splitlines()[1:]):
            closing = "»" if piece.text.startswith("«") else '"'
            return (f"ce texte, ouvert ligne {piece.line}, n'est refermé que ligne {piece.end_line} : il manque "
                    f"sans doute le guillemet fermant « {closing} » à la fin de la ligne {piece.line}",
                    (piece.line, piece.column, piece.column + 1))
    return None


_STATEMENT = re.compile(r"\s*(?:si|alors|r[èe]gle|texte|motif|r[ée]f[ée]rence|dans tous les autres cas|"
                        r"exemple|d[ée]finition|attendu)\b", re.IGNORECASE)


def _unclosed_text(look: _Look):
    """« … or "… never closed: no text can start there."""
    found = look.stuck.found
    if found is None or found.kind != "CHARACTER" or found.text not in "«\"":
        return None
    closing = "»" if found.text == "«" else '"'
    return f"ce texte n'est jamais refermé : il manque le guillemet fermant « {closing} »", _at(found)


def _nested_quotes(look: _Look):
    """« Le ménage dit « oui » à la CAF »: the text ends at the first » ."""
    stuck = look.stuck
    previous, found = stuck.previous, stuck.found
    if previous is None or previous.kind != "STRING" or not previous.text.startswith("«") or found is None:
        return None
    inner = previous.text.find("«", 1)
    if inner < 0 or found.line != previous.end_line:
        return None
    before = previous.text[:inner]
    line = previous.line + before.count("\n")
    column = (inner - before.rfind("\n")) if "\n" in before else previous.column + inner
    source = look.lines[previous.end_line - 1]
    whole = source[previous.column - 1:source.rfind("»") + 1] if previous.line == previous.end_line else ""
    straight = f" : \"{' '.join(whole[1:-1].split())}\"" if whole.count("«") > 1 and '"' not in whole else ""
    return ("ce texte contient lui-même des guillemets « … » et s'arrêterait au premier « » » : écrivez-le "
            f"entre guillemets droits{straight}, ou citez avec “ ” à l'intérieur", (line, column, column + 1))


def _otherwise(look: _Look):
    """`alors MSA sinon CAF`, or `sinon CAF` on the line after a rule that has its service."""
    stuck = look.stuck
    pieces = stuck.pieces
    if not pieces or pieces[0].kind not in ("name", "NAME") or stuck.before is None:
        return None
    words = pieces[0].text.split()
    if not words or words[0].lower() != "sinon" or stuck.before.kind != "regle":
        return None
    rest = " ".join(words[1:])
    service = rest if rest and _is_code(rest) else "SERVICE"
    name = _rule_name(stuck.before)
    where = f"dans la règle « {name} », après son service" if name else "après le service d'une règle"
    return (f"« sinon » ne peut pas suivre « alors … » : une règle désigne un seul service. Pour les autres "
            f"ménages, écrivez une autre règle, par exemple « règle « Autres ménages » » puis, à la ligne "
            f"suivante, « dans tous les autres cas, {service} »",
            (pieces[0].line, pieces[0].column, pieces[0].column + len("sinon")), where)


def _two_services(look: _Look):
    """`alors CAF et MSA`, `alors CAF, MSA`: a rule names one service; the others are its partners."""
    stuck = look.stuck
    found, kinds = stuck.found, [p.kind for p in stuck.pieces]
    pieces = [p for p in stuck.pieces if p.kind != "COMMA"]  # `alors CAF, MSA`: the comma read
    if found is None or not pieces or pieces[-1].kind != "SERVICE_CODE" or not _SERVICE_KEYWORDS & set(kinds):
        return None
    service = pieces[-1]
    if found.kind not in ("ET", "OU", "COMMA", "NAME", "SERVICE_CODE") or found.line != service.line:
        return None
    line = look.lines[found.line - 1] if found.line <= len(look.lines) else ""
    other = re.search(r"[A-Z][A-Z0-9_]*\b", line[found.column - 1:])
    others = [c for c in look.services if c != service.text]
    partner = other[0] if other and other[0] != service.text else (others[0] if others else "AUTRE_SERVICE")
    return (f"« {found.text} » après le service {service.text} : un ménage va à un seul service ; un service "
            f"informé en plus s'écrit après « en lien avec » : « {service.text}, en lien avec {partner} »",
            _at(found))


_SERVICE_KEYWORDS = {"ALORS", "ATTENDU", "DANS_TOUS_LES_AUTRES_CAS", "SINON"}


def _service_code(look: _Look):
    """A service written in lower case, with accents or by its name where its code is expected."""
    stuck = look.stuck
    found = stuck.found
    if found is None or "SERVICE_CODE" not in stuck.expected or found.kind not in ("NAME", "IDENT"):
        return None
    written = look.written()
    article = re.match(r"(?:les?|la|l['’])\s*(?=\S)", written, re.IGNORECASE)
    if article and look.service_like(written[article.end():].split()[0]) is not None:
        code = look.service_like(written[article.end():].split()[0])
        return (f"« {written[:article.end()].strip()} » : le service se désigne par son code seul, sans article : "
                f"écrivez « {code} »",
                (found.line, found.column, found.column + article.end()))
    code = look.service_like(written)
    if code is None:  # a code is one word: what follows it is something else
        written = written.split()[0]
        code = look.service_like(written)
    if code is not None and _code_key(written) == code and not written.isascii():
        advice = f"un code de service s'écrit sans accents : écrivez « {code} »"
    elif code is not None and _code_key(written) == code:
        advice = f"un code de service s'écrit en majuscules : écrivez « {code} »"
    elif code is not None:
        advice = f"le service se désigne par son code : écrivez « {code} »"
    else:
        declared = _list(look.services) if look.services else "à déclarer sous « services »"
        advice = f"le service se désigne par son code, en majuscules sans accents ; les services déclarés sont {declared}"
    return (f"« {written} » n'est pas un code de service : {advice}",
            (found.line, found.column, found.column + len(written)))


def _missing_keyword(look: _Look):
    """The service written without « alors » or « attendu », a condition without « si »."""
    stuck = look.stuck
    found = stuck.found
    if found is None:
        return None
    if found.kind == "SERVICE_CODE" and "ATTENDU" in stuck.expected:
        return f"il manque « attendu » avant le service {found.text}", _at(found)
    if found.kind in ("NAME", "IDENT", "NON", "LPAR") and "SI" in stuck.expected:
        return (f"il manque « si » avant la condition : écrivez « si {look.written()} … » puis « alors » et le "
                "service", look.span())
    return None


def _number_in_words(look: _Look):
    """« trente fois le loyer », « mille euros »: numbers are written in figures."""
    stuck = look.stuck
    pieces, found = stuck.pieces, stuck.found
    last = pieces[-1] if pieces else None
    if last is None or last.kind != "NAME" or found is None or not spelt_number(last.text):
        return None
    example = "« 3 fois le loyer »" if found.text.lower().startswith("fois") else "« 1 000 € »"
    return (f"« {last.text} » : en lettres, le langage lit les nombres de « un » à « vingt » ; au-delà, écrivez-les "
            f"en chiffres, par exemple {example}", _at(last))


_NUMBER_WORD = re.compile(r"(?:z[ée]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|"
                          r"quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille|et|-)+",
                          re.IGNORECASE)


def spelt_number(text: str) -> bool:
    """Whether a text is a number written in words (« trente », « mille euros », « deux cents »)."""
    words = text.lower().replace("euros", "").replace("euro", "").split()
    return bool(words) and all(_NUMBER_WORD.fullmatch(w) for w in words)


_DOTTED_THOUSANDS = re.compile(r"(-?\d{1,3}(?:\.\d{3})+)(,\d+)?\s*(€|euros?)?", re.IGNORECASE)


def thousands_hint(text: str) -> str:
    """« ; les milliers se séparent par une espace : « 5 000 € » » for an amount written « 5.000 € »."""
    match = _DOTTED_THOUSANDS.fullmatch(text.strip())
    if match is None:
        return ""
    amount = match[1].replace(".", " ") + (match[2] or "") + " €"
    return f" ; les milliers se séparent par une espace : « {amount} »"


def _amount_without_euros(look: _Look):
    """`plus de 2 000`: without « € », « 000 » is a second number."""
    stuck = look.stuck
    found, previous = stuck.found, stuck.previous
    if found is None or previous is None or found.kind != "INT" or previous.kind != "INT":
        return None
    if found.line != previous.line or len(found.text) != 3:
        return None
    amount = f"{previous.text} {found.text}"
    return (f"« {amount} » : un montant s'écrit avec « € » (« {amount} € ») ; sans lui, « {found.text} » "
            "se lit comme un second nombre", (previous.line, previous.column, found.end_column))


#: Comparisons as officers write them, and how the language says them.
_SAID = {
    "supérieur": "est supérieur à", "supérieure": "est supérieure à", "supérieurs": "sont supérieurs à",
    "supérieures": "sont supérieures à", "dépasse": "est plus de", "dépassent": "sont plus de",
    "excède": "est plus de", "au-dessus": "est au-delà de", "au-delà": "est au-delà de",
    "inférieur": "est inférieur à", "inférieure": "est inférieure à", "inférieurs": "sont inférieurs à",
    "inférieures": "sont inférieures à", "au-dessous": "est inférieur à", "en dessous": "est inférieur à",
    "égal": "est égal à", "égale": "est égale à", "égaux": "sont égaux à", "différent": "n'est pas",
    "différente": "n'est pas", "compris": "est entre … et …", "comprise": "est entre … et …",
    "antérieur": "est antérieur à", "antérieure": "est antérieure à", "postérieur": "est postérieur à",
    "postérieure": "est postérieure à", "atteint": "est au moins", "minimum": "est au moins", "maximum": "est au plus", "moins": "est moins de",
    "plus": "est plus de",
}
#: Comparison symbols the language does not read, and the one it reads.
_SYMBOLS = {"=>": "≥", "=<": "≤", "==": "=", "=!": "≠", "><": "≠", "!": "≠"}


def _unknown_comparison(look: _Look):
    """`la dette dépasse 500 €`, `est supérieure à 500 €`, `>=`: a comparison the language does not know."""
    stuck = look.stuck
    found, pieces = stuck.found, stuck.pieces
    if found is None:
        return None
    accepted = "les comparaisons du langage sont : " + ", ".join(COMPARISONS) + ", et les symboles ≥ ≤ > < = ≠"
    if found.kind == "CHARACTER" and found.text[:1] in "<>=≥≤≠!":
        said = _SYMBOLS.get(found.text)
        advice = f"écrivez « {said} »" if said else "écrivez la comparaison en toutes lettres"
        return f"« {found.text} » : {advice} ; {accepted}", _at(found)
    previous = stuck.previous
    if (found.kind == "SYMBOL" and previous is not None and previous.kind == "SYMBOL"
            and (previous.end_line, previous.end_column) == (found.line, found.column)):  # « => », « =< »
        written = previous.text + found.text
        said = _SYMBOLS.get(written)
        advice = f"écrivez « {said} »" if said else "écrivez un seul symbole"
        return (f"« {written} » n'est pas un symbole de comparaison : {advice} ; {accepted}",
                (previous.line, previous.column, found.end_column))
    last = pieces[-1] if pieces else None
    if last is None or last.kind != "NAME" or found.kind not in _VALUES:
        return None
    if len(pieces) >= 2 and pieces[-2].kind in ("verb", "EST", "N_EST_PAS"):  # « est supérieure à 500 € »
        return f"« {last.text} » n'est pas un mot de comparaison{_instead(last.text)} ; {accepted}", _at(last)
    split = look.field_prefix(last.text)
    if split is not None:  # « la dette dépasse 500 € »: a declared label, then an unknown word
        label, word = split
        column = last.column + len(last.text) - len(word)
        said = _said(word) or "est plus de"
        return (f"« {word} » n'est pas un mot de comparaison : écrivez par exemple « {label} {said} {found.text} » ; "
                f"{accepted}", (last.line, column, column + len(word)))
    return None


def _said(words: str) -> str | None:
    for word in words.lower().replace("-", " - ").split():
        for written, said in _SAID.items():
            if word == written or words.lower().startswith(written):
                return said
    return None


def _instead(words: str) -> str:
    said = _said(words)
    return f" : écrivez « {said} »" if said else ""


_VALUES = {"INT", "DECIMAL", "MONEY", "DATE", "STRING", "CODE_LITERAL", "OUI", "NON", "NAME"}


def _quotes_missing(look: _Look):
    """A name that is written without its « » where only a text may follow."""
    stuck = look.stuck
    found = stuck.found
    if found is None or found.kind not in ("NAME", "IDENT") or "STRING" not in stuck.expected:
        return None
    if stuck.expected - _QUIET - {"STRING"}:
        return None
    before = f"{stuck.previous.text} " if stuck.previous is not None and stuck.previous.kind != "COMMA" else ""
    return f"un nom s'écrit entre guillemets, comme ceci : {before}« {look.written()} »", look.span()


def _brackets(look: _Look):
    """A closing bracket that nothing opened; brackets around the values of « parmi »."""
    stuck = look.stuck
    found = stuck.found
    if found is None:
        return None
    kinds = [p.kind for p in stuck.pieces]
    if found.kind == "RPAR" and "RPAR" not in stuck.expected:
        return "cette parenthèse fermante ne ferme aucune parenthèse ouverte : retirez-la", _at(found)
    if found.kind == "LPAR" and kinds and kinds[-1] == "PARMI":
        return ("les valeurs de « parmi » s'écrivent sans parenthèses, séparées par des virgules : "
                "« parmi assignation, jugement »", _at(found))
    if found.kind != "LPAR" and "LPAR" in stuck.expected and kinds and kinds[-1] in ("ETAPE_PARMI", "VALEUR_PARMI"):
        return ("les valeurs d'une liste s'écrivent entre parenthèses, séparées par des virgules : "
                "« étape parmi (aucune procédure, assignation, jugement) »", look.span())
    return None


def _between_without_and(look: _Look):
    """`entre 500 € 1 000 €`: the two bounds of « entre » are joined by « et »."""
    stuck = look.stuck
    kinds = [p.kind for p in stuck.pieces]
    if "ENTRE" not in kinds or "ET" not in stuck.expected or kinds[-1] == "ENTRE":
        return None
    value = stuck.pieces[kinds.index("ENTRE") + 1] if kinds.index("ENTRE") + 1 < len(kinds) else None
    if value is None or (stuck.found is not None and stuck.found.kind == "ET"):
        return None
    return ("« entre » attend deux valeurs séparées par « et » : « est entre … et … »", _at(value))


def _machine_name(look: _Look):
    """`[Régime]`: a technical name is in lower case, without accents or spaces."""
    stuck = look.stuck
    found = stuck.found
    if found is None or "IDENT" not in stuck.expected or found.kind == "IDENT":
        return None
    from .names import machine_name  # the same derivation the checker uses

    return (f"« {look.written()} » : un nom technique s'écrit en minuscules, sans accents ni espaces (lettres, "
            f"chiffres et _) : « {machine_name(look.written()) or 'nom_technique'} »", look.span())


def _misspelt_declaration(look: _Look):
    """A line that reads like a declaration keyword with a word changed: `en vigueur le 1er janvier 2026`."""
    pieces = look.stuck.pieces
    if not pieces or pieces[0].kind not in ("name", "NAME"):
        return None
    words = normalize(pieces[0].text).split()
    close = []
    for terminal in sorted(_STARTERS, key=lambda t: _ORDER[t]):
        keyword = _plain(terminal) or ""
        size = min(len(keyword.split()), len(words))
        if size > 1 and difflib.SequenceMatcher(None, " ".join(words[:size]),
                                                " ".join(normalize(keyword).split()[:size])).ratio() > 0.75:
            close.append(f"« {TERMINAL_WORDS[terminal]} »")
    if not close:
        return None
    return (f"« {pieces[0].text} » n'est pas une déclaration du langage : vouliez-vous dire "
            f"{' ou '.join(close)} ?", _at(pieces[0]))


#: Arithmetic signs the language spells in words, and what to write instead.
_SIGNS = {
    "+": "pour additionner, écrivez la somme : « la somme du loyer et des charges », « 2 fois la somme du loyer et "
         "des charges »",
    "-": "la soustraction n'est pas permise : passez le terme soustrait de l'autre côté, dans une somme (« la dette "
         "est au moins la somme du loyer et des aides »)",
    "*": "pour multiplier, écrivez « fois » : « 3 fois le loyer »",
    "/": "la division n'est pas permise : multipliez l'autre côté (« la dette est au moins 2 fois le loyer » plutôt "
         "que « la dette / 2 »)",
}
_SIGNS["×"] = _SIGNS["*"]
_SIGNS["−"] = _SIGNS["–"] = _SIGNS["-"]


def _arithmetic(look: _Look):
    """`le loyer + les charges`, `la dette - les aides`, `3 * le loyer`: signs the language spells in words."""
    found = look.stuck.found
    if found is None or found.kind != "CHARACTER" or found.text not in _SIGNS:
        return None
    return f"« {found.text} » : {_SIGNS[found.text]}", _at(found)


#: « 3 mois avant », « 45 jours après »: the words that end a name, since a duration may follow it.
_DURATION = re.compile(r"(jours?|mois|ans?|ann[ée]es?)[ \t]+(avant|apr[èe]s)\b", re.IGNORECASE)


def _reserved(look: _Look):
    """A label holding « mois avant » (or « jours après »…): the words are kept for durations."""
    found = look.stuck.found
    if found is None or found.kind == "CHARACTER" or found.line > len(look.lines):
        return None
    words = _DURATION.match(look.lines[found.line - 1], found.column - 1)
    if words is None or not look.stuck.pieces:
        return None
    return (f"« {words[0]} » est réservé aux durées entre deux dates (« 3 mois avant la date du signalement ») et ne "
            f"peut pas figurer dans un nom : reformulez le nom (par exemple « {words[1]} précédant … »)",
            (found.line, found.column, found.column + len(words[0])))


def _multiple_in_brackets(look: _Look):
    """`2 fois (le loyer + les charges)`: what « fois » multiplies is a name or a sum, without brackets."""
    stuck = look.stuck
    if stuck.found is None or stuck.found.kind != "LPAR" or not stuck.pieces or stuck.pieces[-1].kind != "FOIS":
        return None
    return ("après « fois », écrivez une donnée ou une somme, sans parenthèses : « 2 fois la somme du loyer et des "
            "charges »", _at(stuck.found))


_SINCE = re.compile(r"\bdepuis\b", re.IGNORECASE)


def _since(look: _Look):
    """`l'impayé date depuis 3 mois`: a duration counts between two dates of the household, never from today."""
    stuck = look.stuck
    for piece in (*reversed(stuck.pieces[-2:]), stuck.found):
        if piece is None or piece.kind not in ("NAME", "name"):
            continue
        word = _SINCE.search(piece.text)
        if word is not None:
            column = piece.column + word.start()
            return ("« depuis » compte à partir de la date du jour, et une décision ne doit pas dépendre du jour où "
                    "elle est calculée : comparez deux dates du ménage, par exemple « la date du premier impayé est "
                    "au moins 3 mois avant la date du signalement »", (piece.line, column, column + len("depuis")))
    return None


_WITHOUT_A = re.compile(r"((?:sup|inf)[ée]rieure?s?(?:\s+ou\s+[ée]ga(?:le?s?|ux))?|[ée]ga(?:le?s?|ux)|"
                        r"(?:ant|post)[ée]rieure?s?)\s*$", re.IGNORECASE)


def _without_a(look: _Look):
    """`est supérieure 500 €`, `sont supérieurs ou égaux 3`: « à » left out after the comparison."""
    found = look.stuck.found
    if found is None or found.kind not in _VALUES or found.line > len(look.lines):
        return None
    words = _WITHOUT_A.search(look.lines[found.line - 1][:found.column - 1])
    if words is None:
        return None
    start = words.start(1) + 1
    return (f"il manque « à » après « {words[1]} » : écrivez « {words[1]} à {look.written()} »",
            (found.line, start, start + len(words[1])))


#: Each symbol in words after « est », and its contrary (what it means after « n'est pas »).
_SYMBOL_WORDS = {"≥": "au moins", ">=": "au moins", "≤": "au plus", "<=": "au plus", ">": "plus de", "<": "moins de",
                 "=": "", "≠": "", "!=": "", "<>": ""}
_CONTRARY = {"≥": "<", ">=": "<", "≤": ">", "<=": ">", ">": "≤", "<": "≥", "=": "≠", "≠": "=", "!=": "=", "<>": "="}


def _symbol_after_verb(look: _Look):
    """`la dette est >= 500 €`: a symbol is the whole comparison, without « est »."""
    stuck = look.stuck
    found, pieces = stuck.found, stuck.pieces
    if found is None or found.kind != "SYMBOL" or len(pieces) < 2 or pieces[-1].kind not in ("EST", "N_EST_PAS"):
        return None
    subject, verb = pieces[-2].text, pieces[-1].text
    line = look.lines[found.line - 1] if found.line <= len(look.lines) else ""
    rest = re.split(r"\s+(?:et|ou|alors)\b", line[found.end_column - 1:].strip(), maxsplit=1)[0] or "…"
    negated = normalize(verb).startswith("n")
    symbol = _CONTRARY.get(found.text, found.text) if negated else found.text  # « n'est pas < » is « ≥ »
    words = _SYMBOL_WORDS.get(found.text)
    spelt = f", ou en toutes lettres : « {subject} {' '.join(filter(None, (verb, words, rest)))} »"
    if words is None or found.text in ("≠", "!=", "<>"):  # no words say it after « est »
        spelt = ""
    return (f"un symbole de comparaison s'écrit sans « {verb} » : « {subject} {symbol} {rest} »{spelt}", _at(found))


def _duration_to_a_date(look: _Look):
    """`3 mois avant le 1er mars 2026`: a duration separates two dates of the household."""
    stuck = look.stuck
    kinds = [p.kind for p in stuck.pieces]
    if stuck.found is None or stuck.found.kind != "DATE" or kinds[-2:] not in (["UNIT", "AVANT"], ["UNIT", "APRES"]):
        return None
    written = " ".join(p.text for p in stuck.pieces[-3:] if p.kind in ("_count", "UNIT", "AVANT", "APRES"))
    return (f"une durée (« {written} ») sépare deux dates du ménage : écrivez "
            f"ici une donnée de type date (« la date du signalement ») ; une date fixe se compare sans durée "
            f"(« la date du premier impayé est avant le {stuck.found.text} »)", look.span())


_COUNT = r"(?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt)"
_COUNT_AND_UNIT = re.compile(rf"\b{_COUNT}[ \t]+(jours?|mois|ans?|ann[ée]es?)\b(?![ \t]+(?:avant|apr[èe]s)\b)",
                             re.IGNORECASE)


def _duration_without_date(look: _Look):
    """`… date de moins de 3 mois`: a duration without the second date it counts from."""
    found = look.stuck.found
    if found is None or found.line > len(look.lines):
        return None
    line = look.lines[found.line - 1]
    words = next((w for w in _COUNT_AND_UNIT.finditer(line) if w.end() > found.column - 1), None)
    if words is None or words.start() > found.column + len(found.text):
        return None
    return (f"« {words[0]} » : une durée sépare deux dates du ménage ; écrivez l'autre date après « avant » ou "
            f"« après », par exemple « la date du premier impayé est moins de {words[0]} avant la date du "
            "signalement »", (found.line, words.start() + 1, words.end() + 1))


def _duration_direction(look: _Look):
    """`3 mois de la date du signalement`: after a duration comes « avant » or « après »."""
    stuck = look.stuck
    if stuck.found is None or stuck.previous is None or stuck.previous.kind != "UNIT":
        return None
    if not {"AVANT", "APRES"} & stuck.expected:
        return None
    return (f"après « {stuck.pieces[-2].text if len(stuck.pieces) > 1 else ''} {stuck.previous.text} », écrivez "
            "« avant » ou « après » puis une autre date du ménage : « 3 mois avant la date du signalement »",
            _location(look))


_WEEKS = re.compile(r"semaines?\b|trimestres?\b|semestres?\b|heures?\b", re.IGNORECASE)
_IN_DAYS = {"semaine": (7, "jours"), "trimestre": (3, "mois"), "semestre": (6, "mois")}


def _other_unit(look: _Look):
    """`3 semaines avant …`: durations count in days, months or years."""
    stuck = look.stuck
    found, previous = stuck.found, stuck.previous
    if found is None or previous is None or found.line != previous.line:
        return None
    if not re.fullmatch(_COUNT, previous.text, re.IGNORECASE):
        return None
    unit = _WEEKS.match(found.text)
    if unit is None:
        return None
    word = unit[0].rstrip("s").lower()
    advice = "jours, mois ou ans"
    if word in _IN_DAYS and previous.kind == "INT" and previous.text.isdigit():
        per, into = _IN_DAYS[word]
        advice += f" : écrivez « {int(previous.text) * per} {into} »"
    return f"« {unit[0]} » : une durée se compte en {advice}", (found.line, found.column, found.column + len(unit[0]))


_HINTS = (_runaway_text, _unclosed_text, _nested_quotes, _otherwise, _two_services, _service_code,
          _missing_keyword, _reserved, _arithmetic, _symbol_after_verb, _since, _other_unit, _duration_to_a_date,
          _duration_direction, _duration_without_date, _multiple_in_brackets, _number_in_words,
          _amount_without_euros, _without_a, _unknown_comparison, _quotes_missing, _brackets, _between_without_and,
          _machine_name, _misspelt_declaration)
