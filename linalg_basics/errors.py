"""Exceptions raised by :mod:`linalg_basics`.

Both subclass :class:`ValueError`, so ``except ValueError`` catches them too.

>>> issubclass(ShapeError, ValueError) and issubclass(StatisticsError, ValueError)
True
"""

__all__ = ["ShapeError", "StatisticsError"]


class ShapeError(ValueError):
    """Vectors or matrices whose sizes do not fit the operation.

    The message names the operation, what it needed and what it received.

    Examples
    --------
    >>> from linalg_basics import matrix_multiplication
    >>> try:
    ...     matrix_multiplication([[1, 2, 3]], [[1, 2], [3, 4]])
    ... except ShapeError as error:
    ...     print(error)
    matrix_multiplication needs columns of A (3) == rows of B (2)
    """


class StatisticsError(ValueError):
    """Data for which a statistic is undefined (empty, too short, constant, NaN).

    Examples
    --------
    >>> from linalg_basics import variance
    >>> try:
    ...     variance([7], ddof=1)
    ... except StatisticsError as error:
    ...     print(error)
    variance with ddof=1 needs more than 1 data point, got 1
    """
