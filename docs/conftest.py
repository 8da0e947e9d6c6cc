"""Keep the chapters out of pytest's own doctest run: tests/test_docs_plain.py runs them.

That test runs every chapter as a reader pastes it into a plain Python prompt (fresh globals,
no ``np`` injected, no ``NUMBER`` or ``NORMALIZE_WHITESPACE``), which is stricter than the
``--doctest-glob`` run and would only repeat its cost. A chapter named on the command line is
still collected: ``pytest docs/04-filters.md`` runs it the pytest way.
"""

collect_ignore_glob = ["index.md", "0*.md", "conftest.py"]   # this file: no doctests
