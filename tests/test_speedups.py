"""Reading households: the generated reading gives what each field's type reads, and the C reader reads a
subset of it exactly so, declining the rest."""

from __future__ import annotations

import collections
import math
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold, RepartitionError, runtime
from repartition.decision import Decision

from conftest import ROOT, python_only

needs_c = pytest.mark.skipif(runtime.reader is None, reason="lecteur C non compilé (pas de compilateur C)")

TEXT = """charte « Lecture »
services
  A : « a »
  B : « b »
données du ménage
  n [n] : nombre entier entre 0 et 20
  u [u] : nombre entier, peut être inconnu
  dette [dette] : montant en euros d'au moins 0
  loyer [loyer] : montant en euros entre 1 et 1000, peut être inconnu
  p [p] : oui ou non, peut être inconnu
  s [s] : étape parmi (e0, e1, e2), peut être inconnu
  k [k] : valeur parmi (rouge, vert), par défaut vert
  c [c] : code
  d [d] : date
règle « R »
  si n est au moins 2 et la dette est au moins 3 fois le loyer
  alors A
règle « Défaut »
  sinon B
"""

with_c = repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False)
with python_only():
    python = repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False)
READ = with_c.route.__globals__.get("_READ")  # None without the C reader


def fresh_reader():
    """The C reader of a newly loaded charter: its memos know only their seeds, nothing learnt since."""
    return repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False).route.__globals__["_READ"]


GOOD = {"n": 3, "u": None, "dette": 1234.5, "loyer": "400,10", "p": True, "s": "e1", "c": "96011",
        "d": "2026-11-27"}


def _reference(charter, household):
    """What langage.md says a household reads as, field by field through its type (runtime.read):
    (values, assumed), or the set of the fields that cannot be read."""
    values, assumed, bad = [], [], set()
    for f in charter.fields:
        if f.machine not in household:
            if f.has_default:
                values.append(f.default)
                assumed.append(f.machine)
            else:
                bad.add(f.machine)
            continue
        try:
            values.append(runtime.read(f, household[f.machine]))
        except InvalidHousehold:
            bad.add(f.machine)
    return bad or (tuple(values), tuple(assumed))


def _reading(charter, household):
    """The validated values, or the French message of the error, in comparable form."""
    try:
        validated = charter.validate(household)
    except RepartitionError as error:  # InvalidHousehold among them
        return ("erreur", str(error))
    return (validated.values, validated.assumed)


_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-10**6, 10**6).map(lambda c: c / 100),
                    st.sampled_from([0.1, 0.2 + 0.1, 12.345, 1e300, -0.0, 2**53 / 100, 1000.0, 1000.01]))
_ints = st.one_of(st.integers(-5, 25), st.integers(), st.booleans())
_texts = st.one_of(
    st.from_regex(r"-?[0-9]{0,25}([.,][0-9]{0,3})?", fullmatch=True),
    st.sampled_from(["", " 12 ", "1 234,56", "12,50 €", "١٢", "+12", "1_000", "1e3", "nan", "Oui", "NON",
                     "E1", "e2", "vert", "Rouge", "2026-02-30", "27/11/2026", "0012.5"]),
    st.text(max_size=6),
)
_amounts = st.builds("{}{}{}".format, st.integers(0, 10**6).map(str), st.sampled_from([".", ",", ""]),
                     st.from_regex(r"[0-9]{0,3}", fullmatch=True))
_values = st.one_of(st.none(), _floats, _ints, _amounts, _texts, st.just([1]), st.just({"a": 1}))


@st.composite
def households(draw):
    """A well-formed household with one or two fields replaced by any shape, or left out."""
    household = dict(GOOD)
    for name in draw(st.lists(st.sampled_from([*GOOD, "k"]), min_size=1, max_size=2, unique=True)):
        if draw(st.integers(0, 4)) == 0:
            household.pop(name, None)
        else:
            household[name] = draw(_values)
    return household


@needs_c
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_c_reader_reads_as_python_does(household):
    """With or without the C reader: the same values, or the same French error."""
    assert _reading(with_c, household) == _reading(python, household)


