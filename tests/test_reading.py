"""One reading on every backend (C reader, Python only, interpreter): numbers, numpy and pandas scalars,
unknown values, code shapes and keys give the same values or the same French error, and the same decision."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold, RepartitionError
from repartition.testing import households

from conftest import FICHE, POLICIES, python_only

TEXT = """charte « Lecture »
services
  A : « a »
  B : « b »
données du ménage
  enfants [enfants] : nombre entier entre 0 et 20
  rang [rang] : nombre entier, peut être inconnu
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros, peut être inconnu
  aide [aide] : oui ou non, peut être inconnu
  stade [stade] : étape parmi (aucune, assignation, jugement), peut être inconnu
  régime [regime] : valeur parmi (général [general], agricole), par défaut général
  commune [commune] : code commune, peut être inconnu
  dossier [dossier] : code de 7 chiffres, par défaut 0000000
  signalement [signalement] : date, peut être inconnu
règle « R »
  si les enfants sont au moins 2 et la dette est au moins 3 fois le loyer
  alors A
règle « Corse »
  si la commune est parmi 2A004, 2B033
  alors A
règle « Défaut »
  sinon B
"""

GOOD = {"enfants": 3, "rang": None, "dette": 1234.5, "loyer": "400,10", "aide": True, "stade": "jugement",
        "commune": "96011", "signalement": "2026-11-27"}


def _backends(load) -> dict:
    """The same charter on each backend: compiled with the C reader, compiled in Python only, interpreted."""
    with python_only():
        python = load("compile")
    return {"lecteur C": load("compile"), "Python seul": python, "interpréteur": load("interprete")}


BACKENDS = {
    "lecture": _backends(lambda engine: repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False,
                                                                      engine=engine)),
    "fiche 3-4": _backends(lambda engine: repartition.load_charter(FICHE, engine=engine)),
    "départemental": _backends(lambda engine: repartition.load_charter(POLICIES / "exemple-departemental.regles",
                                                                       engine=engine)),
}
LECTURE = BACKENDS["lecture"]


def _outcome(charter, household) -> tuple:
    """The values read (or the French error) and the decision (or the French error), comparable."""
    try:
        validated = charter.validate(household)
        read = (validated.values, validated.assumed)
    except RepartitionError as error:
        read = ("erreur", str(error))
    try:
        decision = charter.route(household)
        decided = (decision.service, decision.rules, decision.unit, decision.assumed, decision.facts,
                   decision.explanation)
    except RepartitionError as error:
        decided = ("erreur", str(error))
    return read, decided


def _numpy_spelling(household: dict, seed: int) -> dict:
    """The household as a pandas row gives it: numpy scalars, NaN, NA or NaT for missing values."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    rng = random.Random(seed)
    out = {}
    for key, value in household.items():
        if value is None:
            value = rng.choice([np.nan, pd.NA, pd.NaT, None])
        elif type(value) is bool:
            value = np.bool_(value)
        elif type(value) is int and -2**63 <= value < 2**63:
            value = np.int64(value)
        elif type(value) is float:
            value = np.float64(value)
        elif type(value) is str and rng.random() < 0.5:
            value = np.str_(value)
        out[key] = value
    return out


@pytest.mark.parametrize("name", list(BACKENDS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_backend_reads_and_decides_the_same(name, data):
    """For any household, raw spellings and hostile values included, the C reader, the Python reading
    and the interpreter read the same values (or refuse with the same French message) and decide the
    same; a pandas row of the same household (numpy scalars, NaN/NA/NaT) reads as its Python values."""
    backends = BACKENDS[name]
    household = data.draw(households(backends["interpréteur"], spellings=True))
    outcomes = {label: _outcome(charter, household) for label, charter in backends.items()}
    assert outcomes["lecteur C"] == outcomes["Python seul"] == outcomes["interpréteur"], outcomes
    row = _numpy_spelling(household, data.draw(st.integers(0, 2**32)))
    assert _outcome(backends["lecteur C"], row) == outcomes["lecteur C"]
    assert _outcome(backends["Python seul"], row) == outcomes["lecteur C"]


# ---- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [-85535792906581.1, 70368744177664.01, 89999999999999.99, 2**53 / 100,
                                 999999999999.995, 1e12, 123456789012.345])
