"""``retrieval serve``: its arguments, its messages, and the cached index of the bundled photos."""

import sys

import pytest

from retrieval import ImageIndex, PixelFeatures
from retrieval.cli import main
from retrieval.web import _bundled


def test_serve_is_a_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    assert "--host" in text and "127.0.0.1" in text and "--port" in text
    assert "~/.cache/retrieval-lab" in text


def test_a_missing_index_is_one_line(capsys):
    assert main(["serve", "no-such-index.npz"]) == 1
    assert capsys.readouterr().err == "retrieval serve: error: index not found: no-such-index.npz\n"


def test_a_missing_extra_names_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    assert main(["serve"]) == 1
    assert capsys.readouterr().err == ('retrieval serve: error: the web explorer needs its '
                                       'extra: pip install "retrieval-lab[web]"\n')


def test_serve_an_index_on_loopback(tmp_path, monkeypatch, photos, capsys):
    import uvicorn

    index = ImageIndex(PixelFeatures(size=(4, 4)))
    index.add([str(p) for p in photos[:3]])  # ids: absolute paths
    saved = index.save(tmp_path / "photos.npz")
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    assert main(["serve", str(saved), "--port", "8123"]) == 0
    app, options = calls[0]
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    assert "open http://127.0.0.1:8123/" in capsys.readouterr().err
    from starlette.testclient import TestClient

    client = TestClient(app, base_url="http://127.0.0.1:8123")
    assert client.get("/api/info").json()["root"] == str(photos[0].parent)
    assert client.get("/image", params={"id": str(photos[1])}).content == \
        photos[1].read_bytes()
    rebinding = TestClient(app, base_url="http://attacker.example")
    assert rebinding.get("/api/info").status_code == 400  # a foreign Host header is refused


def test_the_bundled_index_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = _bundled.cache_folder()
    assert folder == tmp_path / "retrieval-lab"
    features = PixelFeatures(size=(6, 8))
    index, root, path = _bundled.bundled_index(features, folder=folder, progress=False)
    assert path.parent == folder and path.is_file()
    assert index.ids == sorted(p.name for p in root.iterdir() if p.suffix == ".jpg")
    built = path.stat().st_mtime_ns
    again, _, same = _bundled.bundled_index(features, folder=folder, progress=False)
    assert same == path and path.stat().st_mtime_ns == built  # loaded, not rebuilt
    assert (again.vectors == index.vectors).all()
    other = _bundled.cache_file(PixelFeatures(size=(6, 9)), "cosine", folder)
    assert other != path  # other settings, another file
    path.write_bytes(b"damaged")
    repaired, _, _ = _bundled.bundled_index(features, folder=folder, progress=False)
    assert len(repaired) == 12
