"""Durations between two dates: days, calendar months (the day kept, or the month's last day) and years."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import repartition
from repartition.errors import CharterError
from repartition.proof import verify
from repartition.proof.calendar import back_months
from repartition.runtime import add_months

HEAD = """charte « Durées »
en vigueur à partir du 1er janvier 2026
services
  CCAPEX : « CCAPEX »
  DEP : « Département »
données du ménage
  date du premier impayé [impaye] : date, peut être inconnu
  date du signalement [signalement] : date
  loyer [loyer] : montant en euros d'au moins 0
"""


def _day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


@pytest.mark.parametrize("start, months, end", [
    ("2024-01-31", 1, "2024-02-29"),  # leap year: the last day of February
    ("2023-01-31", 1, "2023-02-28"),
    ("2023-03-31", 1, "2023-04-30"),
    ("2024-02-29", 12, "2025-02-28"),  # a year is 12 months
    ("2024-02-29", 48, "2028-02-29"),
    ("2023-11-30", 3, "2024-02-29"),
    ("2023-12-15", 1, "2024-01-15"),
    ("2100-01-31", 1, "2100-02-28"),  # 2100 is not a leap year
    ("2000-01-31", 1, "2000-02-29"),  # 2000 is
    ("2024-05-31", 0, "2024-05-31"),
])
def test_calendar_months_keep_the_day_or_take_the_last_one(start, months, end):
    """31 January + 1 month is 28 or 29 February; 29 February + 1 year is 28 February."""
    assert add_months(_day(start), months) == _day(end)


@settings(max_examples=500, deadline=None)
@given(st.dates(max_value=dt.date(9989, 12, 31)), st.integers(0, 120))
def test_add_months_is_the_calendar_and_back_months_its_greatest_inverse(day, months):
    """add_months agrees with the calendar module and never decreases; back_months(z) is the last
    date whose months later are not after z."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    assert add_months(day.toordinal(), months) == dt.date(year, month + 1, min(day.day, last)).toordinal()
    assert add_months(day.toordinal() + 1, months) >= add_months(day.toordinal(), months)
    if months and day.year > 20:
        back = back_months(day.toordinal(), months)
        assert add_months(back, months) <= day.toordinal() < add_months(back + 1, months)


def test_past_the_last_date_months_are_still_counted():
    """31 December 9999 + 1 month is an ordinal past every date, not an error."""
    last = dt.date.max.toordinal()
    assert add_months(last, 1) == last + 31


CASES = [
    # condition, impayé, signalement, expected
    ("au moins 1 mois avant", "2024-01-31", "2024-02-29", True),
    ("au moins 1 mois avant", "2024-01-31", "2024-02-28", False),
    ("au moins 1 mois avant", "2023-01-31", "2023-02-28", True),
    ("au moins 1 mois avant", "2023-01-28", "2023-02-27", False),
    ("plus de 1 mois avant", "2024-01-31", "2024-02-29", False),
    ("plus de 1 mois avant", "2024-01-31", "2024-03-01", True),
    ("moins de 3 mois avant", "2023-11-30", "2024-02-28", True),
    ("moins de 3 mois avant", "2023-11-30", "2024-02-29", False),
    ("au plus 3 mois avant", "2023-11-30", "2024-02-29", True),
    ("au plus 3 mois avant", "2023-11-30", "2024-03-01", False),
    ("au plus 3 mois avant", "2024-03-01", "2024-02-01", True),  # after: at most 3 months before too
    ("au moins un an avant", "2024-02-29", "2025-02-28", True),
    ("au moins un an avant", "2024-02-29", "2025-02-27", False),
    ("au moins 2 ans avant", "2022-03-01", "2024-03-01", True),
    ("au moins trois mois avant", "2024-11-30", "2025-02-28", True),
    ("au moins 30 jours avant", "2024-02-01", "2024-03-02", True),
    ("au moins 30 jours avant", "2024-02-01", "2024-03-01", False),
    ("au moins 1 jour avant", "2024-02-29", "2024-03-01", True),
    ("1 mois avant", "2024-01-29", "2024-02-29", True),
    ("1 mois avant", "2024-01-31", "2024-02-29", True),
    ("1 mois avant", "2024-01-28", "2024-02-29", False),
    ("n'est pas 1 mois avant", "2024-01-28", "2024-02-29", True),
    ("supérieure ou égale à 2 mois avant", "2024-12-31", "2025-02-28", True),
]