def test_large_floats_read_the_same_with_or_without_c(raw):
    """Floats past the largest amount, where C and Python once gave different cents: every backend
    refuses them with the same French message."""
    outcomes = {label: _outcome(charter, {**GOOD, "dette": raw}) for label, charter in LECTURE.items()}
    assert len(set(map(repr, outcomes.values()))) == 1
    assert outcomes["lecteur C"][0][0] == "erreur"


@pytest.mark.parametrize("field, raw, expected", [
    ("dette", 1e13, "un montant d'au plus 999\u202f999\u202f999\u202f999,99 € en valeur absolue"),
    ("dette", "1 000 000 000 000,00 €", "un montant d'au plus 999\u202f999\u202f999\u202f999,99 €"),
    ("dette", "9" * 5000, "un montant d'au plus"),
    ("loyer", -10**12, "un montant d'au plus"),
    ("rang", 2**63, "un nombre entier entre -9\u202f223\u202f372\u202f036\u202f854\u202f775\u202f808 et"),
    ("rang", "1" * 5000, "un nombre entier entre"),
    ("enfants", "0" * 5000 + "21", "un nombre entier entre 0 et 20"),
])
@pytest.mark.parametrize("backend", list(LECTURE))
def test_numbers_beyond_what_every_backend_holds_are_refused_in_french(backend, field, raw, expected):
    """Amounts past 999 999 999 999,99 €, whole numbers past 64 bits, however many digits: a French
    InvalidHousehold naming the field, never a ValueError."""
    with pytest.raises(InvalidHousehold, match=f"champ « {field} » : valeur .* invalide, attendu {expected}"):
        LECTURE[backend].route({**GOOD, field: raw})


@pytest.mark.parametrize("backend", list(LECTURE))
def test_the_largest_numbers_are_read(backend):
    """999 999 999 999,99 € and the 64-bit limits are numbers like others."""
    charter = LECTURE[backend]
    household = {**GOOD, "dette": 999999999999.99, "loyer": "-999 999 999 999,99", "rang": -2**63}
    values = charter.validate(household).values
    assert (values[2], values[3], values[1]) == (99999999999999, -99999999999999, -2**63)


# ---- numpy and pandas --------------------------------------------------------------------------

@pytest.mark.parametrize("backend", list(LECTURE))
def test_numpy_scalars_read_like_their_python_values(backend):
    """np.int64, np.float64, np.bool_, np.str_ and np.datetime64 read as int, float, bool, str and date:
    np.int64 is a whole number, np.bool_ no number."""
    np = pytest.importorskip("numpy")
    charter = LECTURE[backend]
    row = {"enfants": np.int64(3), "rang": np.int32(-4), "dette": np.float64(1234.5), "loyer": np.str_("400,10"),
           "aide": np.bool_(True), "stade": np.str_("jugement"), "commune": np.str_("96011"),
           "signalement": np.datetime64("2026-11-27")}
    python = {**GOOD, "rang": -4, "signalement": dt.date(2026, 11, 27)}
    assert charter.validate(row) == charter.validate(python)
    assert charter.route(row).service == charter.route(python).service
    with pytest.raises(InvalidHousehold, match="champ « enfants » : valeur true invalide, attendu un nombre entier"):
        charter.route({**GOOD, "enfants": np.bool_(True)})
    with pytest.raises(InvalidHousehold, match="champ « dette » : valeur 12.345 invalide"):
        charter.route({**GOOD, "dette": np.float64(12.345)})


