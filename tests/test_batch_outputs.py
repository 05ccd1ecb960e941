"""Batch outputs: committed together or not at all, whatever fails (rename, full disk, size limit, kill),
with a true French message, no temporary file left, and a killed run's leftovers cleaned by the next one."""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import repartition
from repartition.batch import BatchError, route_file
from repartition.errors import os_reason

ROOT = Path(__file__).resolve().parents[1]
FICHE = ROOT / "policies" / "dispositif-repartition.regles"
SAMPLE = ROOT / "samples" / "signalements.csv"
OLD = {"o.csv": "lignes orientées d'avant\n", "o.rejets.csv": "rejets d'avant\n", "bilan.json": "{}\n"}
UNTOUCHED = "aucun fichier de sortie n'a été créé ni modifié"
HEADER = "identifiant;enfants_a_charge;aide_au_logement;stade_procedure;connu_services_sociaux\n"


@pytest.fixture(scope="module")
def fiche():
    return repartition.load_charter(FICHE)


def _old_outputs(folder: Path) -> None:
    for name, text in OLD.items():
        (folder / name).write_text(text, encoding="utf-8")


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


def _route(charter, folder: Path, source: Path = SAMPLE):
    return route_file(charter, source, folder / "o.csv", summary=folder / "bilan.json", progress=False)


def _failing_replace(monkeypatch, name: str, code: int) -> None:
    real = os.replace

    def replace(source, target, *args, **kwargs):
        if os.fspath(target).endswith(os.sep + name) and os.fspath(source).endswith(".partiel"):
            raise OSError(code, os.strerror(code))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("name", ["o.csv", "o.rejets.csv", "bilan.json"])
def test_a_failed_rename_leaves_every_output_as_it_was(tmp_path, fiche, monkeypatch, name):
    """Renaming any output fails (here the last, the routed rows, too): the three previous files are
    left exactly as they were, the message names the file and says so, no temporary file remains."""
    _old_outputs(tmp_path)
    _failing_replace(monkeypatch, name, errno.EROFS)
    with pytest.raises(BatchError) as caught:
        _route(fiche, tmp_path)
    assert str(caught.value) == (f"impossible d'enregistrer « {tmp_path / name} » : système de fichiers en "
                                 f"lecture seule ; {UNTOUCHED}")
    assert _files(tmp_path) == OLD


def test_without_hard_links_a_failed_rename_still_restores_everything(tmp_path, fiche, monkeypatch):
    """On a file system without hard links (FAT, some shares) the previous files are moved aside, and
    put back when the last rename fails."""
    _old_outputs(tmp_path)

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    _failing_replace(monkeypatch, "o.csv", errno.EACCES)
    with pytest.raises(BatchError, match=f"accès refusé ; {UNTOUCHED}$"):
        _route(fiche, tmp_path)
    assert _files(tmp_path) == OLD


def test_a_failed_rename_removes_the_outputs_it_created(tmp_path, fiche, monkeypatch):
    """Outputs that did not exist before a failed commit do not exist after it."""
    _failing_replace(monkeypatch, "o.csv", errno.EDQUOT)
    with pytest.raises(BatchError, match=f"quota de disque dépassé ; {UNTOUCHED}$"):
        _route(fiche, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_commit_whose_undo_fails_says_where_each_file_stands(tmp_path, fiche, monkeypatch):
    """If putting a file back fails too, the message says it holds the new version and where the old one is."""
    _old_outputs(tmp_path)
    real = os.replace

    def replace(source, target):
        source, target = os.fspath(source), os.fspath(target)
        if target.endswith("o.csv") or source.endswith(".ancien") and target.endswith("bilan.json"):
            raise OSError(errno.EIO, "Input/output error")
        return real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(BatchError) as caught:
        _route(fiche, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"impossible d'enregistrer « {tmp_path / 'o.csv'} » : erreur matérielle")
    kept = next(tmp_path.glob(".bilan.json.*.ancien"))
    assert (f"« {tmp_path / 'bilan.json'} » n'a pas pu être remis dans son état précédent (erreur matérielle de "
            f"lecture ou d'écriture (disque ou réseau)) : il contient la nouvelle version ; sa version précédente "
            f"est dans « {kept} »") in message
    assert kept.read_text(encoding="utf-8") == OLD["bilan.json"]
    files = _files(tmp_path)
    assert (files["o.csv"], files["o.rejets.csv"]) == (OLD["o.csv"], OLD["o.rejets.csv"])
    assert UNTOUCHED not in message


class _Disk:
    """A disk with `free` bytes left, shared by every temporary file opened while it is installed."""

    def __init__(self, monkeypatch, free: int):
        self.free = free
        real_open = builtins.open
        disk = self

        class FillingFile(io.FileIO):
            def write(self, data):
                if len(data) > disk.free:
                    raise OSError(errno.ENOSPC, "No space left on device")
                disk.free -= len(data)
                return super().write(data)

        def fake_open(file, mode="r", *args, encoding=None, newline=None, **kwargs):
            if isinstance(file, (str, Path)) and str(file).endswith(".partiel") and mode == "x":
                raw = FillingFile(file, "x")
                return io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, newline=newline)
            return real_open(file, mode, *args, encoding=encoding, newline=newline, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)


