"""Hostile rule files for the load budget (issue 11): every class of its table, at any size.

Each generator returns the text of one rule file; `CLASSES` names the sizes the benchmark runs
(`bench_hostile.py`) and `SMALL` the sizes the tests run to pin behaviour (loads, or a located
French error). Every file is under 1 MB. `first_match(40)` is the ordinary 40-rule first-match
policy whose cold load the issue measures.
Run: python benchmarks/hostile.py CLASS SIZE > file.regles
"""

from __future__ import annotations

import random
import sys

__all__ = ["CLASSES", "SMALL", "generate", "first_match"]

_SERVICES = ("CAF", "DEPARTEMENT", "MSA", "CCAS")


def _header(title: str, fields: list[str]) -> list[str]:
    lines = [f"charte « {title} »", "", "services"]
    lines += [f"  {s} : « Service {s} »" for s in _SERVICES]
    return lines + ["", "données du ménage"] + [f"  {f}" for f in fields] + [""]


def _rule(name: str, condition: str | None, service: str, exception_to: tuple[str, ...] = ()) -> list[str]:
    head = f"règle « {name} »"
    if exception_to:
        head += ", par exception à " + ", ".join(f"« {e} »" for e in exception_to)
    if condition is None:
        return [head, f"  dans tous les autres cas, {service}", ""]
    return [head, f"  si {condition}", f"  alors {service}", ""]


_N = "n : nombre entier d'au moins 0"


def _definitions(title: str, first: str, next_one, levels: int) -> str:
    """`d0` defined as `first`, each `d(i)` as `next_one(i)`, and a rule on the last."""
    lines = _header(title, [_N])
    lines.append(f"définition « d0 » : {first}")
    lines += [f"définition « d{i} » : {next_one(i)}" for i in range(1, levels + 1)]
    lines.append("")
    lines += _rule("Imbriquée", f"d{levels}", "CAF") + _rule("Autres", None, "DEPARTEMENT")
    return "\n".join(lines)


def definitions(levels: int) -> str:
    """`d(i)` defined as `d(i-1) ou d(i-1)`: a condition of 2**levels leaves if inlined."""
    return _definitions(f"{levels} définitions doublées", "n est au moins 1", lambda i: f"d{i - 1} ou d{i - 1}",
                        levels)


def definition_chain(length: int) -> str:
    """`d(i)` defined as `d(i-1) et n est au moins i`: definitions nested `length` deep."""
    return _definitions(f"chaîne de {length} définitions", "n est au moins 0",
                        lambda i: f"d{i - 1} et n est au moins {i}", length)


def _thresholds(title: str, length: int, exceptions_of) -> str:
    """Rule i, `n est au moins i`, an exception to the rules `exceptions_of(i)`."""
    lines = _header(title, [_N])
    for i in range(length):
        lines += _rule(f"R{i}", f"n est au moins {i}", _SERVICES[i % 2], exceptions_of(i))
    return "\n".join(lines)


def exception_chain(length: int) -> str:
    """Each rule an exception to the one before: each sets aside all before it."""
    return _thresholds(f"chaîne de {length} exceptions", length, lambda i: (f"R{i - 1}",) if i else ())


def reverse_chain(length: int) -> str:
    """Each rule an exception to the one after: the first sets all others aside, which are all dead
    (a charter with thousands of problems of one kind)."""
    return _thresholds(f"chaîne inverse de {length} exceptions", length,
                       lambda i: (f"R{i + 1}",) if i + 1 < length else ())


def exception_dag(rules: int) -> str:
    """Each rule an exception to every rule before it: rules² exception links."""
    return _thresholds(f"{rules} règles exceptions à toutes les précédentes", rules,
                       lambda i: tuple(f"R{j}" for j in range(i)))


def flat(rules: int) -> str:
    """`rules` rules on disjoint values of one number, and a default rule."""
    lines = _header(f"{rules} règles simples", [_N])
    for i in range(rules):
        lines += _rule(f"R{i}", f"n est {i}", _SERVICES[i % 3])
    return "\n".join(lines + _rule("Autres", None, "CCAS"))


