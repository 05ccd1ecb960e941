"""`repartition exporter` and Parquet in `orienter`: French options and errors, files written, same outputs as CSV."""

from __future__ import annotations

import json

import pytest

from repartition.cli import main

from conftest import FICHE, ROOT
from optional import need

SAMPLE = ROOT / "samples" / "signalements.csv"


@pytest.mark.parametrize("form, start", [("json", '{\n  "format": "repartition/tables-de-decision"'),
                                         ("dmn", '<?xml version="1.0" encoding="UTF-8"?>\n<definitions'),
                                         ("sql", 'WITH "caracteres"')])
def test_exporter_prints_each_format(form, start, capsys):
    """Each format goes to standard output, exit 0."""
    if form == "sql":
        need("sqlglot")
    assert main(["exporter", str(FICHE), "--format", form]) == 0
    assert capsys.readouterr().out.startswith(start)


def test_exporter_writes_a_view_for_a_dialect(tmp_path, capsys):
    """--dialecte, --table, --vue and -o: a CREATE VIEW in the file, « écrit : » said on standard error."""
    need("sqlglot")
    target = tmp_path / "vue.sql"
    assert main(["exporter", str(FICHE), "--format", "sql", "--dialecte", "spark", "--table", "travail.menages",
                 "--vue", "orientations", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("CREATE VIEW `orientations` AS") and "`travail`.`menages`" in text
    assert "écrit :" in capsys.readouterr().err


def test_exporter_refuses_sql_options_elsewhere_and_bad_names(capsys):
    """SQL options with another format, or a table or view name that is not one to three dotted parts
    (a fourth is never dropped), are French errors (exit 2), never a traceback."""
    assert main(["exporter", str(FICHE), "--format", "json", "--vue", "v"]) == 2
    assert "--vue ne s'emploie qu'avec --format sql" in capsys.readouterr().err
    for option, name in (("--table", "a..b"), ("--table", "a.b.c.d"), ("--vue", "v."), ("--table", " ")):
        assert main(["exporter", str(FICHE), "--format", "sql", option, name]) == 2
        assert f"« {name} » : nom de table ou de vue attendu, en une à trois parties" in capsys.readouterr().err


def test_orienter_reads_parquet_with_the_same_outputs(tmp_path, capsys):
    """A Parquet copy of the sample is routed as the CSV: same routed rows, rejects and bilan."""
    duckdb = need("duckdb")
    parquet = tmp_path / "signalements.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{SAMPLE}', delim=';', header=true, all_varchar=true)) "
               f"TO '{parquet}' (FORMAT parquet)")
    outputs = {}
    for name, source in (("csv", SAMPLE), ("parquet", parquet)):
        out, bilan = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.bilan.json"
        assert main(["orienter", "--charte", str(FICHE), str(source), "-o", str(out), "--bilan", str(bilan)]) == 1
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        rejects = [json.loads(line) for line in (tmp_path / f"{name}.rejets.jsonl").read_text().splitlines()]
        summary = json.loads(bilan.read_text(encoding="utf-8"))
        summary.pop("entree", None)
        outputs[name] = ([(r["identifiant"], r["service"], r["regle"]) for r in rows],
                         [(r["identifiant"], r["erreur"]) for r in rejects], summary)
    assert outputs["parquet"] == outputs["csv"]
    capsys.readouterr()


def test_parquet_is_read_only_from_a_file(tmp_path, capsys):
    """Parquet is not written, nor read from standard input: French errors."""
    need("duckdb")
    assert main(["orienter", "--charte", str(FICHE), str(SAMPLE), "-o", str(tmp_path / "x.parquet")]) == 2
    assert "pas en Parquet" in capsys.readouterr().err
    broken = tmp_path / "faux.parquet"
    broken.write_text("pas du parquet", encoding="utf-8")
    assert main(["orienter", "--charte", str(FICHE), str(broken), "-o", str(tmp_path / "o.csv")]) == 2
    assert "fichier Parquet illisible" in capsys.readouterr().err
