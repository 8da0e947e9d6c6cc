"""Private: find which of a submission's own functions a wrong answer comes through.

A student's ``mean_average_precision`` may be right and still fail because the student's
``average_precision``, which it calls, is wrong. To tell the two apart the function is called
again with the submission's other functions replaced by reference ones, for that one call.
"""

from __future__ import annotations

import types


def helpers_called(candidate, helpers, own_name):
    """Names in ``helpers`` that ``candidate`` calls, directly or through its module's code.

    Only functions defined in the candidate's own module count (the submission's), and the
    search follows them: ``std_dev -> variance -> mean`` lists both ``variance`` and ``mean``.
    """
    namespace = getattr(candidate, "__globals__", None)
    if namespace is None:
        return []
    seen, todo = set(), [candidate]
    while todo:
        for name in _global_names(getattr(todo.pop(), "__code__", None)):
            function = namespace.get(name)
            if name not in seen and getattr(function, "__globals__", None) is namespace:
                seen.add(name)
                todo.append(function)
    return [name for name in helpers if name in seen and name != own_name]


def _global_names(code):
    """The global names used by a code object and the code nested in it (comprehensions)."""
    if code is None:
        return set()
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def call_with(candidate, replacements, call):
    """``call()`` while the candidate's module sees ``replacements`` instead of its own names."""
    namespace = candidate.__globals__
    saved = {name: namespace[name] for name in replacements}
    namespace.update(replacements)
    try:
        return call()
    finally:
        namespace.update(saved)


def culprits(candidate, helpers, own_name, agrees):
    """The helpers through which alone ``candidate`` goes wrong, or () if it is wrong itself.

    ``agrees()`` calls the candidate and says whether its answer is the expected one. If it
    agrees with every helper it calls replaced by the reference, the helpers that fix it on
    their own are named, without those that only call a named one (``std_dev -> variance ->
    mean`` with a wrong ``mean``: ``mean``); all of them if none does alone.
    """
    called = helpers_called(candidate, helpers, own_name)
    if not called:
        return ()
    if not call_with(candidate, {name: helpers[name] for name in called}, agrees):
        return ()
    alone = [name for name in called if call_with(candidate, {name: helpers[name]}, agrees)]
    # a helper that is right but calls a wrong one fixes the answer too: name the root only
    namespace = candidate.__globals__
    roots = [name for name in alone
             if not set(helpers_called(namespace[name], helpers, name)) & set(alone)]
    return tuple(roots or alone or called)
