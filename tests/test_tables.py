"""Table files (repartition.dsl.tables): read strictly, confined to the charter's folder, bounded in size."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import repartition
from repartition.dsl.tables import MAX_TABLE_BYTES
from repartition.errors import CharterError

CHARTER = """charte « Tables »
services
  DEP : « Département », unité selon la table « unités » d'après la commune
données du ménage
  commune [commune] : code
table « unités » : fichier « {file} », clé « commune », valeur « unite »
règle « Tous »
  dans tous les autres cas, DEP
"""


def load(folder: Path, file: str = "unites.csv") -> repartition.Charter:
    return repartition.Charter.from_text(CHARTER.format(file=file), name="t.regles", base_dir=folder)


def refusal(folder: Path, file: str = "unites.csv") -> CharterError:
    with pytest.raises(CharterError) as caught:
        load(folder, file)
    return caught.value


def table(folder: Path, content: str | bytes, name: str = "unites.csv") -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def located(error: CharterError) -> list[str]:
    """Each diagnostic as `file:line:column: message`, the file by its name."""
    return [f"{Path(d.span.file).name}:{d.span.line}:{d.span.column}: {d.message}" if d.span else d.message
            for d in error.diagnostics]


def test_table_loads_with_its_key_lines(tmp_path):
    """A well-formed table gives its codes, their values and the line each code is written on."""
    table(tmp_path, '\ufeffcommune;unite\r\n17000;UT Nord\r\n\r\n17100;"UT ""Sud"""\r\n')
    (loaded,) = load(tmp_path).model.tables
    assert dict(loaded.mapping) == {"17000": "UT Nord", "17100": 'UT "Sud"'}
    assert dict(loaded.key_lines) == {"17000": 2, "17100": 4}


# ---- the content, read strictly ------------------------------------------------------------------

def test_stray_quote_is_reported_and_the_next_rows_still_read(tmp_path):
    """A quote that never closes is one error at its line; the rows after it are still checked."""
    table(tmp_path, 'commune;unite\n17000;"UT Nord\n17100;UT Sud\n17200;"UT Est"\n17300;\n')
    assert [line.split(" : ")[0] for line in located(refusal(tmp_path))] == [
        "unites.csv:2:1: table « unites.csv », ligne 2", "unites.csv:5:1: table « unites.csv », ligne 5"]


@pytest.mark.parametrize("content, message", [
    ('commune;unite\n17000;"UT Nord\n17100;' + "x" * 200_000 + "\n",
     "guillemet ouvert jamais refermé sur cette ligne"),
    ('commune;unite\n17000;"' + "x" * 200_000 + '"\n', "valeur de plus de 131 072 caractères"),
], ids=["before-a-large-cell", "large-quoted-cell"])
def test_unclosed_quote_before_a_large_cell_is_located(tmp_path, content, message):
    """A quote that opens a huge value is a French error at its line, not the csv module's traceback."""
    table(tmp_path, content)
    error = refusal(tmp_path)
    (diagnostic,) = error.diagnostics
    assert diagnostic.span.line == 2 and message in diagnostic.message
    assert len(str(error)) < 1000  # the long line is cut under the message


def test_error_in_a_multiline_record_points_at_its_start(tmp_path):
    """A fault of a record written over several lines is located at the line where the record starts."""
    table(tmp_path, 'commune;unite\n17000;UT Nord\n;"UT\nSud"\n')
    (diagnostic,) = refusal(tmp_path).diagnostics
    assert diagnostic.span.line == 3 and diagnostic.source_line == ';"UT'


@pytest.mark.parametrize("second, message", [
    ("17000;UT Nord", "code « 17000 » en double, avec la même valeur (déjà ligne 2)"),
    ("17000;UT Sud", "code « 17000 » en double avec une autre valeur : « UT Sud » ici, « UT Nord » ligne 2"),
], ids=["same-value", "other-value"])
def test_duplicate_keys_say_whether_values_differ(tmp_path, second, message):
    """A code written twice is an error at its second line, saying whether its two values differ."""
    table(tmp_path, f"commune;unite\n17000;UT Nord\n{second}\n")
    assert located(refusal(tmp_path)) == [f"unites.csv:3:1: table « unites.csv », ligne 3 : {message}"]


