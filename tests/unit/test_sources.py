import pytest

from tasks.sources import SourceNotFound, WebSource, expand_sources, expand_web_sources, is_url, read_url_list


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


def test_urls_are_told_apart_from_paths_and_lists_are_read(tmp_path):
    assert is_url("https://example.org/a") and is_url("HTTP://x") and is_url("ftp://x/y")
    assert is_url("javascript:alert(1)") and is_url("data:text/html,hi")
    assert not is_url("seeds/article.html") and not is_url("C-drive/notes.txt")
    listing = tmp_path / "urls.txt"
    listing.write_text("# comment\n\nhttps://a.example/1\n  https://a.example/2  \nhttps://a.example/1\n")
    web = expand_web_sources(
        ["https://b.example/page", str(tmp_path)], [str(listing)], feeds=["https://a.example/2"], sitemaps=["https://s.example/sm.xml"]
    )
    assert web == [
        WebSource("https://a.example/2", "feed"),
        WebSource("https://s.example/sm.xml", "sitemap"),
        WebSource("https://b.example/page", "auto"),
        WebSource("https://a.example/1", "auto"),
    ]
    assert expand_sources(["https://b.example/page"]) == []


def test_missing_url_list_is_a_clear_error(tmp_path):
    with pytest.raises(SourceNotFound, match="Source not found"):
        read_url_list(tmp_path / "nope.txt")
