"""Comparisons as officers write them: words, symbols, numbers in words, grouped digits, subjects left out."""

from __future__ import annotations

import pytest

import repartition
from repartition.errors import CharterError

HEAD = """charte « Comparaisons »
services
  A : « Service A »
  B : « Service B »
données du ménage
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros entre 0 et 5 000 €
  enfants à charge [enfants] : nombre entier entre 0 et 30
  stade [stade] : étape parmi (aucune, commandement, assignation, jugement)
  date du signalement [date] : date
  date du jugement [jugement] : date
  aide [aide] : oui ou non
  plus de trois ans [anciennete] : oui ou non
"""


def _condition(text: str):
    """The checked condition of a one-rule charter."""
    charter = repartition.Charter.from_text(HEAD + f"règle « R »\n  si {text}\n  alors A\n",
                                            name="c.regles", verify=False)
    return charter.model.rules[0].condition


def _error(text: str) -> str:
    with pytest.raises(CharterError) as caught:
        _condition(text)
    (diagnostic,) = caught.value.diagnostics
    return f"{diagnostic.span.line}:{diagnostic.span.column}: {diagnostic.message}"


@pytest.mark.parametrize("written, meaning", [
    ("la dette est supérieure à 2 000 €", "la dette est plus de 2 000 €"),
    ("la dette est strictement supérieure à 2 000 €", "la dette est plus de 2 000 €"),
    ("les enfants à charge sont strictement inférieurs à 3", "les enfants à charge sont moins de 3"),
    ("la dette est d'au moins 3 fois le loyer", "la dette est au moins 3 fois le loyer"),
    ("la dette est d’au plus 2 000 €", "la dette est au plus 2 000 €"),
    ("la dette est comprise entre 1 € et 5 €", "la dette est entre 1 € et 5 €"),
    ("les enfants à charge sont compris entre 1 et 3", "les enfants à charge sont entre 1 et 3"),
    ("la date du signalement est antérieure à la date du jugement",
     "la date du signalement est avant la date du jugement"),
    ("la date du signalement est postérieure au 1er mars 2026", "la date du signalement est après le 1er mars 2026"),
    ("la date du signalement est au moins 3 mois antérieure à la date du jugement",
     "la date du signalement est au moins 3 mois avant la date du jugement"),
    ("la dette est superieure a 2000", "la dette est plus de 2000 €"),
    ("les enfants à charge sont supérieurs à deux", "les enfants à charge sont plus de 2"),
    ("la dette est au-delà de 2 000 €", "la dette est plus de 2 000 €"),
    ("la dette est au delà de 2 000 €", "la dette est plus de 2 000 €"),
    ("la dette est supérieure ou égale à 2 000 €", "la dette est au moins 2 000 €"),
    ("les enfants à charge sont supérieurs ou égaux à un", "les enfants à charge sont au moins 1"),
    ("la dette est inférieure à 2 000 €", "la dette est moins de 2 000 €"),
    ("la dette est INFÉRIEURE OU ÉGALE À 2 000 €", "la dette est au plus 2 000 €"),
    ("les enfants à charge sont égaux à trois", "les enfants à charge sont 3"),
    ("le stade est égal à assignation", "le stade est assignation"),
    ("le stade est supérieur ou égal à assignation", "le stade est au moins assignation"),
    ("la dette ≥ 2 000 €", "la dette est au moins 2 000 €"),
    ("la dette >= 2000", "la dette est au moins 2 000 €"),
    ("la dette ≤ 2000", "la dette est au plus 2 000 €"),
    ("la dette <= 2000", "la dette est au plus 2 000 €"),
    ("la dette > 2000", "la dette est plus de 2 000 €"),
    ("la dette < 2000", "la dette est moins de 2 000 €"),
    ("les enfants à charge = 2", "les enfants à charge sont 2"),
    ("les enfants à charge ≠ 2", "les enfants à charge ne sont pas 2"),
    ("les enfants à charge != 2", "les enfants à charge ne sont pas 2"),
    ("les enfants à charge <> 2", "les enfants à charge ne sont pas 2"),
    ("la dette n'est pas supérieure à 2 000 €", "non la dette est plus de 2 000 €"),
    ("la date du signalement est avant le 1er mars 2026", "la date du signalement est moins de 2026-03-01"),
    ("la date du signalement est après le 1er mars 2026", "la date du signalement est plus de 2026-03-01"),
    ("la dette est supérieure au loyer", "la dette est plus de 1 fois le loyer"),
    ("la dette est inférieure ou égale au loyer", "la dette est au plus 1 fois le loyer"),
    ("la dette est au moins trois fois le loyer", "la dette est au moins 3 fois le loyer"),
    ("la dette est au moins dix-sept fois le loyer", "la dette est au moins 17 fois le loyer"),
    ("la dette est au moins dix sept fois le loyer", "la dette est au moins 17 fois le loyer"),
    ("les enfants à charge sont entre un et vingt", "les enfants à charge sont entre 1 et 20"),
    ("les enfants à charge sont parmi une, deux", "les enfants à charge sont parmi 1, 2"),
    ("la dette est au moins 3 fois le loyer ou au moins 2 000 €",
     "la dette est au moins 3 fois le loyer ou la dette est au moins 2 000 €"),
    ("la dette est au moins 100 € et < 3 fois le loyer et n'est pas 200 €",
     "la dette est au moins 100 € et la dette < 3 fois le loyer et la dette n'est pas 200 €"),
    ("le stade est assignation ou est jugement", "le stade est assignation ou le stade est jugement"),
    ("la dette est au moins 1 € et (au plus 5 € ou supérieure à 10 €)",
     "la dette est au moins 1 € et (la dette est au plus 5 € ou la dette est plus de 10 €)"),
    ("(aide et la dette est au moins 1 €) ou au plus 0 €",
     "aide et la dette est au moins 1 € ou la dette est au plus 0 €"),
    ("aide et (la dette est au moins 1 € ou au plus 0 €)",
     "aide et (la dette est au moins 1 € ou la dette est au plus 0 €)"),
])
def test_each_wording_means_its_plain_form(written, meaning):
    """Each wording (words with free agreement, symbols, numbers in words, a subject left out) checks
    to the same condition as its plain form."""
    assert _condition(written) == _condition(meaning)


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"])
def test_thousands_grouped_by_a_space(space):
    """« 2 000 », with an ordinary, non-breaking or narrow space, is two thousand, with or without €, in
    conditions, bounds and examples."""
    text = HEAD.replace("entre 0 et 5 000 €", f"entre 0 et 5{space}000").replace(
        "entre 0 et 30", f"entre 0 et 2{space}000") + (
        f"règle « R »\n  si la dette est plus de 2{space}000 et les enfants à charge sont au moins 1{space}000\n"
        f"  alors A\nrègle « S »\n  sinon B\n"
        f"exemple « E » : dette : 2{space}000,01, loyer : 1{space}000, enfants à charge : 1{space}000, "
        f"stade : aucune, date du signalement : 2026-01-01, date du jugement : 2026-01-01, aide : non, "
        f"plus de trois ans : non\n  attendu A\n")
    charter = repartition.Charter.from_text(text, name="c.regles", verify=False)
    assert charter.check_examples() == []
    first = charter.model.rules[0].condition.operands
    assert (first[0].value, first[1].value) == (200_000, 1000)
    assert charter.model.fields[1].type.maximum == 500_000


