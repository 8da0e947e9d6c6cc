"""Make every figure of the docs: ``python docs/make_figures.py [NAME ...]``.

Each module in ``docs/figures/`` defines ``make(outdir)`` that writes its PNG files into
``outdir`` (``docs/img``) and returns their paths. Figures are committed, so the docs read
well on a site that cannot run code; run this script again after changing a figure module.
"""

from __future__ import annotations

import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
OUTDIR = HERE / "img"


def main(names: list[str]) -> int:
    import matplotlib

    matplotlib.use("Agg")
    OUTDIR.mkdir(exist_ok=True)
    sys.path.insert(0, str(HERE))
    modules = sorted(p.stem for p in (HERE / "figures").glob("fig_*.py"))
    for name in modules:
        if names and name not in names and name.removeprefix("fig_") not in names:
            continue
        module = importlib.import_module(f"figures.{name}")
        for path in module.make(OUTDIR):
            print(pathlib.Path(path).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
