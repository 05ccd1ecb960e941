"""Batch writers: spreadsheet formula neutralisation (C and Python alike), CSV/JSON Lines sinks, files renamed when complete."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repartition.batch import AtomicFile, BatchError, neutralise
from repartition.batch import writers
from repartition.batch.writers import CsvSink, JsonlSink, neutralise_row


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x";"y")', '\'=HYPERLINK("http://x";"y")'),
    ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
    ("@SOMME(A1)", "'@SOMME(A1)"),
    ("-", "'-"),
    ("-x", "'-x"),
    ("-12,50", "-12,50"),
    ("-12.5", "-12.5"),
    ("+3", "+3"),
    ("-1 234,56", "-1 234,56"),
    ("-5 %", "-5 %"),
    ("-1e3", "-1e3"),
    ("Lille", "Lille"),
    ("", ""),
    ("a=b", "a=b"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\r\n@SOMME(A1)", "'\r\n@SOMME(A1)"),
    ("\t+33 6", "'\t+33 6"),
    ("\tLille", "'\tLille"),
    ("\x00=1", "'\x00=1"),
    ("  =1+1", "'  =1+1"),
    ("\u00a0-x", "'\u00a0-x"),
    (" -12,50", " -12,50"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("\uff20x", "'\uff20x"),
    ("\uff0d12", "'\uff0d12"),
    ("-\u0661\u0662", "'-\u0661\u0662"),
    ("-1 2345", "'-1 2345"),
    ("-1 234 567,5 €", "-1 234 567,5 €"),
    ("+", "'+"),
    ("'=1", "'=1"),
])
def test_neutralise(cell, expected):
    """A cell starting with =, +, - or @ (or a full-width form), after any spaces, or with a control
    character such as a tab or a carriage return, gets a leading ' unless it is a number."""
    assert neutralise(cell) == expected


_CELL = st.text(st.sampled_from(list("0123456789 ,.eE+-=@€%aZ'\";\t\r\n\x00\x1c\u00a0\u202f\u2003"
                                     "\uff1d\uff0b\uff0d\uff20\u0661é") + ["\U0001F600"]), max_size=8)


@pytest.mark.skipif(writers._neutralise_cells_c is None, reason="lecteur C non compilé (pas de compilateur C)")
@settings(max_examples=800, deadline=None)
@given(st.lists(_CELL, max_size=6))
def test_c_and_python_neutralise_alike(row):
    """The C neutralisation and the Python one change the same cells the same way, and say so alike."""
    in_c, in_python = list(row), list(row)
    assert writers._neutralise_cells_c(in_c) == writers._neutralise_cells_py(in_python)
    assert in_c == in_python == [neutralise(cell) for cell in row]


def test_neutralise_row_in_place():
    """`neutralise_row` changes the list it is given and returns it."""
    row = ["=A1", "ok", "-2"]
    assert neutralise_row(row) is row and row == ["'=A1", "ok", "-2"]


def test_csv_sink_writes_bom_separator_and_crlf():
    """The CSV sink writes the BOM if asked, the given separator, CRLF, and neutralised cells."""
    stream = io.StringIO()
    sink = CsvSink(stream, separator=",", bom=True)
    sink.write(["a", "b,c", "=x"])
    assert stream.getvalue() == '\ufeffa,"b,c",\'=x\r\n'


def test_jsonl_sink_keeps_text():
    """The JSON Lines sink writes one object a line, accents unescaped."""
    stream = io.StringIO()
    JsonlSink(stream).write({"commune": "Armentières", "n": 2})
    assert stream.getvalue() == '{"commune": "Armentières", "n": 2}\n'
    assert json.loads(stream.getvalue()) == {"commune": "Armentières", "n": 2}


def test_atomic_file_appears_only_on_commit(tmp_path):
    """Until `commit`, the target does not exist; afterwards it has the content, no temporary left."""
    target = tmp_path / "sortie.csv"
    file = AtomicFile(target)
    file.stream.write("contenu")
    assert not target.exists()
    file.commit()
    assert target.read_text() == "contenu"
    assert [p.name for p in tmp_path.iterdir()] == ["sortie.csv"]


def test_atomic_file_discard_leaves_previous_file(tmp_path):
    """`discard` removes the temporary file and leaves an existing target untouched."""
    target = tmp_path / "sortie.csv"
    target.write_text("ancien")
    file = AtomicFile(target)
    file.stream.write("nouveau, incomplet")
    file.discard()
    assert target.read_text() == "ancien"
    assert [p.name for p in tmp_path.iterdir()] == ["sortie.csv"]


def test_atomic_file_in_missing_folder(tmp_path):
    """An output in a folder that does not exist gives a French error."""
    with pytest.raises(BatchError, match="impossible d'écrire"):
        AtomicFile(tmp_path / "absent" / "sortie.csv")
