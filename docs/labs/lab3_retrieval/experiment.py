"""Lab 3's experiment: search the bundled photos with pixels and with CNN features.

Every query is one of the photos bundled with ``retrieval`` (``retrieval.data``); the database
holds three changed copies of each: twice as bright, 50 levels brighter, and mirrored left to
right. A query's relevant images are its own three copies. Run it with your lab file::

    python experiment.py              # uses lab3.py next to this file
    LAB_SUBMISSION=alice.py python experiment.py

It first runs the lab's checks (``test_lab3.py`` without the photo experiment) on your file:
while one fails, the numbers it prints cannot be trusted, and it says so above and below the
table. Then it prints the mean average precision (mAP) of three searches: raw pixels ranked by
L1 distance, raw pixels ranked by cosine similarity, and CNN features (EfficientNet-Lite0)
ranked by cosine similarity.
"""

import pathlib
import sys

import numpy as np

from imageops import load_image, mirror_left_right
from retrieval import CNNFeatures
from retrieval.data import sample_photo

HERE = pathlib.Path(__file__).resolve().parent
PHOTOS = ("astronaut", "brick", "camera", "cell", "chelsea", "clock", "coffee", "rocket")
SIZE = (64, 64)
CHANGES = ("x2", "plus50", "mirror")


def _changed(image, change):
    pixels = image.astype(np.float64)
    if change == "x2":
        return np.clip(2 * pixels, 0, 255).astype(np.uint8)
    if change == "plus50":
        return np.clip(pixels + 50, 0, 255).astype(np.uint8)
    return mirror_left_right(image)


def photo_database(names=PHOTOS, size=SIZE):
    """The queries, the database and each query's relevant database rows.

    Returns
    -------
    queries : numpy.ndarray of uint8, shape (Q, height, width, 3)
    database : numpy.ndarray of uint8, shape (3 Q, height, width, 3)
    relevant : list of set of int
        ``relevant[i]`` holds the database rows made from query ``i``.
    """
    queries = np.stack([load_image(sample_photo(name), size=size) for name in names])
    database, relevant = [], []
    for query in queries:
        rows = set()
        for change in CHANGES:
            rows.add(len(database))
            database.append(_changed(query, change))
        relevant.append(rows)
    return queries, np.stack(database), relevant


def cnn_features(images):
    """EfficientNet-Lite0 features, average-pooled: one float32 row of 1280 per image."""
    return CNNFeatures("efficientnet_lite0").extract(images, progress=False)


def sanity_checks(submission):
    """Run the lab's tests on ``submission``, all but the photo experiment: a ``Checks``."""
    from linalg_basics.testing.grade import run_checks

    return run_checks(HERE / "test_lab3.py", submission,
                      deselect=["test_experiment_on_photos"])


def main():
    from linalg_basics.testing import SubmissionError, load_submission

    lab = load_submission(HERE / "lab3.py")
    checks = sanity_checks(lab.__file__)
    print(checks.verdict())
    try:
        pixel_features = lab.pixel_features
    except SubmissionError as error:
        print(error)
        return 1
    queries, database, relevant = photo_database()
    pixels_q, pixels_db = pixel_features(queries), pixel_features(database)
    cnn_q, cnn_db = cnn_features(queries), cnn_features(database)
    print(f"\n{len(queries)} queries, {len(database)} database images of {SIZE[0]}x{SIZE[1]}")
    for name, q, db, rank in [
        ("pixels, L1 distance", pixels_q, pixels_db, lab.l1_ranking),
        ("pixels, cosine similarity", pixels_q, pixels_db, lab.cosine_ranking),
        ("CNN features, cosine similarity", cnn_q, cnn_db, lab.cosine_ranking),
    ]:
        print(f"{name:34s} mAP = {lab.evaluate(q, db, relevant, rank):.3f}")
    if checks.failed or checks.problem:
        print("\n(made with functions that fail their checks: do not trust these numbers)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
