"""The web explorer's JSON endpoints: the same answers as the Python API, and safe."""

import io
import json
import struct
import threading
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from imageops import load_image
from retrieval import (
    ImageIndex,
    PixelFeatures,
    find_matches,
    load_model,
    match_features,
    match_template,
)
from retrieval.web import Explorer, create_app
from retrieval.web._heatmap import colourise

starlette_testclient = pytest.importorskip("starlette.testclient")


@pytest.fixture(scope="module")
def client(explorer):
    with starlette_testclient.TestClient(create_app(explorer)) as client:
        yield client


def _png(image):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def _decoded_png(data_url):
    import base64

    return np.array(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))))


# ---------------------------------------------------------------- pages and the index


def test_pages_render_with_the_index_named(client, explorer):
    for path, heading in [("/", "Search"), ("/match", "Template matching"),
                          ("/classify", "Classify")]:
        page = client.get(path)
        assert page.status_code == 200
        assert f"<h1>{heading}</h1>" in page.text
        assert "12 images" in page.text and "raw pixels (24×32, colour)" in page.text
        assert "http://" not in page.text and "https://" not in page.text  # nothing external
        assert "script-src" not in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_static_files_are_served_and_fetch_nothing_from_outside(client):
    for name in ("common.js", "search.js", "match.js", "classify.js", "style.css"):
        answer = client.get(f"/static/{name}")
        assert answer.status_code == 200 and len(answer.text) > 200
        assert "http://" not in answer.text and "https://" not in answer.text


def test_page_of_ids(client, pixel_index):
    answer = client.get("/api/images", params={"page": 2, "per_page": 5}).json()
    assert answer["images"][0]["id"] == pixel_index.ids[5]
    assert (answer["page"], answer["pages"], answer["total"]) == (2, 3, 12)
    assert all(image["has_image"] for image in answer["images"])
    bad = client.get("/api/images", params={"page": 9})
    assert bad.status_code == 400 and "page must be between 1 and 1" in bad.json()["error"]


# ---------------------------------------------------------------- search


def test_search_from_an_indexed_image_equals_the_python_api(client, pixel_index, photos):
    answer = client.get("/api/search", params={"id": "coffee.jpg", "k": 4}).json()
    expected = pixel_index.search(str(photos[[p.name for p in photos].index("coffee.jpg")]), k=4)
    assert [hit["id"] for hit in answer["hits"]] == expected.ids
    np.testing.assert_allclose([hit["score"] for hit in answer["hits"]], expected.scores,
                               rtol=1e-6)
    assert [hit["rank"] for hit in answer["hits"]] == [1, 2, 3, 4]
    assert (answer["metric"], answer["direction"]) == ("cosine", "higher is better")
    assert answer["extractor"] == "raw pixels (24×32, colour)"


def test_search_from_an_upload_equals_the_python_api(client, pixel_index, photos):
    path = photos[3]
    answer = client.post("/api/search", files={"image": (path.name, path.read_bytes())},
                         data={"k": "5"}).json()
    expected = pixel_index.search(str(path), k=5)
    assert [hit["id"] for hit in answer["hits"]] == expected.ids
    assert [hit["score"] for hit in answer["hits"]] == pytest.approx(expected.scores, rel=1e-6)
    assert answer["query"] == {"upload": path.name}


def test_distance_index_says_lower_is_better(photos):
    index = ImageIndex(PixelFeatures(size=(8, 8)), metric="l1")
    index.add([str(p) for p in photos[:4]], ids=[p.name for p in photos[:4]])
    client = starlette_testclient.TestClient(create_app(Explorer(index, bases=[photos[0].parent])))
    answer = client.get("/api/search", params={"id": photos[0].name, "k": 2}).json()
    assert answer["direction"] == "lower is better" and answer["higher_is_better"] is False
    assert answer["hits"][0]["score"] == 0.0
    assert "l1 (lower is better)" in client.get("/").text


