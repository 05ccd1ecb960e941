"""The compiled-charter cache: hits, misses, stale and broken entries, unsafe or unwritable folders."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition import CharterError, CharterNotProven, cache, runtime
from repartition import charter as charter_module
from repartition.testing import households

from conftest import FICHE, POLICIES, ROOT, python_only
from test_properties import _outcome, charters
from test_properties import households as random_households

DEPARTMENTAL = POLICIES / "exemple-departemental.regles"
HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
             "connu_services_sociaux": "non"}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The cache on, in a folder of the test's own: the folder `repartition` in it is the cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("REPARTITION_CACHE", "1")
    return tmp_path / "cache" / "repartition"


@pytest.fixture
def compiled(monkeypatch):
    """The names of the charters compiled (not taken from the cache) during the test, in order."""
    names = []
    compile_text = charter_module._compile_text

    def counting(text, name, base_dir, raw, read_table):
        names.append(name)
        return compile_text(text, name, base_dir, raw, read_table)

    monkeypatch.setattr(charter_module, "_compile_text", counting)
    return names


def _entries(home: Path) -> list[Path]:
    return sorted(home.glob("*.charte")) if home.is_dir() else []


def _entry(home: Path) -> Path:
    (path,) = _entries(home)
    return path


# ---- hit and miss ----------------------------------------------------------------------------------

def test_second_load_is_a_hit(home, compiled):
    """The first load compiles and writes one private entry; the next one compiles nothing."""
    first = repartition.load_charter(FICHE)
    second = repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(_entry(home).stat().st_mode) == 0o600
    assert second.source == first.source
    assert second.route(HOUSEHOLD).to_dict() == first.route(HOUSEHOLD).to_dict()


def test_cached_charter_keeps_what_it_was_built_from(home, compiled):
    """A charter from the cache lists its files, matches them, honours expected_sha256 and pickles
    with its tables' bytes, as a compiled one does."""
    import pickle

    fresh = repartition.load_charter(DEPARTMENTAL)
    cached = repartition.load_charter(DEPARTMENTAL, expected_sha256=fresh.sha256)
    assert compiled == [str(DEPARTMENTAL)]
    assert cached.files == fresh.files and len(cached.files) == 3 and cached.matches_files()
    with pytest.raises(CharterError, match="n'a pas le contenu attendu"):
        repartition.load_charter(DEPARTMENTAL, expected_sha256="0" * 64)
    copy = pickle.loads(pickle.dumps(cached))
    assert copy.sha256 == fresh.sha256 and copy.files == fresh.files


@pytest.mark.parametrize("path", [FICHE, DEPARTMENTAL], ids=["fiche", "departemental"])
def test_cached_charter_routes_as_the_compiled_one(path, home):
    """A charter from the cache has the same source and routes every household as the compiled one,
    explanation, unit, indicators and refusals included."""
    fresh = repartition.load_charter(path, cache=False)
    repartition.load_charter(path)
    cached = repartition.load_charter(path)
    assert cached.source == fresh.source and cached.sha256 == fresh.sha256

    @settings(max_examples=150, deadline=None)
    @given(st.lists(households(fresh), min_size=1, max_size=10))
    def routes_alike(batch):
        for household in batch:
            expected = _outcome(fresh, household)
            assert _outcome(cached, household) == expected
            if expected[0] not in ("invalide", "non"):
                assert _outcome(cached, cached.validate(household)) == expected
                # The class's own route (which the generated one stands for) meets the cached outcomes.
                assert repartition.Charter.route(cached, household).to_dict() == fresh.route(household).to_dict()

    routes_alike()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=charters(), batch=st.lists(random_households, min_size=1, max_size=6))