def among(count: int, seed: int = 11) -> str:
    """One `parmi` list of `count` whole numbers, some consecutive, and a default rule."""
    rng = random.Random(seed)
    values = sorted(rng.sample(range(count * 4), count))
    lines = _header(f"parmi {count} nombres", [_N])
    lines += _rule("Liste", "n est parmi " + ", ".join(map(str, values)), "CAF")
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def nested_not(depth: int) -> str:
    lines = _header(f"{depth} non imbriqués", [_N])
    lines += _rule("Négations", "non " * depth + "n est au moins 1", "CAF")
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def nested_groups(depth: int) -> str:
    """`(n est 0 ou (n est 1 et (n est 2 ou (…))))`: et and ou alternating, `depth` groups deep."""
    condition = "n est au moins 0"
    for i in range(depth):
        condition = f"(n est au moins {i + 1} {'ou' if i % 2 else 'et'} {condition})"
    lines = _header(f"{depth} groupes et–ou imbriqués", [_N])
    lines += _rule("Groupes", condition, "CAF")
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def parentheses(depth: int) -> str:
    lines = _header(f"{depth} parenthèses", [_N])
    lines += _rule("Parenthèses", "(" * depth + "n est au moins 1" + ")" * depth, "CAF")
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


# Fields as a département declares them, with the thresholds its charters use.
_MONEY_STEPS = (500, 1000, 2000, 5000, 10000)
_STAGES = ("aucune procédure", "commandement de payer", "assignation", "jugement", "concours accordé")
_YEARS = (2020, 2021, 2022, 2023, 2024)


def _tag(i: int) -> str:
    """A name suffix of consonants (names hold no digits, and no keyword lacks a vowel): b, c, …, bc, …"""
    letters, consonants = "", "bcdfghjklmnpqrstvwxz"
    while True:
        letters = consonants[i % len(consonants)] + letters
        i //= len(consonants)
        if not i:
            return letters


def _euros(amount: int) -> str:
    return f"{amount:,} €".replace(",", " ")


def _field(n: int, unknown: bool) -> tuple[str, list, list]:
    """Field number n: its declaration, its tests at usual thresholds as (text, test of a value),
    and sample values (None for unknown) on both sides of every threshold."""
    i, kind, may = _tag(n), n % 5, ", peut être inconnu" if unknown else ""
    if kind == 0:
        tests = [(f"enfants {i} est au moins {t}", lambda v, t=t: v >= t) for t in (1, 2, 3, 4)]
        return (f"enfants {i} : nombre entier entre 0 et 20", tests + [(f"enfants {i} est 0", lambda v: v == 0)],
                list(range(6)))
    if kind == 1:
        tests = [(f"dette {i} est plus de {_euros(t)}", lambda v, t=t: v > t) for t in _MONEY_STEPS]
        tests += [(f"dette {i} est moins de {_euros(t)}", lambda v, t=t: v < t) for t in _MONEY_STEPS]
        return f"dette {i} : montant en euros d'au moins 0", tests, [0, *(t + d for t in _MONEY_STEPS for d in (0, 1))]
    if kind == 2:
        tests = [(f"aide {i}", lambda v: v is True), (f"non aide {i}", lambda v: v is False)]
        if unknown:
            tests.append((f"aide {i} est inconnu", lambda v: v is None))
        return f"aide {i} : oui ou non{may}", tests, [True, False] + ([None] if unknown else [])
    if kind == 3:
        tests = [(f"stade {i} est au moins {s}", lambda v, k=k: v is not None and v >= k)
                 for k, s in enumerate(_STAGES) if k]
        tests += [(f"stade {i} est au plus {s}", lambda v, k=k: v is not None and v <= k)
                  for k, s in enumerate(_STAGES[:-1])]
        if unknown:
            tests.append((f"stade {i} est connu", lambda v: v is not None))
        return (f"stade {i} : étape parmi ({', '.join(_STAGES)}){may}", tests,
                list(range(len(_STAGES))) + ([None] if unknown else []))
    tests = [(f"signalement {i} est avant le {y}-01-01", lambda v, y=y: v < (y, 1)) for y in _YEARS[::2]]
    tests += [(f"signalement {i} est au moins {y}-07-01", lambda v, y=y: v >= (y, 7)) for y in _YEARS[1::2]]
    return f"signalement {i} : date", tests, [(y, m) for y in range(2019, 2026) for m in (1, 7)]