@pytest.mark.parametrize("params, message", [
    ({"id": "nothing.jpg"}, "no image with id 'nothing.jpg'"),
    ({"id": "coffee.jpg", "k": "0"}, "k must be between 1 and 100"),
    ({"id": "coffee.jpg", "k": "many"}, "k must be a whole number"),
])
def test_bad_searches_get_a_message(client, params, message):
    answer = client.get("/api/search", params=params)
    assert answer.status_code in (400, 404)
    assert message in answer.json()["error"]


# ---------------------------------------------------------------- uploads


def test_a_non_image_upload_gets_a_clear_message(client):
    answer = client.post("/api/search", files={"image": ("notes.jpg", b"not an image at all")})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("the query image is not an image the library can")
    empty = client.post("/api/classify", files={"image": ("empty.png", b"")})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    missing = client.post("/api/classify", data={"k": "5"})
    assert missing.status_code == 400 and "got no file" in missing.json()["error"]


def _bomb_png(width, height):
    """A valid 1x1 PNG whose header announces width x height pixels (a decompression bomb)."""
    data = bytearray(_png(np.zeros((1, 1, 3), dtype=np.uint8)))
    start = data.index(b"IHDR")
    data[start + 4:start + 12] = struct.pack(">II", width, height)
    data[start + 17:start + 21] = struct.pack(">I", zlib.crc32(bytes(data[start:start + 17])))
    return bytes(data)


def test_a_decompression_bomb_is_refused_before_decoding(client):
    bomb = _bomb_png(12000, 10000)  # 120 MP: under Pillow's own limit, over the explorer's
    assert len(bomb) < 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(bomb)) as picture:  # the header announces that size
            assert picture.size == (12000, 10000)
    for url in ("/api/search", "/api/classify", "/api/match"):
        answer = client.post(url, files={"image": ("bomb.png", bomb)}, data={"box": "0,0,5,5"})
        assert answer.status_code == 413
        assert "12000×10000 pixels (120 megapixels)" in answer.json()["error"]
    huge = client.post("/api/classify", files={"image": ("b.png", _bomb_png(30000, 30000))})
    assert huge.status_code == 413 and "decompression bomb" in huge.json()["error"]


def test_a_too_large_request_is_refused(explorer, photos):
    small = starlette_testclient.TestClient(create_app(explorer, max_body=10_000))
    answer = small.post("/api/search", files={"image": ("big.jpg", photos[0].read_bytes())})
    assert answer.status_code == 413 and "larger than" in answer.json()["error"]


# ---------------------------------------------------------------- files: no path traversal


@pytest.mark.parametrize("image_id", [
    "../__init__.py", "../../README.md", "/etc/passwd", "chelsea.jpg/../../__init__.py",
    "..%2F__init__.py", "", "PROVENANCE.md",
])
def test_only_index_images_are_served(client, image_id):
    answer = client.get("/image", params={"id": image_id})
    assert answer.status_code == 404
    assert "error" in answer.json()


def test_static_route_does_not_leave_its_folder(client):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        assert client.get(path).status_code == 404


def test_indexed_files_outside_the_root_are_not_served(tmp_path, photos):
    inside, outside = tmp_path / "photos", tmp_path / "secret"
    inside.mkdir()
    outside.mkdir()
    image = (photos[0].read_bytes())
    (inside / "a.jpg").write_bytes(image)
    (outside / "b.jpg").write_bytes(image)
    (inside / "link.jpg").symlink_to(outside / "b.jpg")
    index = ImageIndex(PixelFeatures(size=(4, 4)))
    index.add([str(inside / "a.jpg"), str(outside / "b.jpg"), str(inside / "link.jpg")],
              ids=["a.jpg", "../secret/b.jpg", "link.jpg"])
    client = starlette_testclient.TestClient(
        create_app(Explorer(index, root=inside, bases=[inside])))
    assert client.get("/image", params={"id": "a.jpg"}).content == image
    for image_id in ("../secret/b.jpg", "link.jpg"):
        answer = client.get("/image", params={"id": image_id})
        assert answer.status_code == 404 and "inside the image root" in answer.json()["error"]


