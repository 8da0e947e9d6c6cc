"""Exceptions raised by :mod:`linalg_basics`.

Both subclass :class:`ValueError`, so ``except ValueError`` catches them too.

>>> issubclass(ShapeError, ValueError) and issubclass(StatisticsError, ValueError)
True
"""

__all__ = ["ShapeError", "StatisticsError"]


class ShapeError(ValueError):
    """Vectors or matrices whose sizes do not fit the operation.

    The message names the operation, what it needed and what it received, e.g.
    ``matrix_multiplication needs columns of A (3) == rows of B (2)``.
    """


class StatisticsError(ValueError):
    """Data for which a statistic is undefined (empty, too short, constant, NaN)."""