@pytest.mark.parametrize("wording, impaye, signalement, expected", CASES)
def test_durations_at_month_ends_on_every_backend(make_charter, wording, impaye, signalement, expected):
    """Month ends and leap years give the same answer on the compiler (with and without C) and the interpreter."""
    verb = "" if wording.startswith("n'est") else "est "
    charter = make_charter(HEAD + f"règle « R »\n  si la date du premier impayé {verb}{wording} la date du "
                           f"signalement\n  alors CCAPEX\nrègle « Autres »\n  sinon DEP\n", verify=False)
    decision = charter.route({"impaye": impaye, "signalement": signalement, "loyer": "0"})
    assert (decision.rule == "R") == expected


def test_apres_reads_the_other_way(make_charter):
    """« le signalement est au moins 3 mois après l'impayé » is « l'impayé est au moins 3 mois avant le signalement »."""
    after = make_charter(HEAD + "règle « R »\n  si la date du signalement est au moins 3 mois après la date du "
                         "premier impayé\n  alors CCAPEX\nrègle « Autres »\n  sinon DEP\n", verify=False)
    before = make_charter(HEAD + "règle « R »\n  si la date du premier impayé est au moins 3 mois avant la date du "
                          "signalement\n  alors CCAPEX\nrègle « Autres »\n  sinon DEP\n", verify=False)
    assert after.model.rules[0].condition.earlier == before.model.rules[0].condition.earlier
    for impaye, signalement in (("2023-11-30", "2024-02-29"), ("2023-11-30", "2024-02-28"), ("2024-01-01", "2024-01-01")):
        household = {"impaye": impaye, "signalement": signalement, "loyer": "0"}
        assert after.route(household).rule == before.route(household).rule


def test_an_unknown_date_makes_the_duration_unknown(make_charter):
    """Never a guess: an unknown first unpaid date leaves « au moins 3 mois avant » unknown."""
    charter = make_charter(HEAD + "indicateur « ancien » : la date du premier impayé est au moins 3 mois avant "
                           "la date du signalement\nrègle « Autres »\n  sinon DEP\n", verify=False)
    assert charter.route({"impaye": None, "signalement": "2024-01-01", "loyer": "0"}).indicators == {"ancien": None}


def test_never_against_todays_date():
    """A decision never depends on the day it is made: only dates of the household are compared."""
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(HEAD + "règle « R »\n  si la date du premier impayé est au moins 3 mois avant "
                                      "aujourd'hui\n  alors CCAPEX\n", name="d.regles", verify=False)
    assert "donnée inconnue « aujourd'hui »" in caught.value.diagnostics[0].message


KNOWN = HEAD.replace("date, peut être inconnu", "date")


def test_the_proof_is_exact_at_month_ends():
    """Rules split at « 1 mois avant » and « 28 jours avant » leave households only where a month has
    more than 28 days: the proof finds that gap, with a readable household routed by the interpreter,
    and proves the complementary charter."""
    text = KNOWN + """règle « Un mois »
  si la date du premier impayé est au moins 1 mois avant la date du signalement
  alors CCAPEX
règle « Moins de 28 jours »
  si la date du premier impayé est moins de 28 jours avant la date du signalement
  alors DEP
"""
    charter = repartition.Charter.from_text(text, name="d.regles", verify=False)
    report = verify(charter)
    (gap,) = report.errors
    assert gap.kind == "lacune"
    assert gap.example == {"impaye": "2026-01-01", "signalement": "2026-01-29", "loyer": "0,00"}
    with pytest.raises(repartition.NoDecision):
        charter.route(gap.example)
    assert "date du signalement moins de 1 mois après date du premier impayé" in gap.region
    proven = text.replace("moins de 28 jours avant", "moins de 1 mois avant")
    assert verify(repartition.Charter.from_text(proven, name="d.regles", verify=False)).ok