def test_the_image_and_its_thumbnail(client, photos):
    answer = client.get("/image", params={"id": "chelsea.jpg"})
    assert answer.content == (photos[0].parent / "chelsea.jpg").read_bytes()
    assert answer.headers["x-content-type-options"] == "nosniff"
    thumb = client.get("/image", params={"id": "chelsea.jpg", "thumb": "1"})
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 256


# ---------------------------------------------------------------- match and classify


def test_match_a_box_equals_the_python_api(client, photos):
    path = photos[[p.name for p in photos].index("coffee.jpg")]
    image = load_image(path)
    answer = client.post("/api/match", files={"image": (path.name, path.read_bytes())},
                         data={"box": "60,120,50,70", "method": "zncc", "k": "3"}).json()
    scores = match_template(image, image[60:110, 120:190])
    expected = find_matches(scores, (50, 70), k=3)
    assert [(m["row"], m["col"], m["height"], m["width"]) for m in answer["matches"]] == \
        [(m.row, m.col, m.height, m.width) for m in expected]
    assert [m["score"] for m in answer["matches"]] == pytest.approx([m.score for m in expected])
    assert answer["matches"][0]["row"] == 60 and answer["matches"][0]["col"] == 120
    assert answer["score_map"]["shape"] == list(scores.shape)
    assert answer["score_map"]["max"] == pytest.approx(scores.max())
    heat = _decoded_png(answer["score_map"]["png"])
    np.testing.assert_array_equal(heat, colourise(scores))


def test_match_an_uploaded_template_with_cnn_features_equals_the_python_api(client, photos):
    image = load_image(photos[[p.name for p in photos].index("astronaut.jpg")], size=(160, 160))
    template = image[40:104, 56:120]
    answer = client.post("/api/match", files={"image": ("a.png", _png(image)),
                                              "template": ("t.png", _png(template))},
                         data={"method": "features", "scales": "1", "k": "1"}).json()
    expected = match_features(image, template, scales=(1.0,), k=1)
    assert answer["matches"][0]["score"] == pytest.approx(expected.matches[0].score)
    assert answer["matches"][0]["row"] == expected.matches[0].row
    assert answer["score_map"]["shape"] == list(expected.score_map.shape)
    assert answer["scale"] == 1.0


def test_match_shrinks_a_large_image_and_scales_the_box(explorer):
    from retrieval.web import _vision

    image = np.random.default_rng(0).integers(0, 256, (200, 2048, 3), dtype=np.uint8)
    answer = explorer.match(_png(image), box="40,400,60,120", k=1)
    assert answer["factor"] == 0.5 and answer["size"] == [100, 1024]
    assert answer["box"] == [20, 200, 30, 60] and answer["template_size"] == [30, 60]
    assert (answer["matches"][0]["row"], answer["matches"][0]["col"]) == (20, 200)
    assert _vision.MATCH_SIDE == 1024


@pytest.mark.parametrize("data, message", [
    ({"box": "1,2,3"}, "box must be four whole numbers"),
    ({"box": "0,0,2,2"}, "the box is too small"),
    ({}, "give a template"),
    ({"box": "0,0,20,20", "method": "sad"}, "method must be one of zncc, features"),
    ({"box": "0,0,20,20", "method": "features", "scales": "0 9"}, "scales must be 1 to 5"),
])
def test_bad_match_requests_get_a_message(client, photos, data, message):
    answer = client.post("/api/match", files={"image": ("c.jpg", photos[0].read_bytes())},
                         data=data)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_classify_equals_the_python_api(client, photos):
    path = photos[[p.name for p in photos].index("coffee.jpg")]
    answer = client.post("/api/classify", files={"image": (path.name, path.read_bytes())}).json()
    expected = load_model().classify([load_image(path)], top=5)[0]
    assert [(c["class"], c["label"]) for c in answer["classes"]] == \
        [(c, label) for c, label, _ in expected]
    assert [c["probability"] for c in answer["classes"]] == \
        pytest.approx([p for _, _, p in expected])
    assert answer["classes"][0]["label"] == "espresso"


# ---------------------------------------------------------------- errors and load