@pytest.mark.parametrize("charter", [with_c, python], ids=["lecteur C", "Python seul"])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(household=households())
def test_generated_reading_reads_as_the_field_types_do(charter, household):
    """The generated reading, fast paths included, gives each field's reading by its type, or names a
    field that its type cannot read."""
    expected = _reference(charter, household)
    try:
        validated = charter.validate(household)
    except InvalidHousehold as error:
        assert isinstance(expected, set) and error.field in expected
    else:
        assert (validated.values, validated.assumed) == expected


@pytest.mark.parametrize("charter", [with_c, python], ids=["lecteur C", "Python seul"])
@pytest.mark.parametrize("field, raw", [("dette", -0.01), ("loyer", 1000.01), ("loyer", 0.99), ("n", 21)])
def test_json_numbers_outside_their_bounds_are_refused(charter, field, raw):
    """A JSON number outside the field's bounds is an error on every path, never read."""
    with pytest.raises(InvalidHousehold, match=f"champ « {field} » : valeur {raw} invalide"):
        charter.validate({**GOOD, field: raw})


@needs_c
@settings(max_examples=300, deadline=None)
@given(households())
def test_c_reader_reads_only_what_python_reads_the_same(household):
    """The reader either declines (None) or returns exactly the Python reading."""
    read = READ(household)
    if read is not None:
        assert read == python._validate(household)


@needs_c
@settings(max_examples=200, deadline=None)
@given(households())
def test_routing_is_the_same_with_or_without_the_c_reader(household):
    """Decisions agree, field by field, whichever reading ran."""
    def outcome(charter):
        try:
            decision = charter.route(household)
        except RepartitionError as error:
            return str(error)
        return decision.service, decision.rules, decision.facts, decision.assumed, decision.explanation

    assert outcome(with_c) == outcome(python)


@needs_c
@pytest.mark.parametrize("field, raw, value", [
    ("n", 0, 0), ("n", 20, 20), ("u", None, None), ("u", -7, -7),
    ("dette", 0.1, 10), ("dette", 3000.06, 300006), ("dette", 12, 1200), ("dette", "1234", 123400),
    ("dette", "1234.5", 123450), ("dette", "1234,56", 123456), ("dette", "007,50", 750),
    ("loyer", None, None), ("loyer", 1000, 100000), ("loyer", "1", 100),
    ("p", False, False), ("p", None, None), ("s", "e2", 2), ("k", "rouge", 0),
])
def test_reader_reads_common_shapes(field, raw, value):
    """JSON numbers, plain amounts in text, and spellings its memo knows are read in C."""
    index = next(f.index for f in with_c.fields if f.machine == field)
    values, _ = READ({**GOOD, field: raw})
    assert values[index] == value and type(values[index]) is type(value)


@needs_c
@pytest.mark.parametrize("field, raw", [
    ("n", True), ("n", 21), ("n", -1), ("n", 2**70), ("n", 3.0), ("n", None), ("u", 2**64),
    ("dette", math.nan), ("dette", math.inf), ("dette", 12.345), ("dette", 1e300), ("dette", -0.01),
    ("dette", True), ("dette", "12."), ("dette", ",5"), ("dette", "1 234,56"), ("dette", "12,345"),
    ("dette", "١٢"), ("dette", "+12"), ("dette", "-12"), ("dette", "1234567890123456"), ("dette", None),
    ("loyer", 1000.01), ("loyer", "0,99"), ("p", "peut-être"), ("p", [1]), ("s", "E3"), ("d", "hier"),
    ("dette", 2**62), ("dette", "\u3031"), ("dette", "9" * 19), ("dette", "1" * 25 + ",5"),
    ("dette", "0000000000012"), ("dette", 1e12), ("dette", 10**12), ("dette", 70000000000000.12),
])
def test_reader_declines_what_python_must_read(field, raw):
    """Anything else the C reader declines: the Python reading takes over (it reads the value, or names
    the problem, as the tests above check)."""
    assert fresh_reader()({**GOOD, field: raw}) is None


