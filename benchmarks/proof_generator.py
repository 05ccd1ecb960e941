"""Charters shaped like real ones, for timing the proof: a decision tree over 15 fields flattened into rules.

The tree splits on every kind of field (whole numbers, amounts, a ratio of two amounts, dates,
stages, lists of values, yes/no, a code against named sets); each path becomes one rule. Some
subtrees become one general rule with exceptions for the leaves that name another service, as
charters write them. Defects are then injected on purpose: `gaps` leaf rules removed, `conflicts`
rules that claim a leaf for another service, `dead` rules whose condition is never true, and
`undetermined` exceptions that hang on a value that may be unknown. `generate(seed)` returns the
charter text and the number of problems of each kind the proof must find; `checked_model(text)`
its checked model, without compiling it (the proof does not need the compiler).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

__all__ = ["generate", "checked_model", "FIELDS"]

_SERVICES = ("CAF", "DEPARTEMENT", "MSA", "CCAS", "ADIL", "REFERENT")

#: (label, machine, declaration, kind, low, high): low/high bound thresholds for ordered kinds.
FIELDS = [
    ("enfants à charge", "enfants", "nombre entier d'au moins 0", "int", 0, 8),
    ("personnes au foyer", "personnes", "nombre entier entre 1 et 15", "int", 1, 15),
    ("âge du demandeur", "age", "nombre entier entre 16 et 110", "int", 16, 110),
    ("aide au logement", "aide", "oui ou non", "bool", None, None),
    ("allocataire MSA", "msa", "oui ou non", "bool", None, None),
    ("référent social", "referent", "oui ou non", "bool", None, None),
    ("connu des services sociaux", "connu", "oui ou non, peut être inconnu", "unknown", None, None),
    ("stade de la procédure", "stade", "étape parmi (aucune procédure [aucune], commandement de payer, "
     "assignation, jugement, commandement de quitter les lieux, demande de concours [demande_de_concours], "
     "concours accordé [concours_accorde])", "stage", 0, 6),
    ("type de bailleur", "bailleur", "valeur parmi (bailleur social [social], bailleur privé [prive], "
     "autre bailleur [autre])", "choice", None, None),
    ("statut d'occupation", "statut", "valeur parmi (locataire, sous-locataire, occupant sans titre [sans_titre])",
     "choice", None, None),
    ("dette locative", "dette", "montant en euros d'au moins 0", "money", 0, 2_000_000),
    ("loyer hors charges", "loyer", "montant en euros d'au moins 1", "money", 100, 300_000),
    ("ressources mensuelles", "ressources", "montant en euros d'au moins 0", "money", 0, 500_000),
    ("date du signalement", "date_signalement", "date", "date", 0, 1400),
    ("commune", "commune", "code", "code", None, None),
]
_STAGES = ["aucune procédure", "commandement de payer", "assignation", "jugement",
           "commandement de quitter les lieux", "demande de concours", "concours accordé"]
_CHOICES = {"bailleur": ["bailleur social", "bailleur privé", "autre bailleur"],
            "statut": ["locataire", "sous-locataire", "occupant sans titre"]}
_SETS = {"communes littorales": ["17300", "17000", "17100", "17200"],
         "communes CCAS": ["17000", "17400", "17500"],
         "communes rurales": ["17600", "17700", "17800", "17900"]}


def _money(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} €"


def _date(day: int) -> str:
    return (dt.date(2023, 1, 1) + dt.timedelta(days=day)).isoformat()


class _Tree:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def tests(self, box: dict, ratio_done: bool):
        """A random binary split of the current box: (condition if yes, condition if no, new boxes)."""
        rng = self.rng
        for _ in range(50):
            label, machine, _, kind, low, high = rng.choice(FIELDS)
            if kind == "unknown":
                continue
            if kind in ("int", "money", "date", "stage"):
                lo, hi = box.get(machine, (low, high))
                if hi - lo < 2:
                    continue
                if machine in ("dette", "loyer") and ratio_done:
                    continue
                t = rng.randint(lo + 1, hi)
                text = {"int": str, "money": _money, "date": _date, "stage": lambda i: _STAGES[i]}[kind](t)
                if kind == "stage":
                    return (f"le {label} est au moins {text}", f"le {label} est moins de {text}",
                            {**box, machine: (t, hi)}, {**box, machine: (lo, t - 1)}, False)
                if kind == "date":
                    return (f"la {label} est au moins {text}", f"la {label} est avant le {text}",
                            {**box, machine: (t, hi)}, {**box, machine: (lo, t - 1)}, False)
                return (f"{label} est au moins {text}", f"{label} est moins de {text}",
                        {**box, machine: (t, hi)}, {**box, machine: (lo, t - 1)}, False)
            if machine in box:
                continue
            if kind == "bool":
                return label, f"non {label}", {**box, machine: True}, {**box, machine: False}, False
            if kind == "choice":
                value = rng.choice(_CHOICES[machine])
                return (f"{label} est {value}", f"{label} n'est pas {value}",
                        {**box, machine: value}, {**box, machine: "!" + value}, False)
            if kind == "code":
                name = rng.choice(sorted(_SETS))
                return (f"{label} est dans « {name} »", f"non {label} est dans « {name} »",
                        {**box, machine: name}, {**box, machine: "!" + name}, False)
        if not ratio_done and "dette" not in box and "loyer" not in box:
            factor = self.rng.choice(["3", "6", "4,5"])
            return (f"la dette locative est au moins {factor} fois le loyer hors charges",
                    f"la dette locative est moins de {factor} fois le loyer hors charges",
                    {**box, "ratio": True}, {**box, "ratio": False}, True)
        return None

    def grow(self, box: dict, path: list, depth: int, ratio_done: bool = False):
        """Leaves as (path of conditions, service)."""
        if depth == 0 or (depth < 4 and self.rng.random() < 0.15):
            return [(path, self.rng.choice(_SERVICES), box)]
        split = self.tests(box, ratio_done)
        if split is None:
            return [(path, self.rng.choice(_SERVICES), box)]
        yes, no, box_yes, box_no, is_ratio = split
        done = ratio_done or is_ratio
        return (self.grow(box_yes, path + [yes], depth - 1, done)
                + self.grow(box_no, path + [no], depth - 1, done))


def generate(seed: int = 1, rules: int = 300, gaps: int = 5, conflicts: int = 5, dead: int = 3,
             undetermined: int = 2) -> tuple[str, dict[str, int]]:
    """The text of a charter with about `rules` rules and the injected defects, and their counts."""
    rng = random.Random(seed)
    tree = _Tree(rng)
    leaves = tree.grow({}, [], 9)
    while len(leaves) < rules * 0.8 or len(leaves) > rules * 1.05:
        leaves = tree.grow({}, [], 9)
    # Leaves picked for gaps lie apart in two fields at least, so that no two gaps touch.
    order = list(range(len(leaves)))
    rng.shuffle(order)
    gap_list: list[int] = []
    for i in order:
        if len(gap_list) < gaps and all(_apart(leaves[i][2], leaves[j][2]) >= 2 for j in gap_list):
            gap_list.append(i)
    others = [i for i in order if i not in gap_list and len(leaves[i][0]) >= 2]
    conflict_leaves = others[:conflicts]
    undetermined_leaves = others[conflicts:conflicts + undetermined]
    gap_leaves = set(gap_list)
    chosen = set(gap_list) | set(conflict_leaves) | set(undetermined_leaves)
    leaves = [(path, service) for path, service, _ in leaves]

    out = _header()
    names: dict[int, str] = {}
    # General rules with exceptions: a subtree at depth 3 whose leaves mostly share a service.
    grouped: dict[tuple, list[int]] = {}
    busy = {tuple(leaves[i][0][:3]) for i in chosen}  # a general rule would cover a defect
    for i, (path, _) in enumerate(leaves):
        if len(path) >= 5 and tuple(path[:3]) not in busy:
            grouped.setdefault(tuple(path[:3]), []).append(i)
    general = {}
    for prefix, members in list(grouped.items())[::3]:
        services = [leaves[i][1] for i in members]
        common = max(set(services), key=services.count)
        if len(members) >= 3 and services.count(common) >= 2:
            general[prefix] = (common, members)
    covered = {}
    count = 0
    for prefix, (service, members) in general.items():
        count += 1
        name = f"Cas général {count}"
        out += _rule(name, None, list(prefix), service)
        for i in members:
            covered[i] = name
    for i, (path, service) in enumerate(leaves):
        if i in gap_leaves:
            continue
        if i in covered:
            if service == general[tuple(path[:3])][0]:
                continue  # the general rule already names this leaf's service
            names[i] = f"Exception {i}"
            out += _rule(names[i], covered[i], path, service)
        else:
            names[i] = f"Règle {i}"
            out += _rule(names[i], None, path, service)
    for k, i in enumerate(conflict_leaves):
        path, service = leaves[i]
        other = next(s for s in _SERVICES if s != service)
        out += _rule(f"Conflit {k}", None, path, other)
    for k, i in enumerate(undetermined_leaves):
        path, service = leaves[i]
        other = next(s for s in reversed(_SERVICES) if s != service)
        out += _rule(f"Selon connaissance {k}", names[i], path + ["connu des services sociaux"], other)
    for k in range(dead):
        out += _rule(f"Impossible {k}", None, [f"enfants à charge est au moins {k + 3}",
                                               f"enfants à charge est au plus {k + 1}"], "CAF")
    expected = {"lacune": gaps, "conflit": conflicts, "regle_morte": dead, "indetermination": undetermined}
    return out, expected


def _apart(a: dict, b: dict) -> int:
    """In how many fields two leaves' boxes are certainly disjoint."""
    count = 0
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        if isinstance(x, tuple):
            count += x[1] < y[0] or y[1] < x[0]
        elif isinstance(x, str):
            count += x == "!" + y or y == "!" + x
        else:
            count += x != y
    return count