@pytest.mark.parametrize("free", [5_000, 20_000, 33_000])
def test_a_full_disk_during_the_run_or_its_clean_up_gives_a_french_message(tmp_path, fiche, monkeypatch, free):
    """The disk fills during the run or while closing its files, then buffered data cannot be written
    while cleaning up either: a French message, the previous outputs intact, no temporary file left."""
    _old_outputs(tmp_path)
    _Disk(monkeypatch, free)
    with pytest.raises(BatchError) as caught:
        _route(fiche, tmp_path)
    assert "disque plein" in str(caught.value) and str(caught.value).endswith(UNTOUCHED)
    assert _files(tmp_path) == OLD


def test_a_temporary_file_that_cannot_be_removed_is_named(tmp_path, fiche, monkeypatch):
    """A temporary file whose removal fails is named in the message, which says the next run removes it;
    and the next run does."""
    _failing_replace(monkeypatch, "o.csv", errno.EACCES)
    real_unlink = os.unlink

    def unlink(path, *args, **kwargs):
        if os.path.basename(path).startswith(".o.csv."):
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    with pytest.raises(BatchError) as caught:
        _route(fiche, tmp_path)
    left = next(tmp_path.glob(".o.csv.*.partiel"))
    assert str(caught.value) == (f"impossible d'enregistrer « {tmp_path / 'o.csv'} » : accès refusé ; {UNTOUCHED} ; "
                                 f"le fichier temporaire « {left} » n'a pas pu être supprimé (fichier ou "
                                 f"périphérique occupé) ; la prochaine orientation vers « {tmp_path / 'o.csv'} » "
                                 f"le supprimera")
    monkeypatch.undo()
    _route(fiche, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bilan.json", "o.csv", "o.rejets.csv"]


@pytest.mark.parametrize("code, expected", [
    (errno.ENOSPC, "disque plein"),
    (errno.EFBIG, "fichier trop grand"),
    (errno.EROFS, "système de fichiers en lecture seule"),
    (errno.EDQUOT, "quota de disque dépassé"),
    (errno.EMFILE, "trop de fichiers ouverts"),
    (errno.ENAMETOOLONG, "nom de fichier trop long"),
    (errno.ELOOP, "trop de liens symboliques"),
    (errno.EIO, "erreur matérielle de lecture ou d'écriture"),
    (errno.EPIPE, "le programme qui lisait la sortie s'est arrêté"),
])
def test_file_system_errors_read_in_french(code, expected):
    """The common errno values of a batch's file faults have a French reason, never a bare number."""
    assert os_reason(OSError(code, os.strerror(code))).startswith(expected)


# ---- real processes: killed, limited, and a closed or full standard output -------------------

def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "repartition", "orienter", "--charte", str(FICHE), *args]