def test_random_charters_are_cached_and_route_alike(home, text, batch, compiled):
    """Any charter is cached (its generated constants pickle) and decides as when compiled, with the
    C reader or without it (the compiled charter decides as the interpreter: test_properties)."""
    for python in (False, True):
        with python_only() if python else contextlib.nullcontext():
            compiled.clear()
            fresh = repartition.Charter.from_text(text, name="a.regles", verify=False, cache=False)
            repartition.Charter.from_text(text, name="a.regles", verify=False)
            cached = repartition.Charter.from_text(text, name="a.regles", verify=False)
            assert len(compiled) == 2  # the last one came from the cache
            assert cached.source == fresh.source
            for household in batch:
                assert _outcome(cached, household) == _outcome(fresh, household)


def test_c_reader_state_is_part_of_the_key(home, compiled):
    """Code generated for the C reader is not served where the C reader is not built, and back."""
    built = runtime.reader is not None
    repartition.load_charter(FICHE)
    with python_only():
        python = repartition.load_charter(FICHE)
    again = repartition.load_charter(FICHE)
    assert "_READ" not in python.source
    assert ("_READ" in again.source) == built
    assert len(compiled) == (3 if built else 1)


def test_hit_in_a_fresh_process_imports_neither_lark_nor_the_proof(home):
    """A cache hit loads, proves (from the entry), routes and explains without Lark, the parser, the
    syntax tree, the lowering, the code generator or the proof; the command line's `orienter` too."""
    env = {**os.environ, "XDG_CACHE_HOME": str(home.parent), "REPARTITION_CACHE": "1"}
    script = ("import sys, json, repartition\n"
              "charter = repartition.load_charter(sys.argv[1])\n"
              "decision = charter.route(json.loads(sys.argv[2]))\n"
              "print(decision.explanation)\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('lark', 'repartition')))))\n")
    args = [sys.executable, "-c", script, str(DEPARTMENTAL), json.dumps(_departmental_household(), default=str)]
    first = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    second = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    assert "repartition.proof" in json.loads(first.stdout.splitlines()[-1])
    modules = set(json.loads(second.stdout.splitlines()[-1]))
    assert second.stdout.splitlines()[0] == first.stdout.splitlines()[0]
    assert not {m for m in modules if m == "lark" or m.startswith("lark.")}
    assert not modules & {"repartition.proof", "repartition.dsl.parser", "repartition.dsl.builder",
                          "repartition.dsl.checker", "repartition.dsl.codegen", "repartition.dsl.decision_tree",
                          "repartition.dsl.ast", "repartition.dsl.lowering"}

    cli = ("import sys, json\n"
           "from repartition.cli import main\n"
           "status = main(['orienter', '--charte', sys.argv[1], '--menage', sys.argv[2]])\n"
           "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('lark', 'repartition')))))\n"
           "sys.exit(status)\n")
    args = [sys.executable, "-c", cli, str(FICHE), json.dumps(HOUSEHOLD)]
    subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    assert result.stdout.startswith("Service : DEPARTEMENT")
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    assert not {m for m in modules if m == "lark" or m.startswith("lark.")}
    assert not {m for m in modules if m.startswith(("repartition.proof", "repartition.render",
                                                    "repartition.diff", "repartition.batch.pipeline"))}


def _departmental_household() -> dict:
    """A household of the departmental charter that its commune's table gives a unit."""
    charter = repartition.load_charter(DEPARTMENTAL, cache=False)
    household = charter.examples[0].household
    assert charter.route(household).unit
    return household


def test_cli_code_prints_the_source_from_the_cache(home, compiled, capsys):
    """`repartition code` prints the generated source, the same from the cache as when compiled."""
    from repartition.cli import main

    source = repartition.load_charter(FICHE, cache=False).source
    assert main(["code", str(FICHE)]) == 0
    assert capsys.readouterr().out == source
    assert main(["code", str(FICHE)]) == 0
    assert capsys.readouterr().out == source
    assert compiled == [str(FICHE)] * 2  # the load without cache, then the first command


# ---- proof and examples -----------------------------------------------------------------------------

