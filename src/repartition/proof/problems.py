"""Problem records of the proof, region merging, and French descriptions of regions."""

from __future__ import annotations

from attrs import field, frozen

from .. import model as m
from ..dsl.lowering import Domain
from ..errors import Diagnostic, NoDecision
from .wording import box_parts, named_sets

__all__ = [
    "Problem", "KINDS", "LABELS", "ERROR", "WARNING", "HEADINGS", "merge", "simplify", "describe",
]

ERROR, WARNING = "erreur", "avertissement"

#: Problem kinds (JSON `type`), in the order reports list them, with their gravity.
KINDS = {
    "lacune": ERROR,
    "conflit": ERROR,
    "indetermination": ERROR,
    "regle_morte": ERROR,
    "exception_inutile": ERROR,
    "indecis": ERROR,
    "redondance": WARNING,
}

#: The French name of each kind, at the head of a problem's message.
LABELS = {
    **NoDecision.LABELS,
    "regle_morte": "règle morte",
    "exception_inutile": "exception inutile",
    "indecis": "région indécise",
    "redondance": "redondance",
}

#: French headings of each kind, for grouped listings.
HEADINGS = {
    "lacune": "Lacunes (ménages qu'aucune règle ne répartit)",
    "conflit": "Conflits (ménages réclamés par des services différents)",
    "indetermination": "Indéterminations (le service dépend d'une valeur inconnue)",
    "regle_morte": "Règles mortes (qui ne décident pour aucun ménage)",
    "exception_inutile": "Exceptions inutiles (qui n'écartent jamais leur règle)",
    "indecis": "Régions indécises (la preuve n'a pas conclu dans son budget)",
    "redondance": "Redondances (avertissements : règles qui se recouvrent pour le même service)",
}

_MAX_BOXES = 6  # boxes spelled out in a region description before summarising the rest
_MAX_PARTS = 12  # phrases of one box spelled out (a charter may have thousands of fields)
_EVERYONE = "tous les ménages"  # a box that restricts nothing
_MAX_PIECES = 2000  # pieces a coverage test may cut a box into before giving up (conservatively)
_MAX_WIDENING = 40_000  # fields of pieces the coverage tests of one description may look at (~10 ms)
_MAX_DESCRIBED = 1000  # boxes merged into one description; past them, « et d'autres cas »
_MAX_MERGING = 5_000_000  # boxes × (fields + ratios)² past which boxes are described as they are


@frozen
class Problem:
    """One problem of a charter: its kind, rules (name, line), French region and an example household.

    `boxes` is the exact region as (cell masks, fixed ratio atoms) pairs, for tests and tools.
    """

    kind: str
    message: str
    rules: tuple[tuple[str, int | None], ...]
    region: str
    example: dict | None
    boxes: tuple = field(eq=False, repr=False, default=())

    @property
    def severity(self) -> str:
        """`erreur` or `avertissement`, by kind."""
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        """The JSON form printed by `repartition verifier --format json`."""
        return {
            "type": self.kind,
            "gravite": self.severity,
            "regles": [{"nom": name, "ligne": line} for name, line in self.rules],
            "region": self.region,
            "exemple": self.example,
        }

    def render(self) -> str:
        """A French paragraph: message, rules with their lines, region, example."""
        lines = [f"- {self.message}"]
        if self.rules:
            lines.append("  règles : " + ", ".join(_rule_text(n, l) for n, l in self.rules))
        lines.append(f"  région : {self.region}")
        if self.example is not None:
            lines.append(f"  exemple : {_example_text(self.example)}")
        return "\n".join(lines)

    def text(self) -> str:
        """One line: the kind's French name, the message, the region and the example."""
        text = f"{LABELS[self.kind]} : {self.message} — région : {self.region}"
        if self.example is not None:
            text += f" — exemple : {_example_text(self.example)}"
        return text

    def diagnostic(self, span=None, source_line: str | None = None) -> Diagnostic:
        """The problem as a diagnostic located at its first rule (`span`), for CharterNotProven."""
        return Diagnostic(self.text(), span, source_line, severity=self.severity, code=self.kind)


def _rule_text(name: str, line: int | None) -> str:
    return f"« {name} » (ligne {line})" if line is not None else f"« {name} »"


def _example_text(example: dict) -> str:
    return ", ".join(f"{k} = {_json_text(v)}" for k, v in example.items())


def _json_text(value) -> str:
    if value is None:
        return "inconnu"
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return str(value)


# ---- merging boxes ------------------------------------------------------------------------------