def test_two_dates_compare_as_they_are():
    """« après la date du jugement » compares two dates, day by day; a multiple of a date is refused."""
    condition = _condition("la date du signalement est après la date du jugement")
    assert ([f.machine for f in condition.left], condition.op, condition.factor,
            [f.machine for f in condition.right]) == (["date"], "gt", 1, ["jugement"])
    assert _error("la date du signalement est au moins 2 fois la date du jugement").startswith(
        "15:6: « date du signalement » et « date du jugement » ne sont pas de même nature")


def test_a_declared_name_wins_over_a_comparison_left_without_subject():
    """A yes/no field named « plus de trois ans » is that field, not « plus de » three years of the
    subject before it."""
    condition = _condition("la dette est au moins 1 € et plus de trois ans")
    assert condition == _condition("la dette est au moins 1 € et anciennete")
    assert _condition("non plus de trois ans ou aide") == _condition("non anciennete ou aide")


@pytest.mark.parametrize("text, message", [
    ("au moins 3", "15:6: il manque la donnée comparée : elle ne peut être omise qu'après « et » ou « ou »,"),
    ("aide ou au moins 3", "15:14: il manque la donnée comparée"),
    ("aide et la dette est au moins 1 € ou au plus 0 €", "15:43: « au plus 0 € » reprend la donnée de « la dette "
     "est au moins 1 € », qui est dans un autre groupe de la condition (« et » se lit avant « ou ») : la lecture "
     "serait ambiguë. Mettez les deux comparaisons entre parenthèses, par exemple « (la dette est au moins 1 € ou "
     "au plus 0 €) », ou répétez la donnée"),
    ("la dette est au moins 1 € ou au plus 0 € et aide", "15:35: « au plus 0 € » reprend la donnée "
     "de « la dette est au moins 1 € », qui est dans un autre groupe de la condition (« et » se lit avant "
     "« ou ») : la lecture serait ambiguë. Mettez les deux comparaisons entre parenthèses, par exemple "
     "« (la dette est au moins 1 € ou au plus 0 €) »"),
    ("la dette est avant le loyer", "15:6: « avant » compare des dates : pour « dette », écrivez « moins de »"),
    ("la dette est au moins troi fois le loyer",
     "15:28: « troi » n'est pas un nombre ; vouliez-vous dire « trois » ?"),
    ("la dette est au moins cent fois le loyer",
     "15:28: « cent » n'est pas un nombre : écrivez-le en chiffres, ou en lettres de « un » à « vingt »"),
    ("les enfants à charge sont au moins deu", "15:41: « deu » n'est pas un nombre ; vouliez-vous dire « deux » ?"),
    ("la dette est au moins 2 fois le loyer plus la dette",
     "15:35: « le loyer plus la dette » : pour additionner, écrivez « la somme du loyer et de la dette » "),
    ("la dette moins le loyer est au moins 1 €", "15:6: « la dette moins le loyer » : la soustraction n'est "
     "pas permise"),
    ("la dette est au moins le loyer + la dette", "15:37: « + » : pour additionner, écrivez la somme"),
    ("la dette est au moins le loyer - la dette", "15:37: « - » : la soustraction n'est pas permise"),
    ("la dette est au moins le loyer − la dette", "15:37: « − » : la soustraction n'est pas permise"),
    ("la dette est au moins 3 * le loyer", "15:30: « * » : pour multiplier, écrivez « fois »"),
    ("la dette est au moins 3 fois aide", "15:6: « dette » et « aide » ne sont pas de même nature"),
    ("la dette est >= 3", "15:19: un symbole de comparaison s'écrit sans « est » : « enfants à charge ≥ 1 »"),
    ("aide est supérieure à 1", "15:6: « aide » ne se compare pas par « supérieure à » : réservé aux nombres"),
])
def test_mistakes_with_the_new_wordings_are_located_and_explained(text, message):
    """Each mistake a new construct invites gets a French message at its place."""
    assert _error(text).startswith(message)