def test_proof_result_is_kept_and_a_verify_false_entry_is_proven_later(home, compiled, monkeypatch):
    """An entry written without the proof is proven at the first load that asks for it, then marked
    proven: later loads neither compile nor prove."""
    from repartition import proof

    proofs = []
    verify = proof.verify
    monkeypatch.setattr(proof, "verify", lambda charter: proofs.append(1) or verify(charter))
    repartition.load_charter(FICHE, verify=False)
    assert proofs == []
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE, verify=False)
    assert proofs == [1] and compiled == [str(FICHE)]


def _without_default_rule() -> str:
    return FICHE.read_text(encoding="utf-8").split("règle « Autres ménages »")[0]


def test_an_unproven_charter_is_refused_at_every_load(home, compiled, tmp_path):
    """A charter with a gap is cached (compiled once) but refused at each load; verify=False loads it."""
    path = tmp_path / "lacune.regles"
    path.write_text(_without_default_rule(), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CharterNotProven):
            repartition.load_charter(path)
    assert repartition.load_charter(path, verify=False).source
    assert compiled == [str(path)]


def test_a_failing_example_is_reported_at_every_load(home, compiled, tmp_path):
    """An example expecting the wrong service fails each load, with its located message."""
    text = FICHE.read_text(encoding="utf-8").replace("attendu CAF", "attendu DEPARTEMENT", 1)
    assert "attendu CAF" in FICHE.read_text(encoding="utf-8")
    path = tmp_path / "exemple.regles"
    path.write_text(text, encoding="utf-8")
    messages = []
    for _ in range(2):
        with pytest.raises(CharterError) as caught:
            repartition.load_charter(path)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "attend DEPARTEMENT" in messages[0] and str(path) in messages[0]
    assert compiled == [str(path)]


# ---- stale entries ------------------------------------------------------------------------------------

def test_an_edited_charter_is_compiled_again(home, compiled, tmp_path):
    """Changing a byte of the charter makes its entry stale: the new text is compiled and replaces it."""
    path = tmp_path / "fiche.regles"
    path.write_text(FICHE.read_text(encoding="utf-8"), encoding="utf-8")
    assert repartition.load_charter(path).version == "2018.1"
    path.write_text(FICHE.read_text(encoding="utf-8").replace("version 2018.1", "version 2018.2"),
                    encoding="utf-8")
    assert repartition.load_charter(path).version == "2018.2"
    assert repartition.load_charter(path).version == "2018.2"
    assert compiled == [str(path)] * 2
    assert len(_entries(home)) == 1


def test_an_edited_table_makes_the_entry_stale(home, compiled, tmp_path):
    """Changing a table file the charter reads makes its entry stale, as changing the charter does."""
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    path = folder / DEPARTMENTAL.name
    household = _departmental_household()
    before = repartition.load_charter(path).route(household)
    table = folder / "unites-territoriales.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(before.unit, "UT renommée"), encoding="utf-8")
    after = repartition.load_charter(path)
    assert after.route(household).unit == "UT renommée"
    assert after.sha256 != before.charter_sha256
    table.unlink()
    with pytest.raises(CharterError, match="illisible"):
        repartition.load_charter(path)
    assert compiled.count(str(path)) == 3


def test_another_code_digest_makes_the_entry_stale(home, compiled, monkeypatch):
    """An entry written by another version of repartition's code is ignored, then replaced."""
    repartition.load_charter(FICHE)
    monkeypatch.setattr(cache, "code_digest", lambda: "another code")
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2


