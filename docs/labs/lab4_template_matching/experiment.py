"""Lab 4's experiment: find a cat's eye with your functions, and look at the picture.

The template is the eye on the right of the bundled photo "chelsea" (150 x 225, gray), made
20 % brighter and 10 levels lighter. Your ``correlation_map`` scores every position and your
``find_template`` picks the best; ``retrieval.plot.plot_matches`` draws the photo with your box,
your score map and the template into a PNG file. Run it with your lab file::

    python experiment.py                      # uses lab4.py next to this file
    LAB_SUBMISSION=alice.py python experiment.py alice_matches.png

It first runs the lab's checks (``test_lab4.py`` without the CNN test) on your file: while one
fails, the picture cannot be trusted, and it says so. Then open the picture and look: the green
box should sit on the eye, on the brightest spot of the score map.
"""

import pathlib
import sys

import numpy as np

from imageops import load_image
from retrieval.data import sample_photo

HERE = pathlib.Path(__file__).resolve().parent
CUT_AT = (44, 146)  # where the eye is cut from the photo
SIDE = 32


def photo_and_eye():
    """The gray photo (float, 150 x 225) and the brighter eye cut from it (32 x 32)."""
    photo = load_image(sample_photo("chelsea"), size=(150, 225), mode="L").astype(np.float64)
    row, col = CUT_AT
    eye = np.clip(1.2 * photo[row:row + SIDE, col:col + SIDE] + 10, 0, 255)
    return photo, eye


def sanity_checks(submission):
    """Run the lab's tests on ``submission``, all but the CNN one: a ``Checks``."""
    from linalg_basics.testing.grade import run_checks

    return run_checks(HERE / "test_lab4.py", submission,
                      deselect=["test_locate_with_features"])


def main(argv=None):
    import matplotlib

    matplotlib.use("Agg")
    from linalg_basics.testing import SubmissionError, load_submission
    from retrieval.plot import plot_matches

    argv = sys.argv[1:] if argv is None else argv
    picture = pathlib.Path(argv[0] if argv else "lab4_matches.png")
    lab = load_submission(HERE / "lab4.py")
    checks = sanity_checks(lab.__file__)
    print(checks.verdict("the picture"))
    photo, eye = photo_and_eye()
    try:
        scores = np.asarray(lab.correlation_map(photo, eye), dtype=np.float64)
        row, col = (int(x) for x in lab.find_template(photo, eye))
    except SubmissionError as error:
        print(error)
        return 1
    inside = 0 <= row < scores.shape[0] and 0 <= col < scores.shape[1]
    score = float(scores[row, col]) if inside else float("nan")
    print(f"\nfind_template: ({row}, {col}), score {score:.3f}; the eye was cut at {CUT_AT}")
    figure = plot_matches(photo, scores, [(row, col, SIDE, SIDE, score)], eye,
                          title=f"{pathlib.Path(lab.__file__).name}: the brighter eye")
    figure.savefig(picture, dpi=80)
    print(f"Look at {picture}: the green box should sit on the eye, on the brightest spot "
          "of the score map.")
    if checks.failed or checks.problem:
        print("(drawn with functions that fail their checks: do not trust this picture)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
