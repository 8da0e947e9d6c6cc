"""The one error the web explorer raises for bad input: an HTTP status and a message."""

from __future__ import annotations


class WebError(Exception):
    """Bad input found while answering a request: shown as a message, never a traceback.

    >>> error = WebError(404, "no image with id 'x'")
    >>> error.status, str(error)
    (404, "no image with id 'x'")
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def checked(function, *args, upload: str | None = None, **kwargs):
    """``function(*args, **kwargs)``, with the library's input errors as WebError 400.

    ``upload`` names the uploaded file the function reads, for the message when it is not an
    image (``imageops.ImageFileError``).

    >>> checked(int, "12")
    12
    >>> checked(int, "twelve")
    Traceback (most recent call last):
    ...
    retrieval.web._errors.WebError: invalid literal for int() with base 10: 'twelve'
    """
    from imageops import ImageFileError

    from ..cli._common import one_line

    try:
        return function(*args, **kwargs)
    except WebError:
        raise
    except ImageFileError as error:
        if upload is None:
            raise WebError(400, one_line(error)) from None
        raise WebError(400, f"the {upload} is not an image the library can read "
                       f"({one_line(error)})") from None
    except (ValueError, TypeError, OSError) as error:
        raise WebError(400, one_line(error)) from None