def test_code_digest_covers_every_module_and_the_grammar():
    """The digest reads every Python file of the package, sub-packages included, and the grammar."""
    read = set()
    original = Path.read_bytes

    def spy(path):
        read.add(Path(path).resolve())
        return original(path)

    cache.code_digest.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Path, "read_bytes", spy)
            cache.code_digest()
    finally:
        cache.code_digest.cache_clear()
    package = Path(repartition.__file__).resolve().parent
    expected = {p.resolve() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    assert expected <= read
    assert repartition.resources.grammar_path().resolve() in read


@pytest.mark.slow
def test_an_edited_code_generator_is_never_served_old_code(tmp_path):
    """In a copy of the package (as `pip install -e` leaves it editable), editing the code generator
    makes every entry stale: the next load runs the edited generator."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "src" / "repartition", site / "repartition",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grammars", site / "repartition" / "grammars")
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "REPARTITION_CACHE": "1"}
    script = ("import sys, repartition\n"
              "assert repartition.__file__.startswith(sys.argv[2]), repartition.__file__\n"
              "print(repartition.load_charter(sys.argv[1]).source.splitlines()[0])\n"
              "print('lark' in sys.modules)\n")

    def first_line() -> list[str]:
        result = subprocess.run([sys.executable, "-c", script, str(FICHE), str(site)], capture_output=True,
                                text=True, env=env, check=True)
        return result.stdout.splitlines()

    assert first_line() == [f"# Generated by repartition from {str(FICHE)!r}; do not edit.", "True"]
    assert first_line()[1] == "False"  # a hit
    codegen = site / "repartition" / "dsl" / "codegen.py"
    codegen.write_text(codegen.read_text(encoding="utf-8").replace("# Generated by repartition from",
                                                                   "# Generated by the edited repartition from"),
                       encoding="utf-8")
    assert first_line() == [f"# Generated by the edited repartition from {str(FICHE)!r}; do not edit.", "True"]
    assert first_line()[1] == "False"


# ---- broken entries ----------------------------------------------------------------------------------

@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # truncated
    lambda data: data[:0],  # empty
    lambda data: os.urandom(len(data)),  # garbage
    lambda data: data.split(b"\n", 1)[0] + b"\n" + os.urandom(200),  # the right key, garbage after it
    lambda data: data.split(b"\n", 1)[0] + b"\n" + __import__("pickle").dumps(("a", "b")),  # another layout
    lambda data: data.split(b"\n", 1)[0] + b"\n" + __import__("pickle").dumps((1, 2, 3, 4, 5)),  # wrong types
    lambda data: b"0" * 64 + data[64:],  # another key
], ids=["tronque", "vide", "aleatoire", "cle-puis-aleatoire", "autre-forme", "autres-types", "autre-cle"])
def test_a_broken_entry_is_a_miss_then_rewritten(home, compiled, damage):
    """A truncated, empty, garbled or foreign entry is ignored (the charter is compiled) and rewritten."""
    repartition.load_charter(FICHE)
    path = _entry(home)
    path.write_bytes(damage(path.read_bytes()))
    charter = repartition.load_charter(FICHE)
    assert charter.route(HOUSEHOLD).service == "DEPARTEMENT"
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2


def test_another_entry_format_is_a_miss(home, compiled, monkeypatch):
    """Entries of another layout version are stale."""
    repartition.load_charter(FICHE)
    monkeypatch.setattr(cache, "_FORMAT", cache._FORMAT + 1)
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2


def test_an_unreadable_entry_is_a_miss(home, compiled, monkeypatch):
    """An entry that cannot be opened (permissions) is a miss; loading works."""
    repartition.load_charter(FICHE)
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith(".charte") and not args[0] & os.O_WRONLY:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert repartition.load_charter(FICHE).route(HOUSEHOLD).service == "DEPARTEMENT"
    assert compiled == [str(FICHE)] * 2


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root reads any file")
def test_an_entry_without_read_permission_is_a_miss(home, compiled):
    """The same, with the file's permissions really removed."""
    repartition.load_charter(FICHE)
    _entry(home).chmod(0)
    assert repartition.load_charter(FICHE).route(HOUSEHOLD).service == "DEPARTEMENT"
    assert compiled == [str(FICHE)] * 2


# ---- folders that are not safe, or cannot be written --------------------------------------------------

def test_an_entry_others_may_write_is_not_read(home, compiled):
    """A file others may write could hold anyone's pickle: it is not read, and a private one replaces it."""
    repartition.load_charter(FICHE)
    _entry(home).chmod(0o666)
    repartition.load_charter(FICHE)
    assert stat.S_IMODE(_entry(home).stat().st_mode) == 0o600
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_may_write_is_neither_read_nor_written(home, compiled, mode):
    """In a cache folder writable by others, entries are not read and nothing is written."""
    repartition.load_charter(FICHE)
    entry = _entry(home)
    before = entry.read_bytes()
    home.chmod(mode)
    repartition.load_charter(FICHE)
    repartition.load_charter(DEPARTMENTAL)
    assert compiled == [str(FICHE), str(FICHE), str(DEPARTMENTAL)]
    assert _entries(home) == [entry] and entry.read_bytes() == before


def test_a_folder_of_another_user_is_neither_read_nor_written(home, compiled, monkeypatch):
    """A cache folder (or entry) owned by someone else is not used."""
    repartition.load_charter(FICHE)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(home).st_uid + 1)
    repartition.load_charter(FICHE)
    repartition.load_charter(DEPARTMENTAL)
    assert compiled == [str(FICHE), str(FICHE), str(DEPARTMENTAL)]
    assert len(_entries(home)) == 1


