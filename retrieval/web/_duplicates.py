"""An adapter from ``ImageIndex.find_duplicates`` to the groups the duplicates page shows.

The page needs groups of ids with a score each. ``find_duplicates`` may give groups, pairs or
both, as objects with attributes, dicts or tuples; :func:`duplicate_groups` accepts each of
these and, from pairs alone, joins pairs that share an image into one group.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..similarity import higher_is_better


def supports_duplicates(index: Any) -> bool:
    """True when the index can look for near-duplicates (``index.find_duplicates``)."""
    return callable(getattr(index, "find_duplicates", None))


def duplicate_groups(index: Any, threshold: float | None = None) -> list[dict[str, Any]]:
    """The near-duplicate groups of an index, largest first: ``{"ids": [...], "score": s}``.

    ``score`` is the best pair score inside the group (None when the index gave none);
    "best" follows the index's metric (``retrieval.similarity.higher_is_better``).

    Examples
    --------
    >>> class Index:
    ...     metric = "cosine"
    ...     def find_duplicates(self, threshold=None):
    ...         return [("a", "b", 0.99), ("b", "c", 0.97), ("x", "y", 0.95)]
    >>> duplicate_groups(Index())
    [{'ids': ['a', 'b', 'c'], 'score': 0.99}, {'ids': ['x', 'y'], 'score': 0.95}]
    """
    found = index.find_duplicates(threshold=threshold)
    groups = _field(found, "groups")
    if groups is None:
        pairs = _field(found, "pairs")
        items = list(found if pairs is None else pairs)
        if items and all(_is_group(item) for item in items) and pairs is None:
            groups = items
        else:
            higher = higher_is_better(getattr(index, "metric", "cosine"))
            groups = _join_pairs([_pair(item) for item in items], higher)
    out = [_group(group) for group in groups]
    return sorted(out, key=lambda group: -len(group["ids"]))


def _field(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def _is_group(item: Any) -> bool:
    """A group: something with ids, or a list of id strings (not an (a, b, score) pair)."""
    if _field(item, "ids") is not None:
        return True
    return isinstance(item, (list, tuple)) and all(isinstance(i, str) for i in item)


def _pair(item: Any) -> tuple[str, str, float | None]:
    for first, second in (("a", "b"), ("first", "second"), ("id1", "id2"), ("left", "right")):
        a, b = _field(item, first), _field(item, second)
        if a is not None and b is not None:
            return str(a), str(b), _score(_field(item, "score"))
    a, b, *rest = item
    return str(a), str(b), _score(rest[0] if rest else None)


def _score(value: Any) -> float | None:
    return None if value is None else float(value)


def _group(group: Any) -> dict[str, Any]:
    ids = _field(group, "ids")
    if ids is None:  # a plain list of ids
        return {"ids": [str(i) for i in group], "score": None}
    return {"ids": [str(i) for i in ids], "score": _score(_field(group, "score"))}


def _join_pairs(pairs: Iterable[tuple[str, str, float | None]],
                higher: bool) -> list[dict[str, Any]]:
    """Union-find over the pairs: images linked by any chain of pairs share a group."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    best: dict[str, float | None] = {}
    pairs = list(pairs)
    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    members: dict[str, list[str]] = {}
    for a, b, score in pairs:
        root = find(a)
        for node in (a, b):
            if node not in members.setdefault(root, []):
                members[root].append(node)
        if score is not None:
            old = best.get(root)
            best[root] = score if old is None else (max if higher else min)(old, score)
    return [{"ids": ids, "score": best.get(root)} for root, ids in members.items()]