def _blocked_run(folder: Path) -> tuple[subprocess.Popen, object]:
    """A run reading a named pipe, stopped after its first row with its outputs open; and the pipe's writer."""
    os.mkfifo(folder / "entree.csv")
    process = subprocess.Popen(_command("entree.csv", "-o", "o.csv", "--bilan", "bilan.json"), cwd=folder,
                               stderr=subprocess.PIPE, text=True)
    pipe = open(folder / "entree.csv", "w", encoding="utf-8")
    pipe.write(HEADER + "S1;2;oui;aucune;non\n")
    pipe.flush()
    deadline = time.monotonic() + 60
    while len(list(folder.glob(".*.partiel"))) < 3:
        assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    return process, pipe


@pytest.mark.slow
def test_leftovers_of_a_killed_run_are_cleaned_by_the_next_run_on_the_same_output(tmp_path, fiche):
    """A run killed mid-file leaves its temporary files; the next run on the same output removes them,
    and only them: files merely looking alike are not ours and stay."""
    process, pipe = _blocked_run(tmp_path)
    process.kill()
    process.wait()
    pipe.close()
    process.stderr.close()
    left = sorted(p.name for p in tmp_path.glob(".*.partiel"))
    assert len(left) == 3 and all(name.startswith((".o.csv.", ".o.rejets.csv.", ".bilan.json.")) for name in left)
    others = [".o.csv.partiel", ".o.csv.0123abcd.partiel.bak", ".autre.csv.0123abcd.partiel",
              "o.csv.0123abcd.partiel", ".o.csv.0123ABCD.partiel"]
    for name in others:
        (tmp_path / name).write_text("pas à nous", encoding="utf-8")
    (tmp_path / ".o.csv.01234567.partiel").symlink_to("o.csv.0123abcd.partiel")  # a link is not a leftover of ours
    _route(fiche, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["entree.csv", "o.csv", "o.rejets.csv", "bilan.json", ".o.csv.01234567.partiel", *others])


@pytest.mark.slow
def test_a_live_run_on_the_same_output_is_not_disturbed(tmp_path, fiche):
    """While a run writes an output, another run on it stops with a French message and touches nothing;
    the first one then completes."""
    process, pipe = _blocked_run(tmp_path)
    try:
        with pytest.raises(BatchError, match="une autre orientation est en train d'écrire « .*o.csv »"):
            _route(fiche, tmp_path)
    finally:
        pipe.write("S2;0;non;jugement;non\n")
        pipe.close()
        assert process.wait(timeout=60) == 0, process.stderr.read()
        process.stderr.close()
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").count("\n") == 3


_KILLED_DURING_COMMIT = """
import os, signal, sys
from repartition import load_charter
from repartition.batch import route_file
real = os.replace
renamed = []
def replace(source, target):
    renamed.append(target)
    if len(renamed) == 2:  # after the first output is renamed, before the others
        os.kill(os.getpid(), signal.SIGKILL)
    real(source, target)
os.replace = replace
route_file(load_charter(sys.argv[1]), sys.argv[2], "o.csv", summary="bilan.json", progress=False)
"""


@pytest.mark.slow
def test_a_run_killed_during_its_commit_is_finished_by_the_next_one(tmp_path, fiche):
    """Killed between two renames, a run leaves a mix of new and old files; the next run on the same
    output finishes that commit from its journal before anything else, so that even when this next
    run fails, the outputs are those of one run."""
    (tmp_path / "a").mkdir()
    _route(fiche, tmp_path / "a")  # the outputs the killed run would have written
    killed = tmp_path / "b"
    killed.mkdir()
    _old_outputs(killed)
    done = subprocess.run([sys.executable, "-c", _KILLED_DURING_COMMIT, str(FICHE), str(SAMPLE)], cwd=killed)
    assert done.returncode == -signal.SIGKILL
    assert len(list(killed.glob(".o.csv.*.journal"))) == 1
    broken = tmp_path / "casse.csv"
    broken.write_text(HEADER + 'S1;2;oui;aucune;non\nS2;"2;oui;aucune;non\n', encoding="utf-8")
    with pytest.raises(BatchError, match="CSV illisible"):
        _route(fiche, killed, broken)
    assert _files(killed) == _files(tmp_path / "a")