def test_a_cache_folder_that_cannot_be_made_never_breaks_loading(tmp_path, monkeypatch, compiled):
    """XDG_CACHE_HOME under a file (the folder cannot be made): charters load, uncached."""
    (tmp_path / "fichier").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fichier" / "cache"))
    monkeypatch.setenv("REPARTITION_CACHE", "1")
    for _ in range(2):
        assert repartition.load_charter(FICHE).route(HOUSEHOLD).service == "DEPARTEMENT"
    assert compiled == [str(FICHE)] * 2


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root writes in any folder")
def test_a_read_only_folder_never_breaks_loading(home, compiled):
    """A cache folder without write permission: entries are still read, loading never fails."""
    repartition.load_charter(FICHE)
    home.chmod(0o500)
    try:
        repartition.load_charter(DEPARTMENTAL)
        repartition.load_charter(FICHE)
    finally:
        home.chmod(0o700)
    assert compiled == [str(FICHE), str(DEPARTMENTAL)]


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EDQUOT])
def test_a_full_or_read_only_disk_never_breaks_loading(home, compiled, monkeypatch, failure):
    """Writing an entry fails (full disk, read-only disk, quota): the charter loads, no partial file is
    left, and the next load that can write does."""
    home.mkdir(parents=True, mode=0o700)
    monkeypatch.setattr(cache, "open", lambda descriptor, mode: _FailingFile(descriptor, failure), raising=False)
    assert repartition.load_charter(FICHE).route(HOUSEHOLD).service == "DEPARTEMENT"
    assert list(home.iterdir()) == []
    monkeypatch.delattr(cache, "open")
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2


class _FailingFile:
    """A file whose first write fails as a full disk does (after its descriptor was opened)."""

    def __init__(self, descriptor: int, failure: int):
        self.descriptor, self.failure = descriptor, failure

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        os.close(self.descriptor)
        return False

    def write(self, data):
        raise OSError(self.failure, os.strerror(self.failure))


# ---- turned off ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "non", "off", "false"])
def test_environment_variable_turns_the_cache_off(home, compiled, monkeypatch, value):
    """REPARTITION_CACHE=0 (or non, off, false): no entry is read or written."""
    repartition.load_charter(FICHE)
    monkeypatch.setenv("REPARTITION_CACHE", value)
    repartition.load_charter(FICHE)
    repartition.load_charter(DEPARTMENTAL)
    assert compiled == [str(FICHE), str(FICHE), str(DEPARTMENTAL)]
    assert len(_entries(home)) == 1


def test_cache_false_neither_reads_nor_writes(home, compiled):
    """`cache=False` on load_charter and Charter.from_text: compiled each time, nothing written."""
    text = FICHE.read_text(encoding="utf-8")
    for _ in range(2):
        repartition.load_charter(FICHE, cache=False)
        repartition.Charter.from_text(text, name="fiche", cache=False)
    assert not _entries(home)
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE, cache=False)
    assert compiled == [str(FICHE), "fiche"] * 2 + [str(FICHE)] * 2