def test_a_bug_is_a_message_never_a_traceback(explorer):
    client = starlette_testclient.TestClient(
        create_app(_Broken(explorer.index)), raise_server_exceptions=False)
    answer = client.get("/api/search", params={"id": "coffee.jpg"})
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal error (RuntimeError: something broke)"
    page = client.get("/nowhere")
    assert page.status_code == 404 and "Error 404" in page.text
    assert "nothing at /nowhere: the pages are Search, Match, Classify" in page.text
    assert "Traceback" not in answer.text + page.text


class _Broken(Explorer):
    def search_id(self, *args, **kwargs):
        raise RuntimeError("something broke\nsecond line")


def test_a_quick_search_is_not_queued_behind_cnn_work(explorer, photos):
    """Both CNN threads blocked: a search from an indexed image still gets its answer."""
    release = threading.Event()
    started = threading.Semaphore(0)

    class Slow(Explorer):
        def classify(self, *args, **kwargs):
            started.release()
            release.wait(30)
            return {"model": "blocked", "classes": []}

    slow = Slow(explorer.index, root=explorer.files.root, bases=explorer.files.bases)
    with starlette_testclient.TestClient(create_app(slow, heavy_workers=2)) as client:
        threads = [threading.Thread(target=client.post, args=("/api/classify",),
                                    kwargs={"files": {"image": ("c.jpg", b"x")}})
                   for _ in range(3)]
        for thread in threads:
            thread.start()
        assert started.acquire(timeout=30) and started.acquire(timeout=30)
        answer = client.get("/api/search", params={"id": "coffee.jpg", "k": 2})
        assert not release.is_set() and answer.status_code == 200  # answered while blocked
        assert not started.acquire(timeout=0.2)  # the third CNN request waits for a thread
        release.set()
        for thread in threads:
            thread.join(30)


# ---------------------------------------------------------------- duplicates


class _WithDuplicates(ImageIndex):
    def find_duplicates(self, threshold=None):
        return [("astronaut.jpg", "brick.jpg", 0.9), ("brick.jpg", "camera.jpg", 0.8)]


def test_duplicates_view_only_when_the_index_has_find_duplicates(client, photos, pixel_index):
    assert "/duplicates" not in client.get("/").text
    assert client.get("/api/duplicates").status_code == 404
    index = _WithDuplicates(PixelFeatures(size=(4, 4)))
    index.add([str(p) for p in photos[:4]], ids=[p.name for p in photos[:4]])
    with_duplicates = starlette_testclient.TestClient(
        create_app(Explorer(index, bases=[photos[0].parent])))
    assert 'href="/duplicates"' in with_duplicates.get("/").text
    assert with_duplicates.get("/duplicates").status_code == 200
    answer = with_duplicates.get("/api/duplicates").json()
    assert answer["groups"] == [{"ids": ["astronaut.jpg", "brick.jpg", "camera.jpg"],
                                 "score": 0.9, "has_image": [True, True, True]}]
    bad = with_duplicates.get("/api/duplicates", params={"threshold": "high"})
    assert bad.status_code == 400 and "threshold must be a number" in bad.json()["error"]


@pytest.mark.parametrize("found, groups", [
    ({"groups": [{"ids": ["a", "b"], "score": 0.5}]}, [{"ids": ["a", "b"], "score": 0.5}]),
    ([["a", "b", "c"], ["d", "e"]], [{"ids": ["a", "b", "c"], "score": None},
                                    {"ids": ["d", "e"], "score": None}]),
    ([{"a": "x", "b": "y", "score": 3.0}, {"a": "y", "b": "z", "score": 1.0}],
     [{"ids": ["x", "y", "z"], "score": 1.0}]),  # l2: lower is better
])
def test_duplicates_adapter_reads_groups_or_pairs(found, groups):
    from retrieval.web._duplicates import duplicate_groups

    class Index:
        metric = "l2"

        def find_duplicates(self, threshold=None):
            return found

    assert duplicate_groups(Index()) == groups


def test_json_answers_are_plain_json(client):
    answer = client.get("/api/info")
    assert json.loads(answer.text)["images"] == 12