def test_a_planted_journal_moves_no_file_of_another_user(tmp_path, fiche):
    """A journal named like ours, listing a file of another folder whose "temporary file" belongs to
    another user, is dropped without renaming anything: only the user's own leftovers are carried out."""
    if not hasattr(os, "getuid") or os.getuid() != 0:
        pytest.skip("donner un fichier à un autre utilisateur demande les droits d'administration")
    victim = tmp_path / "ailleurs" / "victime.txt"
    victim.parent.mkdir()
    victim.write_text("à garder", encoding="utf-8")
    planted = victim.parent / ".victime.txt.89abcdef.partiel"
    planted.write_text("remplacement", encoding="utf-8")
    os.chown(planted, 65534, 65534)
    journal = tmp_path / ".o.csv.89abcdef.journal"
    journal.write_text(json.dumps({"cibles": [str(victim)]}), encoding="utf-8")
    _route(fiche, tmp_path)
    assert victim.read_text(encoding="utf-8") == "à garder" and planted.exists() and not journal.exists()


@pytest.mark.slow
def test_a_file_size_limit_gives_a_french_message_and_no_leftover(tmp_path):
    """Under a file size limit (RLIMIT_FSIZE, errno 27) the run stops in French, exit 2, no traceback,
    the previous outputs intact and no temporary file left."""
    import resource

    source = tmp_path / "entree.csv"
    source.write_text(HEADER + "S1;2;oui;aucune;non\n" * 20_000, encoding="utf-8")
    work = tmp_path / "sortie"
    work.mkdir()
    _old_outputs(work)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    done = subprocess.run(_command(str(source), "-o", "o.csv", "--bilan", "bilan.json"), cwd=work,
                          preexec_fn=limit, capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr
    assert done.stderr.strip() == ("orientation interrompue par une erreur de lecture ou d'écriture : fichier trop "
                                   f"grand (taille maximale des fichiers atteinte) ; {UNTOUCHED}")
    assert _files(work) == OLD


@pytest.mark.slow
@pytest.mark.parametrize("stdout", ["fermée", "pleine"])
def test_standard_output_closed_or_full(tmp_path, stdout):
    """`-o -` with standard output closed, or on a full device (/dev/full): exit 2, a French message
    saying what became of the outputs, no traceback, no rejects file written."""
    if stdout == "pleine" and not os.path.exists("/dev/full"):
        pytest.skip("pas de /dev/full sur ce système")
    target = subprocess.DEVNULL if stdout == "fermée" else open("/dev/full", "w")
    done = subprocess.run(_command(str(SAMPLE), "-o", "-"), cwd=tmp_path, stdout=target, stderr=subprocess.PIPE,
                          text=True,
                          preexec_fn=(lambda: os.close(1)) if stdout == "fermée" else None)
    if stdout == "pleine":
        target.close()
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr
    expected = {"fermée": "la sortie standard est fermée : indiquez un fichier de sortie avec -o ; ",
                "pleine": "orientation interrompue par une erreur de lecture ou d'écriture : disque plein ; "
                          "ce qui a déjà été écrit sur la sortie standard est incomplet ; "}[stdout]
    assert done.stderr.strip() == expected + UNTOUCHED
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, fiche):
    """A named pipe (or a device) as output is refused before any row, rather than replaced by a file."""
    os.mkfifo(tmp_path / "o.csv")
    with pytest.raises(BatchError, match="« .*o.csv » n'est pas un fichier ordinaire"):
        _route(fiche, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv"] and (tmp_path / "o.csv").is_fifo()


def test_an_output_through_a_symbolic_link_replaces_the_file_it_points_to(tmp_path, fiche):
    """`-o lien.csv`, a link to `vrai.csv`: the link stays, the file it points to gets the routed rows."""
    (tmp_path / "vrai.csv").write_text("ancien", encoding="utf-8")
    (tmp_path / "lien.csv").symlink_to("vrai.csv")
    route_file(fiche, SAMPLE, tmp_path / "lien.csv", progress=False)
    assert (tmp_path / "lien.csv").is_symlink()
    assert (tmp_path / "vrai.csv").read_text(encoding="utf-8-sig").startswith("identifiant;")
