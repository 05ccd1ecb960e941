"""The service's answers, assembled from parts encoded once per shape and per fact, are byte for byte
the JSON of `Decision.to_dict()` (or of the refusal), on the bundled charters, on the example of
partners and on a charter with exceptions, partners, defaults and households it does not route."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.errors import InvalidHousehold, NoDecision
from repartition.service.answers import Answers
from repartition.service.payloads import dumps, refusal_body

from conftest import POLICIES, ROOT
from export_households import households, python_household

EXCEPTIONS = """charte « Exceptions »
version 3
services
  A : « Service a »
  B : « Service b »
  C : « Service c »
données du ménage
  n [n] : nombre entier entre 0 et 20
  p [p] : oui ou non, peut être inconnu
  q [q] : oui ou non, par défaut non
règle « Petits »
  si n est au plus 5
  alors A
règle « Petits avec p », par exception à « Petits »
  si n est au plus 5 et p
  alors B
règle « Moyens »
  si n est au moins 4 et n est au plus 12
  alors B, en lien avec C
règle « Grands »
  si n est au moins 10 et q
  alors A, en lien avec C et B
règle « Très grands »
  si n est au moins 15 et p
  alors A
"""

_CHARTERS = {
    "fiche": lambda: repartition.load_charter(POLICIES / "dispositif-repartition.regles"),
    "departemental": lambda: repartition.load_charter(POLICIES / "exemple-departemental.regles"),
    "partenaires": lambda: repartition.load_charter(ROOT / "docs" / "exemples" / "partenaires.regles"),
    "exceptions": lambda: repartition.Charter.from_text(EXCEPTIONS, name="exceptions.regles", verify=False),
}
_ANSWERS: dict[str, Answers] = {}  # one per charter for the whole test: shapes and facts are reused


def _expected(charter: repartition.Charter, household: dict) -> tuple[bytes, bool] | type:
    try:
        return dumps(charter.route(household).to_dict()), True
    except NoDecision as error:
        return dumps(refusal_body(error)), False
    except InvalidHousehold:
        return InvalidHousehold


@pytest.mark.parametrize("name", sorted(_CHARTERS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_answers_are_the_json_of_to_dict(name, data):
    """Every answer (decision or refusal) is the bytes of `dumps(to_dict())`, whatever answers came before."""
    answers = _ANSWERS.get(name)
    if answers is None:
        answers = _ANSWERS[name] = Answers(_CHARTERS[name]())
    charter = answers.charter
    household = python_household(charter, data.draw(households(charter)))
    expected = _expected(charter, household)
    if expected is InvalidHousehold:
        with pytest.raises(InvalidHousehold):
            answers.answer(household)
        return
    content, decided, _, facts = answers.answer(household)
    assert (content, decided) == expected
    if decided:
        assert facts == dumps(charter.route(household).to_dict()["faits"])