@needs_c
def test_reader_uses_what_the_python_reading_learnt():
    """A spelling the Python reading has read once (its memo learns it) is read in C afterwards."""
    charter = repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False)
    read = charter.route.__globals__["_READ"]
    household = {**GOOD, "dette": "1 234,56 €"}
    assert read(household) is None
    charter.validate(household)
    assert read(household)[0][2] == 123456


@needs_c
def test_reader_declines_absent_fields_without_default_and_other_mappings():
    """An absent field without default, a dict subclass or another mapping: Python reads them."""
    assert READ({k: v for k, v in GOOD.items() if k != "c"}) is None
    assert READ(collections.defaultdict(int, GOOD)) is None
    assert READ(MappingProxyType(GOOD)) is None
    assert with_c.route(MappingProxyType(GOOD)).service == with_c.route(GOOD).service


@needs_c
def test_reader_assumes_defaults_of_absent_fields():
    """An absent field with a default reads as its default and is named among the assumed ones."""
    with_c.validate(GOOD)  # the Python reading first learns the spellings of text values (the code, the date)
    assert READ(GOOD)[1] == ("k",)
    assert READ({**GOOD, "k": "vert"})[1] == ()


@needs_c
def test_reader_leaves_other_keys_to_python_when_it_assumed_a_default():
    """With a default assumed and a key the charter does not declare (perhaps the misspelt field), the
    reader declines: the Python reading checks the keys. Without a default assumed, other keys pass."""
    charter = repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False)
    read = charter.route.__globals__["_READ"]
    charter.validate({**GOOD, "k": "vert"})  # the memos learn the code and the date
    assert read({**GOOD, "identifiant": 1}) is None
    assert read({**GOOD, "k": "vert", "identifiant": 1})[1] == ()
    assert read(GOOD)[1] == ("k",)
    with pytest.raises(InvalidHousehold, match="vouliez-vous dire « k »"):
        charter.route({**GOOD, "K ": "rouge"})


@needs_c
def test_reader_refuses_a_malformed_plan():
    """The plan is generated, yet a wrong one is a clear TypeError or ValueError, not a crash."""
    with pytest.raises(TypeError):
        runtime.reader([])
    with pytest.raises(ValueError, match="unknown kind"):
        runtime.reader((("n", {}, "texte", False, None, None, False, None),))


def test_bounds_beyond_the_largest_amount_are_charter_errors():
    """A bound past 999 999 999 999,99 € (what SQL numeric(14,2) holds) is a located charter error."""
    text = TEXT.replace("montant en euros d'au moins 0", "montant en euros d'au plus 100000000000000000 €")
    expected = r"lecture.regles:8:.*au plus 999\u202f999\u202f999\u202f999,99 €"
    with pytest.raises(repartition.CharterError, match=expected):
        repartition.Charter.from_text(text, name="lecture.regles", verify=False)


@needs_c
def test_a_bound_at_the_largest_amount_is_read_in_c():
    """The largest amount is a bound like any other: amounts up to it are read in C."""
    text = TEXT.replace("montant en euros d'au moins 0", "montant en euros d'au plus 999 999 999 999,99 €")
    charter = repartition.Charter.from_text(text, name="lecture.regles", verify=False)
    charter.validate(GOOD)  # the memos learn the code and the date
    read = charter.route.__globals__["_READ"]
    assert read({**GOOD, "dette": 999999999999.99})[0][2] == 99999999999999
    assert read({**GOOD, "dette": "999999999999,99"})[0][2] == 99999999999999


