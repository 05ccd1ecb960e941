"""`repartition orienter ENTREE` and `repartition indicateurs` end to end: files, exit codes, bilan."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from repartition.batch import readers as readers_module
from repartition.cli import main

ROOT = Path(__file__).resolve().parents[1]
FICHE = str(ROOT / "policies" / "dispositif-repartition.regles")
SAMPLE = ROOT / "samples" / "signalements.csv"
HEADER = "identifiant;enfants_a_charge;aide_au_logement;stade_procedure;connu_services_sociaux;commune\n"


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


def _orienter(tmp_path, *extra: str, source: Path = SAMPLE) -> int:
    return main(["orienter", "--charte", FICHE, str(source), "-o", str(tmp_path / "orientations.csv"),
                 "--bilan", str(tmp_path / "bilan.json"), *extra])


def test_sample_file_nothing_lost(tmp_path, capsys):
    """The sample: exit 1 (bad rows), read = routed + rejected, rejects carry line and French reason."""
    assert _orienter(tmp_path) == 1
    bilan = json.loads((tmp_path / "bilan.json").read_text(encoding="utf-8"))
    assert set(bilan) >= {"lignes_lues", "orientees", "rejetees", "par_service", "par_regle",
                          "par_motif_de_rejet", "indicateurs", "charte"}
    assert bilan["lignes_lues"] == 300 == bilan["orientees"] + bilan["rejetees"]
    assert sum(bilan["par_service"].values()) == bilan["orientees"] == sum(bilan["par_regle"].values())
    assert sum(bilan["par_motif_de_rejet"].values()) == bilan["rejetees"] > 0
    assert bilan["charte"]["version"] == "2018.1" and len(bilan["charte"]["sha256"]) == 64
    routed = _read(tmp_path / "orientations.csv")
    rejects = _read(tmp_path / "orientations.rejets.csv")
    assert len(routed) - 1 == bilan["orientees"] and len(rejects) - 1 == bilan["rejetees"]
    assert routed[0][-2:] == ["service", "regle"] and rejects[0][:2] == ["ligne", "erreur"]
    ids = {r[0] for r in routed[1:]} | {r[2] for r in rejects[1:]}
    assert len(ids) == 300
    stderr = capsys.readouterr().err
    assert "Bilan : 300 lignes lues" in stderr and "ménages en procédure judiciaire" in stderr


def test_reject_line_is_the_physical_line(tmp_path):
    """Each reject's `ligne` is the physical line of the sample file where its record starts."""
    _orienter(tmp_path)
    lines = SAMPLE.read_text(encoding="utf-8-sig").split("\n")
    for row in _read(tmp_path / "orientations.rejets.csv")[1:]:
        assert lines[int(row[0]) - 1].startswith(row[2] + ";")


def test_all_routed_exit_zero_and_rows_unchanged(tmp_path, capsys):
    """All rows valid: exit 0; each output row is the input row plus service and regle."""
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "S1;2;oui;aucune;non;Lille\nS2;0;non;jugement;non;Douai\n", encoding="utf-8")
    assert _orienter(tmp_path, source=source) == 0
    assert _read(tmp_path / "orientations.csv") == [
        HEADER.strip().split(";") + ["service", "regle"],
        ["S1", "2", "oui", "aucune", "non", "Lille", "CAF", "Familles allocataires"],
        ["S2", "0", "non", "jugement", "non", "Douai", "DEPARTEMENT", "Procédure judiciaire"]]
    assert _read(tmp_path / "orientations.rejets.csv") == [["ligne", "erreur"] + HEADER.strip().split(";")]
    bilan = json.loads((tmp_path / "bilan.json").read_text(encoding="utf-8"))
    assert bilan["indicateurs"] == {"ménages en procédure judiciaire non connus des services sociaux": 1}


def test_comma_file_and_decimal_comma_survive(tmp_path):
    """A `,` file keeps `,` in its output; a quoted decimal comma cell comes back unchanged."""
    source = tmp_path / "in.csv"
    source.write_text('enfants_a_charge,aide_au_logement,stade_procedure,connu_services_sociaux,dette\n'
                      '1,oui,aucune,non,"1 234,56"\n', encoding="utf-8")
    assert _orienter(tmp_path, source=source) == 0
    assert (tmp_path / "orientations.csv").read_text(encoding="utf-8").splitlines() == [
        "enfants_a_charge,aide_au_logement,stade_procedure,connu_services_sociaux,dette,service,regle",
        '1,oui,aucune,non,"1 234,56",CAF,Familles allocataires']