def merge(boxes) -> list[tuple[tuple, tuple]]:
    """Fewer, larger boxes covering exactly the same households (disjoint boxes in, union kept).

    Two boxes that differ in one field only become one; two that differ only in the value of one
    ratio atom lose that atom.
    """
    items = list(dict.fromkeys((tuple(r), tuple(f)) for r, f in boxes))
    if not items:
        return []
    width = len(items[0][0]) + len({atom for _, fixed in items for atom, _ in fixed})
    if len(items) * width * width > _MAX_MERGING:  # each pass looks at every box, field and ratio
        return items
    width = len(items[0][0])
    changed = True
    while changed:
        changed = False
        for i in range(width):
            groups: dict = {}
            for region, fixed in items:
                key = (region[:i] + region[i + 1:], fixed)
                groups[key] = groups.get(key, 0) | region[i]
            if len(groups) < len(items):
                changed = True
                items = [(k[0][:i] + (mask,) + k[0][i:], k[1]) for k, mask in groups.items()]
        atoms = list(dict.fromkeys(a for _, fixed in items for a, _ in fixed))
        for atom in atoms:
            groups = {}
            for region, fixed in items:
                bits = dict(fixed)
                if atom in bits:
                    rest = tuple(p for p in fixed if p[0] != atom)
                    groups.setdefault((region, rest), set()).add(bits[atom])
            merged = {k for k, bits in groups.items() if len(bits) == 2}
            if merged:
                changed = True
                out = []
                for region, fixed in items:
                    rest = tuple(p for p in fixed if p[0] != atom)
                    key = (region, rest)
                    if key in merged and len(rest) < len(fixed):
                        if key not in out:
                            out.append(key)
                    else:
                        out.append((region, fixed))
                items = list(dict.fromkeys(out))
    return items


# ---- French descriptions ------------------------------------------------------------------------

def simplify(domain: Domain, boxes) -> list[tuple[tuple, tuple]]:
    """Boxes covering exactly the same households, merged, widened, and without redundant ones.

    Each box is widened field by field as long as the union still covers it; boxes covered by the
    others are then dropped. Boxes may overlap afterwards: the union read with « ou » is the same.
    Widening stops past _MAX_WIDENING steps of coverage tests (what is done is exact).
    """
    merged = merge(boxes)
    if len(merged) > 200:  # too many to widen cheaply: the merged union is already exact
        return merged
    allowance = [_MAX_WIDENING]
    by_fixed: dict = {}
    for region, fixed in merged:
        by_fixed.setdefault(fixed, []).append(region)
    out = []
    for fixed, regions in by_fixed.items():
        fulls = [c.full for c in domain.fields]
        widened = []
        for region in regions:
            box = list(region)
            for i, cells in enumerate(domain.fields):
                if box[i] == fulls[i]:
                    continue
                trial = box[:i] + [fulls[i]] + box[i + 1:]
                if _covered(tuple(trial), regions, allowance):
                    box = trial
                    continue
                for bit in range(cells.full.bit_length()):
                    if not box[i] >> bit & 1 and cells.full >> bit & 1:
                        trial = box[:i] + [box[i] | 1 << bit] + box[i + 1:]
                        if _covered(tuple(trial), regions, allowance):
                            box = trial
            widened.append(tuple(box))
        widened = list(dict.fromkeys(widened))
        kept = list(widened)
        for box in widened:
            others = [b for b in kept if b != box]
            if others and _covered(box, others, allowance):
                kept = others
        out.extend((box, fixed) for box in kept)
    return out


def _covered(box: tuple, regions: list, allowance: list[int]) -> bool:
    """Whether every household of the box lies in the union of the regions (same ratio atoms);
    False, which widens nothing, when the pieces exceed _MAX_PIECES or the shared `allowance`."""
    pieces = [box]
    for region in regions:
        if allowance[0] < 0:
            return False
        next_pieces = []
        for piece in pieces:
            next_pieces.extend(_subtract(piece, region))
        allowance[0] -= (len(pieces) + 1) * len(box)
        pieces = next_pieces
        if not pieces:
            return True
        if len(pieces) > _MAX_PIECES:  # too costly to settle: say "not covered", which changes nothing
            return False
    return False


def _subtract(box: tuple, other: tuple) -> list[tuple]:
    if any(not (a & b) for a, b in zip(box, other)):
        return [box]
    pieces, current = [], list(box)
    for i, (a, b) in enumerate(zip(box, other)):
        rest = a & ~b
        if rest:
            pieces.append(tuple(current[:i] + [rest] + current[i + 1:]))
            current[i] = a & b
    return pieces


def _conditions(parts: list[str]) -> str:
    """A box's phrases, the first _MAX_PARTS of them when it restricts many fields."""
    if not parts:
        return _EVERYONE
    more = f", et {len(parts) - _MAX_PARTS} autres conditions" if len(parts) > _MAX_PARTS else ""
    return ", ".join(parts[:_MAX_PARTS]) + more


def describe(domain: Domain, model: m.CharterModel, boxes) -> str:
    """The union of boxes, simplified, in French: « a, b ; ou c ». Past _MAX_DESCRIBED boxes, the
    first ones are described and the others said to exist."""
    boxes = list(boxes)
    partial = len(boxes) > _MAX_DESCRIBED
    merged = simplify(domain, boxes[:_MAX_DESCRIBED])
    if not merged:
        return "aucun ménage"
    sets = named_sets(model)
    parts = [_conditions(box_parts(domain, region, fixed, sets)) for region, fixed in merged[:_MAX_BOXES]]
    text = " ; ou ".join(parts)
    if partial:
        text += " ; … et d'autres cas"
    elif len(merged) > len(parts):
        text += f" ; … et {len(merged) - len(parts)} autre(s) cas"
    return text