def test_from_text_is_cached_by_name_and_folder(home, compiled, tmp_path):
    """Charter.from_text is cached too; another name (it appears in messages) is another entry."""
    text = FICHE.read_text(encoding="utf-8")
    for _ in range(2):
        repartition.Charter.from_text(text, name="a", base_dir=tmp_path)
        repartition.Charter.from_text(text, name="b", base_dir=tmp_path)
    assert compiled == ["a", "b"]
    assert len(_entries(home)) == 2


def test_folder_of_versions_reads_periods_from_the_cache(home, tmp_path):
    """Choosing the version in force in a folder needs no parser when its files are cached."""
    folder = tmp_path / "versions"
    folder.mkdir()
    text = FICHE.read_text(encoding="utf-8")
    (folder / "v2018.regles").write_text(
        text.replace("en vigueur à partir du 1er janvier 2018",
                     "en vigueur du 1er janvier 2018 au 31 décembre 2024"), encoding="utf-8")
    (folder / "v2025.regles").write_text(
        text.replace("version 2018.1", "version 2025.1").replace("1er janvier 2018", "1er janvier 2025"),
        encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(home.parent), "REPARTITION_CACHE": "1"}
    script = ("import sys, repartition\n"
              "print(repartition.load_charter(sys.argv[1], date=sys.argv[2]).version)\n"
              "print(repartition.load_charter(sys.argv[1], date=sys.argv[3]).version)\n"
              "print('lark' in sys.modules)\n")
    args = [sys.executable, "-c", script, str(folder), "2020-05-01", "2026-05-01"]
    assert subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout.split() == [
        "2018.1", "2025.1", "True"]
    assert subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout.split() == [
        "2018.1", "2025.1", "False"]


# ---- the package and the command line start cheaply ---------------------------------------------------

@pytest.mark.parametrize("code, absent", [
    ("import repartition", ["repartition.charter", "attr", "lark"]),
    ("from repartition.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
     ["repartition.charter", "lark", "repartition.batch.pipeline", "repartition.render"]),
], ids=["import", "aide"])
def test_starting_imports_little(code, absent):
    """`import repartition` imports none of its modules; `repartition --help` not the compiler."""
    script = code + "\nimport sys\nprint(' '.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    modules = result.stdout.split()
    assert not [m for m in modules for a in absent if m == a or m.startswith(a + ".")]


def test_lazy_names_of_the_package():
    """The package's names are there on first use, listed by dir(), and unknown names are errors."""
    assert set(repartition.__all__) <= set(dir(repartition))
    assert repartition.Charter is charter_module.Charter
    with pytest.raises(AttributeError, match="nothing"):
        repartition.nothing  # noqa: B018


def test_the_cache_keeps_a_bounded_number_of_charters(home, monkeypatch):
    """Past MAX_CHARTERS entries, writing one more removes the oldest written: charters sent to a
    service under ever new names cannot fill the disk."""
    monkeypatch.setattr(cache, "MAX_CHARTERS", 3)
    home.mkdir(parents=True, mode=0o700)
    other = home / "regles.lark.tables"
    other.write_bytes(b"tables")
    text = FICHE.read_text(encoding="utf-8")
    for number in range(5):
        repartition.Charter.from_text(text, name=f"charte-{number}")
        assert len(_entries(home)) == min(number + 1, 3)
        time.sleep(0.01)  # distinct write times
    names = {cache.CharterSlot(f"charte-{n}", None, b"").name for n in range(5)}
    kept = {cache.CharterSlot(f"charte-{n}", None, b"").name for n in (2, 3, 4)}
    assert {p.name for p in _entries(home)} == kept and kept < names
    assert other.read_bytes() == b"tables"  # the folder's other files are neither counted nor removed


def test_no_home_folder_means_no_cache(monkeypatch, compiled):
    """Without XDG_CACHE_HOME nor a known home folder, nothing is written (not even under `./~`)."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("REPARTITION_CACHE", "1")
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    assert cache.folder(create=True) is None
    repartition.load_charter(FICHE)
    repartition.load_charter(FICHE)
    assert compiled == [str(FICHE)] * 2