def test_a_left_out_subject_is_written_back_as_written():
    """The formatter keeps a left-out subject left out, and the verb agrees with the subject before."""
    from repartition.dsl.formatter import format_text

    text = (HEAD + "règle « R »\n  si les enfants à charge sont au moins 2 ou sont inconnus\n  alors A\n")
    text = text.replace("nombre entier entre 0 et 30", "nombre entier entre 0 et 30, peut être inconnu")
    formatted = format_text(text)
    assert "  si les enfants à charge sont au moins 2 ou sont inconnus\n" in formatted
    assert "  si la dette ≥ 2 000 € ou ≤ 3 fois le loyer\n" in format_text(
        HEAD + "règle « R »\n  si la dette >= 2 000 € ou <= 3 fois le loyer\n  alors A\n")
    assert "  si la date du signalement est avant l'assignation\n" not in formatted


def test_wordings_route_alike_on_every_backend(make_charter):
    """A charter written with words, symbols and numbers in words routes every household as its
    plain twin does, on each backend."""
    words = make_charter(HEAD + """règle « R »
  si les enfants à charge sont supérieurs ou égaux à deux et (la dette est supérieure à trois fois le loyer
     ou au-delà de 2 000) et la date du signalement est après la date du jugement
  alors A
règle « S »
  sinon B
""", verify=False)
    plain = make_charter(HEAD + """règle « R »
  si les enfants à charge sont au moins 2 et (la dette est plus de 3 fois le loyer ou la dette est plus de
     2 000 €) et la date du signalement est après la date du jugement
  alors A
règle « S »
  sinon B
""", verify=False)
    for children in (1, 2):
        for debt, rent in (("2000", "700"), ("2000,01", "700"), ("2100", "700"), ("2100,01", "700")):
            for report, judgement in (("2026-03-02", "2026-03-01"), ("2026-03-01", "2026-03-01")):
                household = {"dette": debt, "loyer": rent, "enfants": children, "stade": "aucune",
                             "date": report, "jugement": judgement, "aide": False, "anciennete": False}
                assert words.route(household).rule == plain.route(household).rule


def test_a_code_written_with_a_space_is_not_a_number():
    """« 33 063 » reads as 33 063 for a number, but a code is written without its space."""
    text = HEAD + "  commune [commune] : code\n"
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text + "règle « R »\n  si la commune est 33 063\n  alors A\n",
                                      name="c.regles", verify=False)
    assert caught.value.diagnostics[0].message == ("« 33 063 » : un code s'écrit sans espace (« 33063 »), ou "
                                                   "entre guillemets s'il en a une")
