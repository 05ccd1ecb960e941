"""Region merging and simplification keep the union exact; French descriptions read like the charter."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import repartition
from repartition.proof.problems import describe, merge, simplify
from repartition.proof.regions import Explorer

TEXT = """charte « Trois champs »
services
  A : « A »
données du ménage
  enfants à charge [enfants] : nombre entier d'au moins 0
  aide au logement [aide] : oui ou non, peut être inconnu
  stade de la procédure [stade] : étape parmi (aucune procédure [aucune], commandement de payer,
      assignation, jugement, demande de concours [demande_de_concours], concours accordé [concours_accorde])
règle « R »
  si les enfants à charge sont au moins 1 et les enfants à charge sont au plus 3 et aide au logement
     et le stade de la procédure est au moins jugement
  alors A
"""
CHARTER = repartition.Charter.from_text(TEXT, name="t.regles", verify=False)
DOMAIN = Explorer(CHARTER.model).domain
CELLS = [list(range(f.full.bit_length())) for f in DOMAIN.fields]


def _points(boxes):
    return {p for region, _ in boxes for p in itertools.product(
        *[[b for b in cells if region[i] >> b & 1] for i, cells in enumerate(CELLS)])}


def _cell_boxes():
    return st.lists(st.tuples(*[st.sampled_from(cells) for cells in CELLS]), max_size=25, unique=True)


@settings(max_examples=200, deadline=None)
@given(_cell_boxes())
def test_merge_and_simplify_keep_the_union(cells):
    """Merging and simplifying disjoint single-cell boxes cover exactly the same cells."""
    boxes = [(tuple(1 << c for c in point), ()) for point in cells]
    assert _points(merge(boxes)) == set(map(tuple, cells))
    assert _points(simplify(DOMAIN, boxes)) == set(map(tuple, cells))


def test_description_of_a_stage_range_and_a_bound():
    """A region reads « stade de la procédure entre … et …, enfants à charge au moins 1 »."""
    full = DOMAIN.full_region()
    stade = DOMAIN.fields[2]
    enfants = DOMAIN.fields[0]
    between = sum(1 << i for i in (2, 3, 4))  # assignation, jugement, demande de concours
    at_least_one = enfants.full & ~1
    region = (at_least_one, full[1], between)
    assert describe(DOMAIN, CHARTER.model, [(region, ())]) == (
        "enfants à charge au moins 1, stade de la procédure entre assignation et demande de concours")
    assert stade.cells == list(range(6))


def test_description_of_unknown_and_merged_cells():
    """Unknown reads « inconnu »; cells side by side merge into one interval; the empty union says so."""
    full = DOMAIN.full_region()
    aide = DOMAIN.fields[1]
    unknown = (full[0], aide.unknown_bit, full[2])
    assert describe(DOMAIN, CHARTER.model, [(unknown, ())]) == "aide au logement inconnu"
    yes_or_unknown = (full[0], aide.unknown_bit | 2, full[2])
    assert describe(DOMAIN, CHARTER.model, [(yes_or_unknown, ())]) == "aide au logement : oui ou inconnu"
    assert describe(DOMAIN, CHARTER.model, []) == "aucun ménage"


ATOMS = ("ratio-a", "ratio-b")  # stand-ins for two ratio atoms: merge only compares and sorts them


def _points_with_atoms(boxes):
    out = set()
    for region, fixed in boxes:
        bits = dict(fixed)
        choices = [[bits[a]] if a in bits else [1, 2] for a in ATOMS]
        for cells in itertools.product(*[[b for b in c if region[i] >> b & 1] for i, c in enumerate(CELLS)]):
            out.update((cells, tuple(t)) for t in itertools.product(*choices))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.tuples(*[st.sampled_from(cells) for cells in CELLS]),
                          st.tuples(st.sampled_from((1, 2)), st.sampled_from((1, 2)))), max_size=25, unique=True))
def test_merge_and_simplify_keep_the_union_with_ratio_atoms(points):
    """With ratio atoms fixed true or false, merged and simplified boxes still cover exactly the input."""
    boxes = [(tuple(1 << c for c in cells), tuple(zip(ATOMS, bits))) for cells, bits in points]
    expected = {(cells, bits) for cells, bits in points}
    assert _points_with_atoms(merge(boxes)) == expected
    assert _points_with_atoms(simplify(DOMAIN, boxes)) == expected
