"""Batch readers: separator detection, BOM, encodings, quoted newlines, line numbers, plain text of rows, JSON Lines."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repartition.batch import BatchError, CsvSource, JsonlSource, detect_separator
from repartition.batch import readers as readers_module
from repartition.batch.readers import BadJson, Malformed, detect_format, read_object, resolve_encoding

from conftest import batch_python_only


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _records(source):
    with source:
        return list(source.records())


@pytest.mark.parametrize("line, expected", [
    ("a;b;c\r\n", ";"),
    ("a,b,c\n", ","),
    ("a\tb\tc\n", "\t"),
    ('"x,y";b;c\n', ";"),
    ('"x;y;z",b\n', ","),
    ("seule\n", ";"),
])
def test_detect_separator(line, expected):
    """The separator is the most frequent of `;`, `,`, tab outside quotes; ties go to `;`."""
    assert detect_separator(line) == expected


def test_semicolon_and_comma_files_read_the_same(tmp_path):
    """A `;` file and a `,` file with the same content give the same header and rows."""
    semi = CsvSource(_write(tmp_path, "a.csv", b"id;n\r\n1;2\r\n"))
    comma = CsvSource(_write(tmp_path, "b.csv", b"id,n\n1,2\n"))
    assert (semi.separator, comma.separator) == (";", ",")
    assert semi.header == comma.header == ["id", "n"]
    assert _records(semi) == _records(comma) == [(2, ["1", "2"])]


def test_bom_is_removed_and_remembered(tmp_path):
    """A UTF-8 BOM is not part of the first column name; the source says it was there."""
    source = CsvSource(_write(tmp_path, "a.csv", "\ufeffidentifiant;commune\n1;Lille\n".encode()))
    assert source.header == ["identifiant", "commune"]
    assert source.bom is True
    assert _records(source) == [(2, ["1", "Lille"])]


def test_quoted_newlines_keep_physical_line_numbers(tmp_path):
    """A quoted cell spanning lines is one record; each record reports the line where it starts."""
    data = 'id;obs\n1;"deux\nlignes"\n2;simple\n3;"a;b ""c"""\n\n4;fin\n'.encode()
    source = CsvSource(_write(tmp_path, "a.csv", data))
    assert _records(source) == [(2, ["1", "deux\nlignes"]), (4, ["2", "simple"]),
                                (5, ["3", 'a;b "c"']), (7, ["4", "fin"])]
    assert source.blank == 1


def test_rows_of_empty_cells_are_skipped(tmp_path):
    """A row made only of separators is a blank row, not a record."""
    source = CsvSource(_write(tmp_path, "a.csv", b"a;b\n;\n1;2\n"))
    assert _records(source) == [(3, ["1", "2"])]
    assert source.blank == 1


def test_cp1252_file_gets_a_french_message_with_its_line(tmp_path):
    """A Windows-1252 file read as UTF-8 stops before any row, naming the line and --encodage."""
    path = _write(tmp_path, "a.csv", "id;commune\n1;Lille\n2;Armentières\n".encode("cp1252"))
    with pytest.raises(BatchError) as caught:
        CsvSource(path)
    message = str(caught.value)
    assert "ligne 3" in message and "UTF-8" in message and "--encodage" in message


def test_encoding_option_reads_cp1252(tmp_path):
    """With `encoding="cp1252"` the same file reads correctly."""
    path = _write(tmp_path, "a.csv", "id;commune\n2;Armentières\n".encode("cp1252"))
    assert _records(CsvSource(path, encoding="cp1252")) == [(2, ["2", "Armentières"])]


def test_utf16_file_is_named(tmp_path):
    """A UTF-16 file (BOM FF FE) is recognised and the message says how to read it."""
    path = _write(tmp_path, "a.csv", "a;b\n1;2\n".encode("utf-16"))
    with pytest.raises(BatchError, match="UTF-16"):
        CsvSource(path)


def test_unknown_encoding_is_refused():
    """An encoding name Python does not know gives a French error."""
    with pytest.raises(BatchError, match="encodage « klingon » inconnu"):
        resolve_encoding("klingon")


