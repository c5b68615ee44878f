import pytest

from tasks.sources import SourceNotFound, expand_sources


def test_folders_are_searched_recursively_for_supported_files(tmp_path):
    (tmp_path / "a.html").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt.gz").write_bytes(b"x")
    (tmp_path / "sub" / "c.HTM").write_text("x")
    (tmp_path / "sub" / "image.png").write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.html").write_text("x")
    items = expand_sources([tmp_path])
    assert [(i.source.rsplit("/", 1)[1], i.kind, i.compressed) for i in items] == [
        ("a.html", "html", False),
        ("b.txt.gz", "text", True),
        ("c.HTM", "html", False),
    ]


def test_an_explicit_unsupported_file_is_an_input(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    [item] = expand_sources([tmp_path / "report.pdf"])
    assert item.kind == "unsupported"


def test_repeats_are_removed_and_order_is_stable(tmp_path):
    (tmp_path / "b.html").write_text("x")
    (tmp_path / "a.html").write_text("x")
    first = expand_sources([tmp_path / "b.html", tmp_path, tmp_path / "a.html"])
    assert [i.source for i in first] == sorted(i.source for i in first)
    assert len(first) == 2


def test_missing_source_is_an_error(tmp_path):
    with pytest.raises(SourceNotFound, match="Source not found"):
        expand_sources([tmp_path / "nope"])
