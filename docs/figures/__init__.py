"""Figure modules for docs/make_figures.py: each defines make(outdir) -> list of paths."""
