"""How a failed lab check speaks: the call, the expected answer and the received one.

Every check in :mod:`linalg_basics.testing`, and every instructor check built on it, fails
with one of these AssertionErrors, so pytest shows a student the same three lines each time
(and a grader can read them back, see :mod:`linalg_basics.testing.grade`).
"""

from __future__ import annotations

__all__ = ["CounterexampleFound", "SubmissionError"]

_LONGEST = 400  # characters of an array shown in full; longer ones are shown by shape


class CounterexampleFound(AssertionError):
    """A candidate disagreed with the reference.

    Attributes
    ----------
    function_name : str
    arguments : tuple
        The (smallest found) arguments.
    expected, received : object
        The reference's and the candidate's answers (an exception if one was raised).
    note : str or None
        A last line of explanation, e.g. which answers are also accepted.
    culprits : tuple of str
        Other functions of the submission through which alone it fails: with the reference
        versions of these it gives the expected answer, so they are the ones to fix first.

    Examples
    --------
    >>> import numpy as np
    >>> print(CounterexampleFound("pixel_features", (np.zeros((1, 1, 2), np.uint8),),
    ...                           np.zeros((1, 2), np.float32), np.zeros((1, 2), np.uint8)))
    pixel_features gives a wrong answer.
      smallest failing call: pixel_features(np.array([[[0, 0]]], dtype=np.uint8))
      expected: np.array([[0.0, 0.0]], dtype=np.float32)
      received: np.array([[0, 0]], dtype=np.uint8)
    """

    def __init__(self, function_name, arguments, expected, received, *, note=None,
                 culprits=()):
        self.function_name = function_name
        self.arguments = tuple(arguments)
        self.expected = expected
        self.received = received
        self.note = note
        self.culprits = tuple(culprits)
        call = f"{function_name}({', '.join(show(a) for a in self.arguments)})"
        lines = [f"{function_name} gives a wrong answer."]
        if self.culprits:
            helpers = " and ".join(self.culprits)
            lines = [
                f"{function_name} gives a wrong answer only through {helpers}, which it calls: "
                f"fix {helpers} first.",
                f"  (with the reference {helpers}, {function_name} gives the expected answer)",
            ]
        lines += [
            f"  smallest failing call: {call}",
            f"  expected: {describe(expected)}",
            f"  received: {describe(received)}",
        ]
        if note:
            lines.append(f"  note: {note}")
        super().__init__("\n".join(lines))


class SubmissionError(AssertionError):
    """A submission that does not import: every use of it fails with this one line.

    The message reads ``<file> does not import: SyntaxError line 3: invalid syntax``, so an
    instructor grading a folder of files sees why a file scores nothing.
    """


for _cls in (CounterexampleFound, SubmissionError):
    _cls.__module__ = "linalg_basics.testing"  # their public home, as tracebacks show


def describe(value):
    """An answer as shown after ``expected:``/``received:``: a value, or the error raised."""
    if isinstance(value, BaseException):
        text = str(value)
        return f"an error: {type(value).__name__}" + (f": {text}" if text else "")
    return show(value)


def show(value):
    """``repr`` of a value, with NumPy arrays as the one line that rebuilds them.

    ``np.array([[0, 1]], dtype=np.uint8)`` can be pasted into a prompt (after ``import numpy
    as np``); an array whose list would be longer than a few lines is shown by its shape.
    """
    if isinstance(value, (list, tuple)) and any(_is_array(v) for v in value):
        inside = ", ".join(show(v) for v in value)
        return f"[{inside}]" if isinstance(value, list) else f"({inside}{',' * (len(value) == 1)})"
    if callable(value) and hasattr(value, "__name__") and not isinstance(value, type):
        return value.__name__  # a function passed in, by its name
    if not _is_array(value):
        text = repr(value)
        if "\n" in text and not isinstance(value, (list, tuple, dict, set, str)):
            return f"<{type(value).__name__}>"  # e.g. a model, whose repr is a table
        return text
    listed = repr(value.tolist())
    if len(listed) > _LONGEST:
        return f"<an array of shape {tuple(value.shape)}, dtype {value.dtype}>"
    return f"np.array({listed}, dtype=np.{value.dtype})"


def _is_array(value):
    return (type(value).__module__ == "numpy" and hasattr(value, "tolist")
            and getattr(value, "ndim", 0) > 0)