def overlapping(rules: int, fields: int = 50, seed: int = 7) -> str:
    """`rules` rules of 1 to 3 tests each over `fields` fields at usual thresholds, with no
    exceptions: many overlap and name other services (thousands of real conflicts)."""
    rng = random.Random(seed)
    made = [_field(n, True) for n in range(fields)]
    lines = _header(f"{rules} règles qui se recouvrent sur {fields} données", [d for d, _, _ in made])
    for i in range(rules):
        chosen = rng.sample(range(fields), rng.randint(1, 3))
        condition = " et ".join(rng.choice(made[f][1])[0] for f in chosen)
        lines += _rule(f"R{i}", condition, rng.choice(_SERVICES))
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def _cut(n: int, rng: random.Random) -> tuple[str, list, list]:
    """Field number n cut once, as a charter article cuts it (« au moins 2 enfants » or not): its
    declaration, the test and its opposite as (text, test of a value), and sample values."""
    i, kind = _tag(n), n % 5
    if kind == 0:
        t = rng.choice((1, 2, 3))
        tests = [(f"enfants {i} est au moins {t}", lambda v: v >= t),
                 (f"enfants {i} est moins de {t}", lambda v: v < t)]
        return f"enfants {i} : nombre entier entre 0 et 20", tests, list(range(5))
    if kind == 1:
        t = rng.choice(_MONEY_STEPS)
        tests = [(f"dette {i} est plus de {_euros(t)}", lambda v: v > t),
                 (f"dette {i} est au plus {_euros(t)}", lambda v: v <= t)]
        return f"dette {i} : montant en euros d'au moins 0", tests, [0, t, t + 1, 20000]
    if kind == 2:
        tests = [(f"aide {i}", lambda v: v), (f"non aide {i}", lambda v: not v)]
        return f"aide {i} : oui ou non", tests, [True, False]
    if kind == 3:
        k = rng.randrange(1, len(_STAGES))
        tests = [(f"stade {i} est au moins {_STAGES[k]}", lambda v: v >= k),
                 (f"stade {i} est au plus {_STAGES[k - 1]}", lambda v: v < k)]
        return f"stade {i} : étape parmi ({', '.join(_STAGES)})", tests, list(range(len(_STAGES)))
    y = rng.choice(_YEARS)
    tests = [(f"signalement {i} est avant le {y}-01-01", lambda v: v < y),
             (f"signalement {i} est au moins {y}-01-01", lambda v: v >= y)]
    return f"signalement {i} : date", tests, [y - 1, y]


def first_match(rules: int = 40, fields: int = 12, tests: int = 4, seed: int = 40) -> str:
    """An ordinary first-match policy: `rules` rules of `tests` tests over `fields` fields, each an
    exception to the later rules it meets (the first rule that applies wins), then a default rule.
    Each field is cut at one threshold, as a charter's articles cut it.

    Every rule decides for some household, as in a charter that passes its proof: each rule is
    drawn around a household that no earlier rule takes."""
    rng = random.Random(seed)
    made = [_cut(n, rng) for n in range(fields)]
    lines = _header(f"politique de {rules} règles, la première qui s'applique l'emporte", [d for d, _, _ in made])
    drawn: list[dict[int, int]] = []  # per rule: field → which of its two tests
    for i in range(rules):
        for _ in range(100_000):
            household = [rng.choice(values) for _, _, values in made]
            if not any(all(made[f][1][k][1](household[f]) for f, k in rule.items()) for rule in drawn):
                break
        else:
            raise ValueError(f"the {i} rules drawn leave no household to a rule {i + 1}: take more fields or tests")
        drawn.append({f: 0 if made[f][1][0][1](household[f]) else 1 for f in rng.sample(range(fields), tests)})
    for i, rule in enumerate(drawn):
        # An exception to every later rule it meets: where both apply, the first wins.
        later = [f"R{j}" for j in range(i + 1, rules)
                 if all(drawn[j].get(f, k) == k for f, k in rule.items())]
        condition = " et ".join(made[f][1][k][0] for f, k in rule.items())
        lines += _rule(f"R{i}", condition, rng.choice(_SERVICES), tuple(later))
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def wide(operands: int) -> str:
    """One rule whose condition joins `operands` tests with « ou »: wide, not deep."""
    lines = _header(f"{operands} tests joints", [_N])
    lines += _rule("Large", " ou ".join(f"n est {i * 3}" for i in range(operands)), "CAF")
    return "\n".join(lines + _rule("Autres", None, "DEPARTEMENT"))


def ratios(count: int) -> str:
    """`count` rules `dette est au moins k fois le loyer`, each k its own, every other one also
    chaining `loyer` to `ressources`: regions cut by ratio comparisons, not by cells."""
    fields = ["dette : montant en euros d'au moins 0", "loyer : montant en euros d'au moins 1",
              "ressources : montant en euros d'au moins 0"]
    lines = _header(f"{count} multiples", fields)
    for i in range(count):
        k = f"{1 + i // 10},{i % 10}"
        chained = f" et le loyer est au moins {k} fois les ressources" if i % 2 else ""
        lines += _rule(f"R{i}", f"la dette est au moins {k} fois le loyer{chained}", _SERVICES[i % 2])
    return "\n".join(lines + _rule("Autres", None, "CCAS"))


