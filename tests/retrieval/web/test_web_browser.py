"""The web explorer in a real browser: headless Chromium driven by selenium.

One server for the module (a pixel index of the bundled photos, so searches are instant);
each test opens a page, does what a student would do and checks what appears. A screenshot
of each page goes to a temporary folder; with ``RETRIEVAL_SCREENSHOTS=docs/img`` they go
there instead, taken over the bundled photos' CNN index (the README's pictures)::

    RETRIEVAL_SCREENSHOTS=docs/img python -m pytest tests/retrieval/web/test_web_browser.py
"""

import os
import pathlib
import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="browser tests need Debian's chromium and chromium-driver on PATH "
    "(apt-get install -y chromium chromium-driver; .ci/run installs them)")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from retrieval.web import Explorer, bundled_index, create_app  # noqa: E402
from retrieval.web._server import running  # noqa: E402

README_PICTURES = os.environ.get("RETRIEVAL_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(explorer):
    if README_PICTURES:  # the README's pictures: the bundled photos' CNN index
        index, photos, _ = bundled_index(progress=False)
        explorer = Explorer(index, root=photos, bases=[photos])
    with running(create_app(explorer)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--force-device-scale-factor=1"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = pathlib.Path(README_PICTURES) if README_PICTURES else \
        tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait(browser, condition, seconds=30):
    return WebDriverWait(browser, seconds).until(condition)


def shown(css):
    return ready.visibility_of_element_located((By.CSS_SELECTOR, css))


def texts(browser, css):
    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, css)]


def screenshot(browser, path):
    """Save the page from its top, with no element hovered or focused."""
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "header")).perform()
    browser.save_screenshot(str(path))


def no_error(browser):
    assert not browser.find_element(By.ID, "error").is_displayed(), \
        browser.find_element(By.ID, "error").text


def test_search_by_clicking_a_photo_then_a_result(server, browser, shots, photos):
    browser.get(server + "/")
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "#tiles .tile")) == 12)
    assert "page 1 of 1 (12 images)" in browser.find_element(By.ID, "page-label").text
    browser.find_element(By.CSS_SELECTOR, '#tiles .tile[data-id="chelsea.jpg"]').click()
    wait(browser, shown("#hits .hit"))
    no_error(browser)
    hits = browser.find_elements(By.CSS_SELECTOR, "#hits .hit")
    assert len(hits) == 12
    assert hits[0].get_attribute("data-id") == "chelsea.jpg"
    assert texts(browser, "#hits .hit .rank")[:3] == ["#1", "#2", "#3"]
    assert texts(browser, "#hits .hit .score")[0] == "1.0000"  # the photo itself, cosine 1
    title = browser.find_element(By.ID, "results-title").text
    assert title == "Top 12 by cosine (higher is better)"
    assert "CNN features" in browser.find_element(By.ID, "results-note").text or \
        "raw pixels" in browser.find_element(By.ID, "results-note").text
    assert browser.execute_script(  # thumbnails really loaded
        "return [...document.querySelectorAll('#hits img')].every(i => i.naturalWidth > 0)")
    screenshot(browser, shots / "web_search.png")
    second = hits[1].get_attribute("data-id")
    hits[1].click()  # search again from a result
    wait(browser, lambda b: b.find_element(By.ID, "query-name").text == f"query: {second}")
    wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#hits .hit").get_attribute(
        "data-id") == second)


def test_search_by_uploading_a_photo(server, browser, photos):
    browser.get(server + "/")
    wait(browser, shown("#tiles .tile"))
    coffee = next(p for p in photos if p.name == "coffee.jpg")
    browser.find_element(By.ID, "query-file").send_keys(str(coffee))
    wait(browser, lambda b: b.find_element(By.ID, "query-name").text.endswith("(uploaded)"))
    no_error(browser)
    assert browser.find_element(By.ID, "query-name").text == "query: coffee.jpg (uploaded)"
    first = browser.find_element(By.CSS_SELECTOR, "#hits .hit")
    assert first.get_attribute("data-id") == "coffee.jpg"


def test_a_file_that_is_not_an_image_gets_a_message(server, browser, tmp_path):
    browser.get(server + "/")
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a picture")
    browser.find_element(By.ID, "query-file").send_keys(str(notes))
    wait(browser, shown("#error"))
    assert "not an image the library can read" in browser.find_element(By.ID, "error").text


def test_match_by_dragging_a_box(server, browser, shots, photos):
    browser.get(server + "/match")
    coffee = next(p for p in photos if p.name == "coffee.jpg")
    browser.find_element(By.ID, "image-file").send_keys(str(coffee))
    overlay = wait(browser, shown("#overlay"))
    wait(browser, lambda b: overlay.size["width"] > 100)
    ActionChains(browser).move_to_element_with_offset(overlay, -90, -60).click_and_hold() \
        .move_by_offset(70, 55).release().perform()
    label = browser.find_element(By.ID, "box-label").text
    box = re.fullmatch(r"template: the box at row (\d+), col (\d+), (\d+)×(\d+) pixels", label)
    assert box, label
    row, col, height, width = map(int, box.groups())
    assert height > 20 and width > 20
    browser.find_element(By.ID, "k").clear()
    browser.find_element(By.ID, "k").send_keys("3")
    browser.find_element(By.ID, "find").click()
    wait(browser, shown("#boxes li"))
    no_error(browser)
    matches = texts(browser, "#boxes li")
    assert len(matches) == 3
    assert matches[0] == f"row {row}, col {col}, {height}×{width}: score 1.0000"
    assert browser.find_element(By.ID, "heatmap").get_attribute("src").startswith(
        "data:image/png;base64,")
    caption = browser.find_element(By.ID, "heat-caption").text
    assert caption.startswith(f"score map {341 - height + 1}×{512 - width + 1} ")
    assert "higher is better" in browser.find_element(By.ID, "found-title").text
    screenshot(browser, shots / "web_match.png")


def test_classify_a_photo(server, browser, shots, photos):
    browser.get(server + "/classify")
    coffee = next(p for p in photos if p.name == "coffee.jpg")
    browser.find_element(By.ID, "photo-file").send_keys(str(coffee))
    wait(browser, shown("#bars li"))
    no_error(browser)
    labels = texts(browser, "#bars .label")
    assert len(labels) == 5 and labels[0] == "espresso"
    percents = [float(text.rstrip("%")) for text in texts(browser, "#bars .percent")]
    assert percents == sorted(percents, reverse=True) and percents[0] > 50
    widths = browser.execute_script(
        "return [...document.querySelectorAll('#bars .bar')].map(b => b.offsetWidth)")
    assert widths == sorted(widths, reverse=True) and widths[0] > 5 * widths[-1]
    screenshot(browser, shots / "web_classify.png")