def test_missing_column_exit_two_before_any_row(tmp_path, capsys):
    """A declared column missing: exit 2, one French error naming it, no output file."""
    source = tmp_path / "in.csv"
    source.write_text("enfants_a_charge;aide_au_logement;connu_services_sociaux\n1;oui;non\n", encoding="utf-8")
    assert _orienter(tmp_path, source=source) == 2
    err = capsys.readouterr().err
    assert "ligne 1 : colonne absente de l'en-tête : « stade_procedure »" in err
    assert not (tmp_path / "orientations.csv").exists() and not (tmp_path / "bilan.json").exists()


def test_existing_service_column_needs_remplacer(tmp_path, capsys):
    """An input with `regle` is refused (exit 2) unless --remplacer."""
    source = tmp_path / "in.csv"
    source.write_text("regle;" + HEADER + "x;S1;2;oui;aucune;non;Lille\n", encoding="utf-8")
    assert _orienter(tmp_path, source=source) == 2
    assert "--remplacer" in capsys.readouterr().err
    assert _orienter(tmp_path, "--remplacer", source=source) == 0
    assert _read(tmp_path / "orientations.csv")[1][:2] == ["Familles allocataires", "S1"]


def test_entree_and_menage_are_exclusive(capsys):
    """Exactly one of ENTREE and --menage: both or neither is exit 2 with a French message."""
    assert main(["orienter", "--charte", FICHE]) == 2
    assert main(["orienter", "--charte", FICHE, str(SAMPLE), "--menage", "{}"]) == 2
    assert "soit un fichier ENTREE, soit --menage" in capsys.readouterr().err


def test_unproven_charter_exit_two(tmp_path, capsys):
    """A charter that does not load (here: missing) gives exit 2 and no output."""
    assert main(["orienter", "--charte", str(tmp_path / "absente.regles"), str(SAMPLE),
                 "-o", str(tmp_path / "o.csv")]) == 2
    assert not (tmp_path / "o.csv").exists()


def test_unproven_charter_exit_two_before_any_row(tmp_path, capsys):
    """A charter that loads but is not proven (here: a gap) gives exit 2, a French error, no output."""
    charter = tmp_path / "charte.regles"
    charter.write_text("charte « Lacune »\nversion 1\n\nservices\n  A : « Service A »\n\n"
                       "données du ménage\n  enfants à charge [enfants_a_charge] : nombre entier d'au moins 0\n\n"
                       "règle « Familles »\n  si les enfants à charge sont au moins 1\n  alors A\n",
                       encoding="utf-8")
    assert main(["orienter", "--charte", str(charter), str(SAMPLE), "-o", str(tmp_path / "o.csv")]) == 2
    assert "lacune : aucune règle ne s'applique" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charte.regles"]


def test_unwritable_bilan_stops_before_any_row(tmp_path, capsys):
    """A --bilan in a missing folder: exit 2 with a French error, and no output nor rejects written."""
    code = main(["orienter", "--charte", FICHE, str(SAMPLE), "-o", str(tmp_path / "o.csv"),
                 "--bilan", str(tmp_path / "absent" / "bilan.json")])
    assert code == 2
    missing = tmp_path / "absent"
    assert f"impossible d'écrire « {missing / 'bilan.json'} » : le dossier « {missing} » n'existe pas" in (
        capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["entree", "sortie"])
def test_bilan_never_overwrites_the_input_or_the_output(tmp_path, capsys, target):
    """--bilan naming the input or the output file: exit 2, a French error, every file as it was."""
    source = tmp_path / "entree.csv"
    source.write_bytes(SAMPLE.read_bytes())
    same = {"entree": source, "sortie": tmp_path / "sortie.csv"}[target]
    code = main(["orienter", "--charte", FICHE, str(source), "-o", str(tmp_path / "sortie.csv"),
                 "--bilan", str(same)])
    assert code == 2
    assert "désignent le même fichier" in capsys.readouterr().err
    assert source.read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["entree.csv"]


def test_write_error_exit_two_without_traceback(tmp_path, monkeypatch, capsys):
    """Standard output failing mid-run (full disk): exit 2, a French message, no rejects file left."""
    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", Full())
    assert main(["orienter", "--charte", FICHE, str(SAMPLE)]) == 2
    err = capsys.readouterr().err
    assert "orientation interrompue par une erreur de lecture ou d'écriture : disque plein" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cp1252_needs_encodage(tmp_path, capsys):
    """A cp1252 file: exit 2 with a message naming --encodage; with --encodage cp1252 it routes."""
    source = tmp_path / "in.csv"
    source.write_bytes((HEADER + "S1;2;oui;aucune;non;Armentières\n").encode("cp1252"))
    assert _orienter(tmp_path, source=source) == 2
    assert "--encodage" in capsys.readouterr().err
    assert _orienter(tmp_path, "--encodage", "cp1252", source=source) == 0
    assert _read(tmp_path / "orientations.csv")[1][5] == "Armentières"