def test_more_cells_than_columns_are_refused(tmp_path):
    """A row with more values than the header has columns (an unquoted separator) is an error, not a
    value cut short; empty trailing cells are allowed."""
    table(tmp_path, "commune;unite\n17000;UT Nord;\n17100;UT Sud;Est\n")
    assert located(refusal(tmp_path)) == [
        "unites.csv:3:1: table « unites.csv », ligne 3 : 3 valeurs pour 2 colonnes : une valeur qui contient "
        "« ; » s'écrit entre guillemets droits"]


@pytest.mark.parametrize("char, name", [
    ("\x1b", "caractère de contrôle U+001B (échappement)"), ("\x01", "caractère de contrôle U+0001"),
    ("\r", "caractère de contrôle U+000D (retour chariot)"),
    ("\x85", "caractère de contrôle U+0085 (saut de ligne NEL)"),
    ("\u202e", "caractère de direction d'écriture U+202E (il change l'ordre d'affichage du texte)"),
])
def test_control_characters_in_cells_are_refused(tmp_path, char, name):
    """A control character in a cell is an error at its line and column; the line is shown without it."""
    table(tmp_path, f"commune;unite\n17000;UT{char}Nord\n")
    error = refusal(tmp_path)
    (diagnostic,) = error.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 9)
    assert diagnostic.message == (f"table « unites.csv », ligne 2 : {name} interdit dans une table : "
                                  f"retirez-le (il vient souvent d'un copier-coller)")
    assert char not in str(error)


def test_tab_separated_table_is_told_its_separator(tmp_path):
    """A tab (a table saved as TSV) is refused with the separators a table uses."""
    table(tmp_path, "commune\tunite\n17000\tUT Nord\n")
    (diagnostic,) = refusal(tmp_path).diagnostics
    assert diagnostic.span.line == 1 and diagnostic.message.endswith("séparez les colonnes par « ; » ou « , »")


@pytest.mark.parametrize("content, message", [
    (b"", "table « unites.csv », ligne 1 : fichier vide : la première ligne doit nommer les colonnes"),
    (b"commune;unite\n17000;UT M\xe9rignac\n", "table « unites.csv », ligne 2 : le fichier n'est pas en UTF-8 "
                                              "(octet 0xE9 illisible) : enregistrez-le en « CSV UTF-8 »"),
    ("commune;unite\n".encode("utf-16"), "table « unites.csv », ligne 1 : le fichier est en UTF-16 : "
                                         "enregistrez-le en « CSV UTF-8 »"),
], ids=["empty", "latin-1", "utf-16"])
def test_unreadable_text_is_located(tmp_path, content, message):
    """An empty file or one not in UTF-8 is a located French error."""
    table(tmp_path, content)
    assert [d.message for d in refusal(tmp_path).diagnostics] == [message]


# ---- the path: inside the charter's folder, a regular file of bounded size ---------------------------

INSIDE = "une table doit se trouver dans le dossier de la charte ou dans un de ses sous-dossiers"


def test_tables_in_subfolders_are_read(tmp_path):
    """A table in a subfolder, named with `/` or with `\\` as on Windows, is read."""
    (tmp_path / "tables").mkdir()
    table(tmp_path, "commune;unite\n17000;UT Nord\n", "tables/unites.csv")
    for file in ("tables/unites.csv", "tables\\unites.csv", "./tables/unites.csv"):
        assert load(tmp_path, file).route({"commune": "17000"}).unit == "UT Nord"


# `..` and absolute paths: see also tests/corpus/invalid/table-hors-du-dossier and table-chemin-absolu.
@pytest.mark.parametrize("file, reason", [
    ("tables/../../secret.csv", "« .. » remonte hors du dossier de la charte"),
    ("tables\\..\\..\\secret.csv", "« .. » remonte hors du dossier de la charte"),
    ("{outside}/secret.csv", "un chemin absolu n'est pas permis"),
    ("C:\\secret.csv", "un chemin absolu n'est pas permis"),
], ids=["parent-inside", "parent-windows", "absolute", "drive"])
def test_paths_leading_out_are_refused_without_quoting_the_file(tmp_path, file, reason):
    """`..` (even after a subfolder) and absolute paths are refused at the declaration, before anything
    of the foreign file is read or shown."""
    folder = tmp_path / "charte"
    (folder / "tables").mkdir(parents=True)
    table(tmp_path, "identifiant;mot_de_passe\nadmin;hunter2\n", "secret.csv")
    error = refusal(folder, file.format(outside=tmp_path))
    (diagnostic,) = error.diagnostics
    assert diagnostic.span.file == "t.regles" and diagnostic.span.line == 6
    assert diagnostic.message.endswith(f"refusé : {reason} ; {INSIDE}")
    assert "hunter2" not in str(error) and "mot_de_passe" not in str(error)