def _header() -> str:
    lines = ["# Charte générée pour mesurer la preuve (benchmarks/proof_generator.py).",
             "charte « Charte générée »", "version 1", "", "services"]
    lines += [f"  {s} : « Service {s} »" for s in _SERVICES]
    lines += ["", "données du ménage"]
    lines += [f"  {label} [{machine}] : {decl}" for label, machine, decl, *_ in FIELDS]
    lines.append("")
    for name, codes in _SETS.items():
        lines.append(f"ensemble « {name} » : " + ", ".join(codes))
    return "\n".join(lines) + "\n"


def _rule(name: str, exception_to: str | None, path: list[str], service: str) -> str:
    head = f"\nrègle « {name} »" + (f", par exception à « {exception_to} »" if exception_to else "")
    condition = " et ".join(f"({c})" if " ou " in c else c for c in path) if path else None
    if condition is None:
        return head + f"\n  dans tous les autres cas, {service}\n"
    return head + f"\n  si {condition}\n  alors {service}\n"


def checked_model(text: str, name: str = "generee.regles"):
    """The checked model of a charter text: parsed and checked, not compiled."""
    from repartition.dsl.builder import build_ast
    from repartition.dsl.checker import check
    from repartition.dsl.parser import parse_tree, prepare_text

    prepared = prepare_text(text)
    return check(build_ast(parse_tree(prepared, name), name), prepared, None, hashlib.sha256(text.encode()))


if __name__ == "__main__":  # pragma: no cover
    text, expected = generate()
    print(text)