def test_the_proof_shows_a_month_end_when_only_month_ends_fit():
    """A rule true only where one month counts 28 days needs a February: the proof finds one."""
    text = KNOWN + """règle « Court »
  si la date du premier impayé est au moins 1 mois avant la date du signalement
     et la date du premier impayé est au plus 28 jours avant la date du signalement
  alors CCAPEX
règle « Autres »
  sinon DEP
"""
    charter = repartition.Charter.from_text(text, name="d.regles", verify=False)
    report = verify(charter)
    assert report.ok
    from repartition.proof.regions import DEFAULT_WORK, Budget, Explorer
    from repartition.proof.examples import external, solve

    explorer = Explorer(charter.model)
    leaves, _ = explorer.explore(Budget(DEFAULT_WORK))
    point = next(solve(explorer.domain, l.region, l.fixed, charter.model.valid_from) for l in leaves
                 if l.deciding == (0,))
    household = external(charter.model, point)
    assert charter.route(household).rule == "Court"
    impaye = dt.date.fromisoformat(household["impaye"])
    assert (impaye.month, impaye.day >= 28 or impaye.month == 2) in ((1, True), (2, True))


def test_an_impossible_duration_is_a_dead_rule():
    """« au moins 2 mois avant » yet « moins de 1 mois avant » holds for no household: proven dead."""
    text = KNOWN + """règle « Impossible »
  si la date du premier impayé est au moins 2 mois avant la date du signalement
     et la date du premier impayé est moins de 1 mois avant la date du signalement
  alors CCAPEX
règle « Autres »
  sinon DEP
"""
    report = verify(repartition.Charter.from_text(text, name="d.regles", verify=False))
    assert [(p.kind, p.rules[0][0]) for p in report.problems] == [("regle_morte", "Impossible")]


@pytest.mark.parametrize("condition, message", [
    ("le loyer est au moins 3 mois avant la date du signalement",
     "« loyer » n'est pas une date : une durée en mois sépare deux dates"),
    ("la date du premier impayé est au moins 3 semaines avant la date du signalement",
     "après un nombre, attendu « fois » (« 3 fois le loyer »), une durée en jours, mois ou ans"),
    ("la date du premier impayé est au moins 2,5 mois avant la date du signalement",
     "« 2,5 » : une durée se compte en jours, mois ou ans entiers, sans signe"),
    ("la date du premier impayé est au moins troi mois avant la date du signalement",
     "« troi » n'est pas un nombre ; vouliez-vous dire « trois » ?"),
    ("la date du premier impayé est avant 3 mois avant la date du signalement",
     "devant une durée, écrivez « au moins », « au plus », « plus de » ou « moins de »"),
    ("la date du premier impayé est au moins 3 fois la date du signalement",
     "« date du premier impayé » et « date du signalement » ne sont pas de même nature"),
    ("la date du premier impayé est au moins 10000 ans avant la date du signalement",
     "« 10000 ans » : une durée entre deux dates ne dépasse pas 9999 ans"),
])
def test_mistakes_in_durations_are_explained(condition, message):
    """Each mistake a duration invites gets a French message."""
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(HEAD + f"règle « R »\n  si {condition}\n  alors CCAPEX\n", name="d.regles",
                                      verify=False)
    assert message in caught.value.diagnostics[0].message


def test_a_name_cannot_hold_months_before():
    """« mois avant » ends a name (a duration may follow one): a label holding it is refused where it
    is written, saying why, while « mois » alone stays free in names."""
    text = HEAD.replace("  loyer [loyer]", "  nombre de mois avant la fin du bail [fin] : nombre entier\n  loyer [loyer]")
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text + "règle « R »\n  sinon DEP\n", name="d.regles", verify=False)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (9, 13)
    assert diagnostic.message.startswith("« mois avant » est réservé aux durées entre deux dates")
    fine = HEAD.replace("  loyer [loyer]", "  mois de retard [retard] : nombre entier\n  loyer [loyer]")
    charter = repartition.Charter.from_text(fine + "règle « R »\n  si les mois de retard sont au moins trois\n"
                                           "  alors CCAPEX\nrègle « S »\n  sinon DEP\n", name="d.regles", verify=False)
    assert charter.route({"impaye": None, "signalement": "2026-01-01", "loyer": "0", "retard": 3}).rule == "R"
