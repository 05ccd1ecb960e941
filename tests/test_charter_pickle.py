"""A Charter travels between processes: it pickles with its text and tables, is rebuilt once per process and
content, and a process pool routes with it; `files` and `expected_sha256` pin what was loaded."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

import repartition
from repartition import CharterError
from repartition.charter import _REBUILT

from conftest import FICHE, POLICIES, ROOT

if str(ROOT) not in sys.path:  # `benchmarks/` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_routing import as_json  # noqa: E402
from benchmarks.households import departemental_households  # noqa: E402

DEPARTEMENTAL = POLICIES / "exemple-departemental.regles"


def _route_chunk(charter: repartition.Charter, households: list[dict]) -> tuple[int, int, list]:
    """In a worker: (its pid, how many charters it built from pickles, each household's outcome)."""
    routed = []
    for household in households:
        try:
            routed.append(charter.route(household))
        except repartition.RepartitionError as error:
            routed.append(type(error).__name__)
    return os.getpid(), _REBUILT.builds, routed


@pytest.mark.slow
def test_a_process_pool_routes_100000_households():
    """100 000 households routed by two spawned workers: each rebuilds the charter once from the pickle
    (tables included), and their decisions, pickled back, equal the ones made here."""
    charter = repartition.load_charter(DEPARTEMENTAL)
    distinct = [as_json(charter, row) for row in departemental_households(10_000)]
    local = _route_chunk(charter, distinct)[2]
    households = distinct * 10
    chunks = [households[i:i + 12_500] for i in range(0, len(households), 12_500)]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, as on another machine
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(_route_chunk, [charter] * len(chunks), chunks))
    builds: dict[int, int] = {}
    for pid, built, _ in results:
        builds[pid] = max(builds.get(pid, 0), built)
    assert set(builds.values()) == {1} and os.getpid() not in builds
    routed = [outcome for _, _, outcomes in results for outcome in outcomes]
    assert len(routed) == len(households) == 100_000
    for number, outcome in enumerate(routed):
        expected = local[number % len(distinct)]
        if isinstance(expected, str):
            assert outcome == expected
            continue
        assert outcome.charter is charter  # unpickled here: this process's own charter
        assert (outcome.service, outcome.rule, outcome.unit) == (expected.service, expected.rule, expected.unit)
        if number % 101 == 0:
            assert outcome == expected and outcome.to_dict() == expected.to_dict()
    assert sum(not isinstance(outcome, str) for outcome in local) > 9_000


def test_pickled_in_this_process_comes_back_the_same():
    """Unpickling where the charter lives gives the charter itself: no second build."""
    charter = repartition.load_charter(FICHE)
    assert pickle.loads(pickle.dumps(charter)) is charter


def test_a_pickle_carries_the_tables_to_another_process(tmp_path):
    """Another process rebuilds the charter from the pickle alone, after its files are gone; same sha256,
    same decisions."""
    folder = tmp_path / "charte"
    shutil.copytree(POLICIES, folder)
    charter = repartition.load_charter(folder / "exemple-departemental.regles")
    household = as_json(charter, departemental_households(1, seed=7)[0])
    expected = charter.route(household).to_dict()
    data = pickle.dumps((charter, household))
    shutil.rmtree(folder)
    code = ("import json, pickle, sys\n"
            "charter, household = pickle.loads(sys.stdin.buffer.read())\n"
            "print(json.dumps([charter.sha256, [str(f) for f in charter.files], charter.route(household).to_dict()]))")
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    import json

    sha256, files, decision = json.loads(done.stdout)
    assert sha256 == charter.sha256 and files == [str(f) for f in charter.files]
    assert decision == expected


def test_a_tampered_pickle_is_refused():
    """Bytes that do not give the sha256 the pickle names are refused, as expected_sha256 refuses them."""
    charter = repartition.load_charter(FICHE)
    reduced = charter.__reduce__()
    rebuild, arguments = reduced[0], list(reduced[1])
    arguments[0] = "0" * 64  # another content than the bytes carried
    with pytest.raises(CharterError) as raised:
        rebuild(*arguments)
    assert raised.value.diagnostics[0].code == "empreinte"


def test_files_lists_the_rule_file_then_its_tables():
    """`files`: what the content (and sha256) depends on; a charter from text has no rule file."""
    charter = repartition.load_charter(DEPARTEMENTAL)
    assert charter.files == (DEPARTEMENTAL, POLICIES / "communes-ccas.csv", POLICIES / "unites-territoriales.csv")
    from_text = repartition.Charter.from_text(FICHE.read_text(encoding="utf-8"), name="fiche")
    assert from_text.files == ()


def test_expected_sha256_pins_the_content(tmp_path):
    """The right sha256 loads; any other is a located French CharterError coded `empreinte`, for a file
    and for the version chosen in a folder."""
    charter = repartition.load_charter(FICHE)
    assert repartition.load_charter(FICHE, expected_sha256=charter.sha256).sha256 == charter.sha256
    with pytest.raises(CharterError) as raised:
        repartition.load_charter(FICHE, expected_sha256="f" * 64)
    assert raised.value.diagnostics[0].code == "empreinte"
    assert "n'a pas le contenu attendu" in str(raised.value) and charter.sha256 in str(raised.value)
    folder = tmp_path / "versions"
    folder.mkdir()
    shutil.copy(FICHE, folder)
    with pytest.raises(CharterError, match="contenu attendu"):
        repartition.load_charter(folder, date="2020-01-01", expected_sha256="f" * 64)
    assert repartition.load_charter(folder, date="2020-01-01", expected_sha256=charter.sha256).files == (
        folder / FICHE.name,)


def test_matches_files_says_whether_the_files_changed(tmp_path):
    """A charter knows whether its rule file and tables still hold what it was built from."""
    folder = tmp_path / "charte"
    shutil.copytree(POLICIES, folder)
    charter = repartition.load_charter(folder / "exemple-departemental.regles")
    assert charter.matches_files()
    table = folder / "unites-territoriales.csv"
    table.write_bytes(table.read_bytes() + b"96999,Nouvelle,MDS du Bocage\n")
    assert not charter.matches_files()
    table.unlink()
    assert not charter.matches_files()