def test_empty_file_is_refused(tmp_path):
    """An empty file has no header: a clear error."""
    with pytest.raises(BatchError, match="est vide"):
        CsvSource(_write(tmp_path, "a.csv", b""))


def test_duplicate_column_is_refused(tmp_path):
    """A header naming a column twice is refused (line 1)."""
    with pytest.raises(BatchError, match="ligne 1 : la colonne « a » figure deux fois"):
        CsvSource(_write(tmp_path, "a.csv", b"a;b;a\n1;2;3\n"))


def test_unclosed_quote_stops_with_its_line(tmp_path):
    """A quote never closed does not swallow the rest of the file: error at the record's line."""
    source = CsvSource(_write(tmp_path, "a.csv", b'a;b\n1;2\n3;"oops\n5;6\n'))
    with pytest.raises(BatchError, match="ligne 3 : CSV illisible"):
        _records(source)


def test_missing_file_is_reported(tmp_path):
    """A file that does not exist gives a French error naming it."""
    with pytest.raises(BatchError, match="impossible de lire"):
        CsvSource(tmp_path / "absent.csv")


def test_jsonl_malformed_lines_are_records(tmp_path):
    """A malformed JSON line, or one that is not an object, is yielded as Malformed with its text."""
    data = b'{"a": 1}\n{"a": \n\n[1, 2]\n{"a": NaN}\n{"b": "\xc3\xa9"}\n{"a": 1e400}\n'
    source = JsonlSource(_write(tmp_path, "a.jsonl", data))
    records = _records(source)
    assert [line for line, _ in records] == [1, 2, 4, 5, 6, 7]
    assert records[0][1] == {"a": 1} and records[4][1] == {"b": "é"}
    bad = records[1][1]
    assert isinstance(bad, Malformed) and bad.text == '{"a": '
    assert bad.reason == "JSON illisible, colonne 7 : valeur attendue"  # the column on the line as written
    assert isinstance(records[2][1], Malformed) and "objet JSON" in records[2][1].reason
    assert isinstance(records[3][1], Malformed) and "« NaN »" in records[3][1].reason
    assert isinstance(records[5][1], Malformed) and "trop grand" in records[5][1].reason  # never written as Infinity
    assert source.blank == 1


def test_formats_come_from_extensions():
    """`.csv` and `.jsonl` give their format; `-` and other names need the option."""
    assert detect_format("x.CSV", None, "--format-entree") == "csv"
    assert detect_format("x.jsonl", None, "--format-entree") == "jsonl"
    assert detect_format("-", "jsonl", "--format-entree") == "jsonl"
    with pytest.raises(BatchError, match="--format-entree csv"):
        detect_format("-", None, "--format-entree")
    with pytest.raises(BatchError, match="extension"):
        detect_format("x.txt", None, "--format-sortie")


def test_named_pipe_is_read_without_prescan(tmp_path):
    """A named pipe (not seekable) is read in one pass, like standard input."""
    import os
    import threading

    fifo = tmp_path / "tube.csv"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as pipe:
            pipe.write(b"a;b\n1;2\n")

    writer = threading.Thread(target=feed)
    writer.start()
    source = CsvSource(fifo)
    assert source.size is None
    assert _records(source) == [(2, ["1", "2"])]
    writer.join()


def test_deeply_nested_json_is_a_french_error():
    """JSON nested beyond Python's recursion limit is refused in French, never a RecursionError."""
    with pytest.raises(BadJson, match="trop de niveaux imbriqués"):
        read_object("[" * 100_000 + "]" * 100_000)


def test_a_byte_order_mark_where_two_jsonl_files_were_joined_is_skipped(tmp_path):
    """`cat a.jsonl b.jsonl`, each with a BOM: the second file's first line reads as in its own file."""
    data = "\ufeff{\"a\": 1}\n".encode() * 2 + '\ufeff{"a": 2}\n'.encode()
    source = JsonlSource(_write(tmp_path, "a.jsonl", data))
    assert _records(source) == [(1, {"a": 1}), (2, {"a": 1}), (3, {"a": 2})]
    assert source.bom is True