def test_bom_in_bom_out(tmp_path):
    """A file with a UTF-8 BOM gives an output with a BOM (spreadsheets then read UTF-8)."""
    source = tmp_path / "in.csv"
    source.write_bytes(("\ufeff" + HEADER + "S1;2;oui;aucune;non;Lille\n").encode())
    assert _orienter(tmp_path, source=source) == 0
    assert (tmp_path / "orientations.csv").read_bytes().startswith("\ufeffidentifiant;".encode())


def test_same_input_same_bytes(tmp_path):
    """Two runs on the same input give byte-identical output, rejects and bilan."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _orienter(tmp_path / "a")
    _orienter(tmp_path / "b")
    for name in ("orientations.csv", "orientations.rejets.csv", "bilan.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_ctrl_c_leaves_no_complete_looking_output(tmp_path, monkeypatch, capsys):
    """Ctrl-C during the run: exit 130 and no output, rejects or bilan file (nor temporary)."""
    def interrupt(self, first):
        raise KeyboardInterrupt

    monkeypatch.setattr(readers_module.CsvSource, "_quoted", interrupt)
    assert _orienter(tmp_path) == 130
    assert list(tmp_path.iterdir()) == []


def test_stdin_to_stdout(tmp_path, monkeypatch, capsys):
    """`-` reads standard input (with --format-entree); without -o the output is standard output."""
    data = HEADER + "S1;2;oui;aucune;non;Lille\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    monkeypatch.chdir(tmp_path)
    assert main(["orienter", "--charte", FICHE, "-", "--format-entree", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "S1;2;oui;aucune;non;Lille;CAF;Familles allocataires"
    assert (tmp_path / "rejets.csv").exists()


def test_stdin_not_in_utf8_names_the_line_of_the_bad_byte(tmp_path, monkeypatch, capsys):
    """Standard input in Latin-1: exit 2, and the message points near the line of the bad byte."""
    data = (HEADER + "S1;2;oui;aucune;non;Lille\n").encode() + "S2;2;oui;aucune;non;Sète\n".encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    monkeypatch.chdir(tmp_path)
    assert main(["orienter", "--charte", FICHE, "-", "--format-entree", "csv"]) == 2
    assert "l'entrée standard, vers la ligne 3 : le fichier n'est pas en UTF-8" in capsys.readouterr().err


def test_jsonl_malformed_line_exit_one(tmp_path, capsys):
    """A malformed JSON line is a reject (exit 1) with its raw text, not a crash."""
    source = tmp_path / "in.jsonl"
    source.write_text('{"enfants_a_charge": 1, "aide_au_logement": "oui", "stade_procedure": "aucune", '
                      '"connu_services_sociaux": "non"}\n{"enfants_a_charge": \n', encoding="utf-8")
    code = main(["orienter", "--charte", FICHE, str(source), "-o", str(tmp_path / "o.jsonl")])
    assert code == 1
    reject = json.loads((tmp_path / "o.rejets.jsonl").read_text(encoding="utf-8"))
    assert reject["ligne"] == 2 and reject["entree"] == '{"enfants_a_charge": ' and "JSON" in reject["erreur"]


def test_indicateurs_recounts_the_routed_file(tmp_path, capsys):
    """`indicateurs` on the routed sample finds the bilan's indicator count; exit 0."""
    _orienter(tmp_path)
    bilan = json.loads((tmp_path / "bilan.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    assert main(["indicateurs", "--charte", FICHE, str(tmp_path / "orientations.csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["indicateurs"] == bilan["indicateurs"]
    assert report["par_service"] == bilan["par_service"] and report["lignes_lues"] == bilan["orientees"]


def test_indicateurs_reads_jsonl(tmp_path, capsys):
    """`indicateurs` on a routed JSON Lines file counts the indicator; a line without `service` is unreadable."""
    household = ('"enfants_a_charge": 0, "aide_au_logement": "non", "stade_procedure": "jugement", '
                 '"connu_services_sociaux": "non"')
    source = tmp_path / "o.jsonl"
    source.write_text(f'{{{household}, "service": "DEPARTEMENT"}}\n{{{household}}}\n', encoding="utf-8")
    assert main(["indicateurs", "--charte", FICHE, str(source), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["indicateurs"] == {"ménages en procédure judiciaire non connus des services sociaux": 1}
    assert report["lignes_illisibles"] == 1 and report["exemples_de_problemes"][0]["ligne"] == 2


def test_indicateurs_flags_divergent_services(tmp_path, capsys):
    """A routed file whose service differs from the charter's is reported (exit 1) with its line."""
    source = tmp_path / "o.csv"
    source.write_text(HEADER.strip() + ";service;regle\nS1;2;oui;aucune;non;Lille;DEPARTEMENT;x\n", encoding="utf-8")
    assert main(["indicateurs", "--charte", FICHE, str(source)]) == 1
    out = capsys.readouterr().out
    assert "ligne 2 : service « DEPARTEMENT » dans le fichier, « CAF » selon la charte" in out


def test_indicateurs_needs_service_column(tmp_path, capsys):
    """A file that was not routed (no `service` column) is refused with exit 2."""
    assert main(["indicateurs", "--charte", FICHE, str(SAMPLE)]) == 2
    assert "« service »" in capsys.readouterr().err


@pytest.mark.parametrize("options", [["--bilan", "x.json"], ["--rejets", "x.csv"], ["-o", "x.csv"],
                                     ["--format-entree", "csv"], ["--format-sortie", "csv"], ["--remplacer"],
                                     ["--encodage", "cp1252"]])
def test_batch_options_refused_with_menage(options, capsys):
    """Batch options with --menage are refused (exit 2), each named."""
    assert main(["orienter", "--charte", FICHE, "--menage", "{}", *options]) == 2
    assert f"orienter : {options[0]} ne s'emploie qu'avec un fichier ENTREE" in capsys.readouterr().err


def test_json_option_refused_with_a_file(capsys):
    """--json prints one decision: with a file ENTREE it is refused (exit 2), not silently ignored."""
    assert main(["orienter", "--charte", FICHE, str(SAMPLE), "--json"]) == 2
    assert "--json ne s'emploie qu'avec --menage" in capsys.readouterr().err


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    """Under capture (not a terminal) stderr has the summary and no progress bar."""
    _orienter(tmp_path)
    err = capsys.readouterr().err
    assert "Orientation" not in err and err.startswith("Bilan :")


def test_csv_in_jsonl_out(tmp_path):
    """A CSV input routed to a .jsonl output: each row becomes an object with service and regle."""
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "S1;2;oui;aucune;non;Lille\n", encoding="utf-8")
    assert main(["orienter", "--charte", FICHE, str(source), "-o", str(tmp_path / "o.jsonl")]) == 0
    record = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert record == {"identifiant": "S1", "enfants_a_charge": "2", "aide_au_logement": "oui",
                      "stade_procedure": "aucune", "connu_services_sociaux": "non", "commune": "Lille",
                      "service": "CAF", "regle": "Familles allocataires"}
    assert (tmp_path / "o.rejets.jsonl").read_text(encoding="utf-8") == ""


@pytest.mark.slow
@pytest.mark.parametrize("stdout", ["fermée", "pleine"])
def test_menage_with_standard_output_closed_or_full(stdout):
    """`--menage` when its decision cannot be shown (standard output closed, or /dev/full): exit 2 and
    a French message, never a silent exit 0 nor a traceback."""
    import os
    import subprocess

    if stdout == "pleine" and not os.path.exists("/dev/full"):
        pytest.skip("pas de /dev/full sur ce système")
    household = ('{"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation", '
                 '"connu_services_sociaux": "non"}')
    with open(os.devnull if stdout == "fermée" else "/dev/full", "w") as target:
        done = subprocess.run([sys.executable, "-m", "repartition", "orienter", "--charte", FICHE, "--menage", household],
                              stdout=target, stderr=subprocess.PIPE, text=True,
                              preexec_fn=(lambda: os.close(1)) if stdout == "fermée" else None)
    assert done.returncode == 2
    assert done.stderr == {
        "fermée": "orienter : la sortie standard est fermée : la décision n'a pas pu être affichée.\n",
        "pleine": "orienter : la décision n'a pas pu être affichée sur la sortie standard : disque plein.\n"}[stdout]


def test_a_file_given_to_menage_is_named_with_the_way_to_route_it(tmp_path, capsys):
    """--menage takes JSON text: a file name given there is refused (exit 2) with the two ways to route it."""
    household = tmp_path / "menage.json"
    household.write_text('{"enfants_a_charge": 2}', encoding="utf-8")
    assert main(["orienter", "--charte", FICHE, "--menage", str(household)]) == 2
    assert f"« {household} » est un fichier : donnez son contenu" in capsys.readouterr().err