def long_sum(count: int) -> str:
    """One rule on the sum of `count` amounts: a linear constraint over as many variables, past what
    exact elimination takes (examples then come from readable values, a bounded number of tries)."""
    fields = [f"montant {_tag(i)} : montant en euros entre 0 et 10 000 €" for i in range(count)]
    lines = _header(f"somme de {count} montants", fields)
    terms = ", ".join(f"du montant {_tag(i)}" for i in range(1, count))
    lines += _rule("Somme", f"la somme du montant {_tag(0)}, {terms} est au moins 5 000 €", "CAF")
    return "\n".join(lines + _rule("Autres", None, "CCAS"))


def day_thresholds(count: int) -> str:
    """`count` rules on the days between the same two dates, each its own threshold and service,
    none an exception to another: as many overlapping relations, conflicting in every region."""
    lines = _header(f"{count} écarts de dates", ["date a : date", "date b : date"])
    for i in range(count):
        lines += _rule(f"R{i}", f"la date a est au moins {i} jours avant la date b", _SERVICES[i % 2])
    return "\n".join(lines + _rule("Autres", None, "CCAS"))


def misspelled(count: int) -> str:
    """`count` definitions, and as many rules each naming a definition misspelled: as many errors,
    each looking for the nearest name among thousands."""
    lines = _header(f"{count} noms mal écrits", [_N])
    lines += [f"définition « d{i:05d} » : n est {i}" for i in range(count)] + [""]
    for i in range(count):
        lines += _rule(f"R{i}", f"e{i:05d}", _SERVICES[i % 2])
    return "\n".join(lines)


def many_fields(count: int) -> str:
    """`count` yes/no fields, one rule each, exceptions to each other in a chain."""
    lines = _header(f"{count} données", [f"d {_tag(i)} : oui ou non" for i in range(count)])
    for i in range(count):
        lines += _rule(f"R{i}", f"d {_tag(i)}", _SERVICES[i % 2], (f"R{i - 1}",) if i else ())
    return "\n".join(lines + _rule("Autres", None, "CCAS"))


#: class → (generator, sizes the benchmark runs). The issue's table first, then further shapes.
CLASSES = {
    "definitions": (definitions, (16, 20, 64)),
    "chaine_exceptions": (exception_chain, (200, 300, 500, 1000, 5000)),
    "chaine_inverse": (reverse_chain, (1000, 5000)),
    "regles_simples": (flat, (10_000,)),
    "parmi": (among, (1000, 10_000, 60_000)),
    "non_imbriques": (nested_not, (300, 100_000)),
    "groupes_et_ou": (nested_groups, (200, 20_000)),
    "parentheses": (parentheses, (1000, 200_000)),
    "recouvrements_50": (lambda n: overlapping(n, 50), (300,)),
    "recouvrements_20": (lambda n: overlapping(n, 20), (1000,)),
    "premiere_applicable": (lambda n: first_match(n) if n <= 40 else first_match(n, n // 3, 6), (40, 300)),
    "large": (wide, (20_000,)),
    "chaine_definitions": (definition_chain, (1000, 15_000)),
    "exceptions_toutes": (exception_dag, (300,)),
    "donnees": (many_fields, (3000,)),
    "fautes": (misspelled, (10_000,)),
    "multiples": (ratios, (300, 5000)),
    "somme_longue": (long_sum, (400,)),
    "ecarts_de_dates": (day_thresholds, (30, 300)),
}

#: Small versions the tests run: each class at sizes that load, or are refused, quickly.
SMALL = {
    "definitions": (3, 20),
    "chaine_exceptions": (30,),
    "chaine_inverse": (30,),
    "regles_simples": (300,),
    "parmi": (500,),
    "non_imbriques": (5, 300),
    "groupes_et_ou": (5, 200),
    "parentheses": (5, 1000),
    "recouvrements_50": (6,),
    "recouvrements_20": (8,),
    "premiere_applicable": (10,),
    "large": (100,),
    "chaine_definitions": (5, 200),
    "exceptions_toutes": (20,),
    "donnees": (50,),
    "fautes": (60,),
    "multiples": (8,),
    "somme_longue": (40, 400),
    "ecarts_de_dates": (6,),
}


def generate(kind: str, size: int) -> str:
    """The text of the hostile file of a class at a size."""
    return CLASSES[kind][0](size) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(generate(sys.argv[1], int(sys.argv[2])))