@needs_c
def test_recorder_makes_what_init_makes():
    """recorder(cls, names)(*items) stores each item in its slot, as Decision.__init__ does: the same
    value, the same class, the lazy slots left unset."""
    make = runtime.recorder(Decision, Decision.STATE)
    household = {**GOOD, "n": 3}
    decision = with_c.route(household)
    items = tuple(getattr(decision, name) for name in Decision.STATE)
    made, built = make(*items), Decision(*items)
    with pytest.raises(AttributeError):
        made._facts_cache  # noqa: B018 - unset until asked for
    assert type(made) is Decision and made == built == decision
    assert [getattr(made, n) for n in Decision.STATE] == [getattr(built, n) for n in Decision.STATE]
    assert made.to_dict() == built.to_dict()
    with pytest.raises(TypeError, match="takes 5 positional arguments"):
        make(*items[:4])


@needs_c
@pytest.mark.parametrize("cls, names, message", [
    (type("Plain", (), {}), ("x",), "fixed-size class with __slots__ and no __dict__"),
    (dict, ("x",), "is not a slot"),
    (Decision, ("service",), "is not a slot"),
    (Decision, ("_absent",), "is not a slot"),
    (Decision, (1,), "is not a slot"),
])
def test_recorder_refuses_what_is_not_a_slot(cls, names, message):
    """Only writable object slots the class declares itself; anything else is a TypeError, not a crash."""
    with pytest.raises(TypeError, match=message):
        runtime.recorder(cls, names)


@needs_c
def test_generated_code_shows_the_reader_plan():
    """The printed source carries the plan, and the Python reading that takes over when it declines."""
    source = with_c.source
    assert "_READ = _rt.reader((" in source and "('dette', _MEMO2, 'money', False, 0, None, False, None)" in source
    assert "if r is None:" in source
    assert "_READ" not in python.source


def test_memos_keep_a_bounded_number_of_spellings(monkeypatch):
    """However many distinct spellings arrive, a field's memo keeps at most MEMO_LIMIT; reading goes on."""
    monkeypatch.setattr(runtime, "MEMO_LIMIT", 5)
    charter = repartition.Charter.from_text(TEXT, name="lecture.regles", verify=False)
    code = next(f.index for f in charter.fields if f.machine == "c")
    for i in range(20):
        assert charter.validate({**GOOD, "c": f"C{i}"}).values[code] == f"C{i}"
    assert len(charter.route.__globals__[f"_MEMO{code}"]) <= 5


# The reading tests again, in a fresh interpreter whose C reader is built with UBSan: any undefined
# behaviour (a signed overflow, a bad shift or cast…) stops that run and is reported here.
_UNDER_UBSAN = r"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("repartition._speedups", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules["repartition._speedups"] = module
from repartition import runtime
assert runtime.reader is module.reader, "the sanitised reader is not the one in use"
import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[2:]]))
"""


def _sanitised_build(folder):
    """The C reader compiled with -fsanitize=undefined, or None where the compiler cannot."""
    config = sysconfig.get_config_vars()
    linker = config.get("LDSHARED")
    if not linker or not shutil.which(shlex.split(linker)[0]):
        return None
    target = folder / f"_speedups{config['EXT_SUFFIX']}"
    command = [*shlex.split(linker), *shlex.split(config.get("CCSHARED") or ""), "-O1", "-g",
               "-fsanitize=undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer",
               "-I", sysconfig.get_paths()["include"], str(ROOT / "src" / "repartition" / "_speedups.c"),
               "-o", str(target)]
    built = subprocess.run(command, capture_output=True, text=True)
    return target if built.returncode == 0 else None


@pytest.mark.slow
def test_reader_has_no_undefined_behaviour(tmp_path):
    """Built with -fsanitize=undefined, the C reader passes the reading tests with no UBSan report."""
    build = _sanitised_build(tmp_path)
    if build is None:
        pytest.skip("pas de compilateur C acceptant -fsanitize=undefined")
    tests = [str(ROOT / "tests" / "test_speedups.py"), "-k", "not undefined_behaviour"]
    env = {**os.environ, "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}
    run = subprocess.run([sys.executable, "-c", _UNDER_UBSAN, str(build), *tests], cwd=ROOT / "tests",
                         capture_output=True, text=True, env=env, timeout=600)
    report = run.stdout[-3000:] + run.stderr[-3000:]
    assert "runtime error" not in run.stderr, report
    assert run.returncode == 0, report