@pytest.mark.parametrize("backend", list(LECTURE))
def test_nan_na_nat_and_none_mean_unknown_where_a_field_may_be_unknown(backend):
    """NaN, pd.NA, pd.NaT and None read as unknown for a field that may be unknown, and are an error
    (« cette donnée ne peut pas être inconnue ») for the others."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    charter = LECTURE[backend]
    for missing in (float("nan"), np.nan, pd.NA, pd.NaT, None, np.datetime64("NaT")):
        household = {**GOOD, **dict.fromkeys(("rang", "loyer", "aide", "stade", "commune", "signalement"), missing)}
        values = charter.validate(household).values
        assert [values[i] for i in (1, 3, 4, 5, 7, 9)] == [None] * 6
        for field in ("enfants", "dette"):
            with pytest.raises(InvalidHousehold, match=f"champ « {field} » : valeur vide invalide.*ne peut pas "
                                                       "être inconnue"):
                charter.validate({**GOOD, field: missing})


def test_dataframe_rows_route_as_the_csv_file_does(tmp_path):
    """Rows of a DataFrame read from a CSV (as text, or typed: numpy scalars, NaN and NA for empty
    cells) route as the same CSV file does line by line."""
    pd = pytest.importorskip("pandas")
    charter = LECTURE["lecteur C"]
    lines = ["enfants;rang;dette;loyer;aide;stade;commune;signalement",
             "3;;1234,5;400,10;oui;jugement;96011;2026-11-27", "0;2;10;;;aucune;2A004;",
             "4;;5000;1000;non;;;27/11/2026"]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = [charter.route({k: v for k, v in zip(lines[0].split(";"), line.split(";"))}) for line in lines[1:]]
    expected = [(d.service, d.rule, d._values) for d in from_csv]
    as_text = pd.read_csv(tmp_path / "in.csv", sep=";", dtype=str)
    typed = pd.read_csv(tmp_path / "in.csv", sep=";", decimal=",", dtype={"commune": str, "rang": "Int64"})
    for frame in (as_text, typed):
        decisions = [charter.route(dict(row)) for _, row in frame.iterrows()]
        assert [(d.service, d.rule, d._values) for d in decisions] == expected


def test_repartition_imports_neither_numpy_nor_pandas():
    """numpy values are read by duck typing: loading a charter and routing imports neither library."""
    script = ("import sys, repartition\n"
              "c = repartition.load_charter(repartition.bundled_charter('exemple-departemental.regles'))\n"
              "h = dict(c.examples[0].household)\n"
              "h['dette_locative'] = float('nan')\n"
              "try:\n    c.route(h)\nexcept repartition.InvalidHousehold:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'pandas')))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_datetime_is_no_date():
    """A pd.Timestamp reads as the datetime it is: refused like a datetime.datetime, as a date with a time."""
    pd = pytest.importorskip("pandas")
    for charter in LECTURE.values():
        for raw in (pd.Timestamp("2026-11-27"), dt.datetime(2026, 11, 27)):
            with pytest.raises(InvalidHousehold, match="champ « signalement » .* attendu une date"):
                charter.validate({**GOOD, "signalement": raw})


# ---- code shapes -------------------------------------------------------------------------------

@pytest.mark.parametrize("field, raw, expected", [
    ("commune", "Strasbourg", "un code commune INSEE : 5 chiffres, ou 2A ou 2B suivis de 3 chiffres"),
    ("commune", "2a004", "un code commune INSEE"), ("commune", "1053", "un code commune INSEE"),
    ("commune", "\u0663\u0663\u0660\u0666\u0663", "un code commune INSEE"),
    ("commune", 33063, "un code écrit comme un texte"), ("dossier", "123456", "un code de 7 chiffres"),
    ("dossier", "12345678", "un code de 7 chiffres"),
])
@pytest.mark.parametrize("backend", list(LECTURE))
def test_codes_that_do_not_fit_their_shape_are_refused(backend, field, raw, expected):
    """A value that does not have the code's declared shape is refused, saying the shape expected."""
    with pytest.raises(InvalidHousehold, match=f"champ « {field} » : valeur .* invalide, attendu {expected}"):
        LECTURE[backend].route({**GOOD, field: raw})


@pytest.mark.parametrize("backend", list(LECTURE))
def test_codes_that_fit_are_read_trimmed(backend):
    """Codes of the shape are read, trimmed; Corsica's 2A and 2B codes are commune codes."""
    charter = LECTURE[backend]
    decision = charter.route({**GOOD, "enfants": 0, "commune": " 2A004 ", "dossier": "0012345"})
    assert decision.service == "A" and decision.rule == "Corse"