def test_symlink_leading_out_is_refused(tmp_path):
    """A link inside the folder to a file outside it is refused (real paths compared); one that stays
    inside is followed."""
    folder = tmp_path / "charte"
    folder.mkdir()
    table(tmp_path, "commune;unite\n17000;UT Secrète\n", "secret.csv")
    (folder / "unites.csv").symlink_to(tmp_path / "secret.csv")
    error = refusal(folder)
    assert error.diagnostics[0].message.endswith(
        f"refusé : un lien symbolique mène hors du dossier de la charte ; {INSIDE}")
    assert "Secrète" not in str(error)
    (folder / "unites.csv").unlink()
    table(folder, "commune;unite\n17000;UT Nord\n", "vraie.csv")
    (folder / "unites.csv").symlink_to("vraie.csv")
    assert load(folder).route({"commune": "17000"}).unit == "UT Nord"


def test_device_is_refused_before_being_read():
    """A device (here /dev/zero, in a charter whose folder is /dev) is refused, not read until memory runs out."""
    (diagnostic,) = refusal(Path("/dev"), "zero").diagnostics
    assert diagnostic.message == ("fichier de table « zero » refusé : ce n'est pas un fichier ordinaire "
                                  "(périphérique, tube ou socket) ; une table est un fichier CSV")


def refusal_of_a_pipe(folder: Path) -> str:
    """The message refusing `folder/unites.csv`, a named pipe; should loading wait for a writer, the
    pipe is given one after a minute, so that a regression fails instead of hanging the suite."""
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(refusal(folder).diagnostics[0].message), daemon=True)
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():
        os.close(os.open(folder / "unites.csv", os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=10)
    assert outcome, "le chargement attendait un écrivain sur le tube"
    return outcome[0]


def test_fifo_is_refused_without_blocking(tmp_path):
    """A named pipe is refused before it is opened: loading never waits for a writer."""
    os.mkfifo(tmp_path / "unites.csv")
    assert "ce n'est pas un fichier ordinaire" in refusal_of_a_pipe(tmp_path)


def test_folder_is_refused(tmp_path):
    """A folder named as a table, or a path naming no file, is refused in plain words."""
    (tmp_path / "unites.csv").mkdir()
    assert refusal(tmp_path).diagnostics[0].message == ("fichier de table « unites.csv » refusé : c'est un dossier, "
                                                        "pas un fichier")
    assert refusal(tmp_path, ".").diagnostics[0].message == ("fichier de table « . » refusé : ce chemin ne nomme "
                                                             "aucun fichier")


def test_file_over_the_size_limit_is_refused(tmp_path):
    """A table file over MAX_TABLE_BYTES is refused before being read."""
    with open(tmp_path / "unites.csv", "wb") as handle:
        handle.truncate(MAX_TABLE_BYTES + 1)  # sparse: nothing written
    assert refusal(tmp_path).diagnostics[0].message == ("fichier de table « unites.csv » refusé : plus de 10 Mo "
                                                        "(10 485 760 octets)")


def test_file_swapped_after_its_check_is_refused(tmp_path, monkeypatch):
    """A file replaced between its check and its opening (here by a pipe) is refused, without blocking."""
    table(tmp_path, "commune;unite\n17000;UT Nord\n", "vraie.csv")
    os.mkfifo(tmp_path / "unites.csv")
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: real_stat(
        tmp_path / "vraie.csv" if Path(path).name == "unites.csv" else path, *a, **k))
    assert refusal_of_a_pipe(tmp_path) == ("fichier de table « unites.csv » remplacé pendant sa lecture : "
                                           "relancez le chargement")


def test_without_base_dir_the_current_folder_is_the_charters(tmp_path, monkeypatch):
    """`Charter.from_text` without `base_dir` reads tables in the current folder, and only there."""
    (tmp_path / "charte").mkdir()
    table(tmp_path / "charte", "commune;unite\n17000;UT Nord\n")
    table(tmp_path, "commune;unite\n17000;UT Secrète\n", "secret.csv")
    monkeypatch.chdir(tmp_path / "charte")
    assert load(None).route({"commune": "17000"}).unit == "UT Nord"
    assert "remonte hors du dossier" in refusal(None, "../secret.csv").diagnostics[0].message