@pytest.mark.parametrize("text, reason", [
    ("\ufeff{}", "marque d'ordre des octets (BOM) en tête du texte"),
    ('{"a": "\\u12"}', "séquence « \\u » invalide : quatre chiffres hexadécimaux attendus"),
    ('{"a": 1,}', "nom de donnée entre guillemets droits attendu"),
])
def test_json_errors_are_worded_in_french(text, reason):
    """Every JSON syntax error has a French reason, never Python's English message."""
    with pytest.raises(BadJson) as caught:
        read_object(text)
    assert str(caught.value).endswith(" : " + reason)


_CELL = st.text(st.sampled_from(list('ab é;,"\n\r\t=-1 ')), max_size=6)


@pytest.mark.parametrize("unquote", [readers_module._unquote_all, readers_module.unquote_line])
@pytest.mark.parametrize("line, plain", [
    ('"a";"b";"c"\r\n', "a;b;c"),
    ('"";"";""\n', ";;"),
    ('"é";"\U0001F600"', "é;\U0001F600"),
    ('"a";"b;c"', None),
    ('"a""b";"c"', None),
    ('"a"b;"c"', None),
    ('"a;"b"', None),
    ('"a', None),
    ('"', None),
])
def test_plainly_quoted_lines_lose_their_quotes(unquote, line, plain):
    """A line whose cells are all quoted, holding neither quote nor separator, has a plain text; others
    are left to the csv module (both the Python reading and the C one agree here)."""
    assert unquote(line, ";") == plain


@pytest.mark.skipif(readers_module.unquote_line is readers_module._unquote_all, reason="lecteur C non compilé")
@pytest.mark.parametrize("line, plain", [
    ('"a";b;"c"\r\n', "a;b;c"),
    ('a;"";c', "a;;c"),
    ('a;"b";', "a;b;"),
    ('a;b"c;d', None),
    ('a;"b" ;c', None),
])
def test_c_reads_lines_where_only_some_cells_are_quoted(line, plain):
    """The C reading also gives the plain text of lines where only some cells are plainly quoted."""
    assert readers_module.unquote_line(line, ";") == plain


def _csv_line(cells: list[tuple[str, bool]], separator: str) -> str:
    """A CSV line as spreadsheets write them: each cell quoted if it needs to be, or if asked."""
    return separator.join('"' + cell.replace('"', '""') + '"'
                          if quote or any(c in cell for c in (separator, '"', "\n", "\r")) else cell
                          for cell, quote in cells) + "\r\n"


@pytest.mark.parametrize("with_c", [True, False])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.tuples(_CELL, st.booleans()), min_size=3, max_size=3), min_size=1, max_size=8),
       separator=st.sampled_from([";", ",", "\t"]))
def test_rows_read_as_the_csv_module_and_their_text_is_what_csv_writer_writes(tmp_path_factory, with_c, rows,
                                                                              separator):
    """Whatever cells are quoted, with the C reader of quoted lines or without, each row has the cells
    `csv.reader` reads, and its plain text, given unless a cell needs quotes, is exactly what
    `csv.writer` writes for those cells."""
    data = "x;y;z\r\n".replace(";", separator) + "".join(_csv_line(row, separator) for row in rows)
    path = tmp_path_factory.mktemp("csv") / "a.csv"
    path.write_bytes(data.encode())
    expected = list(csv.reader(io.StringIO(data, newline=""), delimiter=separator))[1:]
    with contextlib.nullcontext() if with_c else batch_python_only(), CsvSource(path) as source:
        got = list(source.rows())
    assert [row for _, row, _ in got] == [row for row in expected if any(row)]
    for _, row, text in got:
        written = io.StringIO()
        csv.writer(written, delimiter=separator, lineterminator="\r\n").writerow(row)
        assert (text is None) == any(separator in cell or '"' in cell or "\n" in cell or "\r" in cell
                                     for cell in row)
        assert text is None or text + "\r\n" == written.getvalue()
