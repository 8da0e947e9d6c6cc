"""``retrieval background``: the still background and the moving foreground of a video.

Reads the frames of a video file, an animated GIF or a folder of images (``load_frames``),
splits them with ``svd_background`` (robust by default) and ``foreground_mask``, and writes
into the output folder: ``background.png`` (one picture), ``mask.gif`` (the foreground mask of
every frame, white on black, 10 frames a second; identical consecutive masks are stored once
and shown longer) and ``figure.png`` (three frames with their background, foreground and
mask, as in chapter 3 of the docs).
"""

from __future__ import annotations

import argparse
import pathlib
from typing import Any

import numpy as np

from ._common import CommandError, add_command, positive_int, progress

MIN_FRAMES = 3
_PLOT_EXTRA = 'the figure needs matplotlib: pip install "retrieval-lab[plot]" (or --no-figure)'


def register(commands: Any) -> None:
    from imageops.background import METHODS

    background = add_command(
        commands, "background",
        "split a still-camera video into its background picture and a moving-foreground mask",
        "  retrieval background street.avi -o out/\n"
        "  retrieval background frames/ -o out/ --size 240 320 --step 2\n"
        "  retrieval background clip.gif -o out/ --method randomized --no-figure\n")
    background.add_argument("source", metavar="VIDEO_OR_FOLDER",
                            help="a video file (needs the video extra), an animated image or a "
                                 "folder of frames sorted by name")
    background.add_argument("-o", "--output", required=True, metavar="DIR",
                            help="folder for background.png, mask.gif and figure.png")
    background.add_argument("--method", choices=METHODS, default="robust",
                            help="background fit (default: %(default)s; randomized and full "
                                 "are the plain SVD, which leaves ghosts of moving objects)")
    background.add_argument("--rank", type=positive_int, default=1,
                            help="singular values kept for the background (default: 1)")
    background.add_argument("--size", type=positive_int, nargs=2, metavar=("HEIGHT", "WIDTH"),
                            help="resize every frame (needed when the frames differ in size)")
    background.add_argument("--gray", action="store_true", help="work on gray frames")
    background.add_argument("--step", type=positive_int, default=1,
                            help="keep every STEP-th frame (default: 1)")
    background.add_argument("--max-frames", type=positive_int, metavar="N",
                            help="stop after N frames (after --step)")
    background.add_argument("--min-noise", type=float, default=2.0, metavar="LEVELS",
                            help="least noise deviation of the mask rule, in gray levels "
                                 "(default: 2; compressed video erases the noise where "
                                 "nothing moves but not around what moves)")
    background.add_argument("--no-figure", action="store_true", help="do not draw figure.png")
    background.set_defaults(run=run)


def _frames(args: argparse.Namespace) -> np.ndarray:
    from imageops import load_frames

    if not pathlib.Path(args.source).exists():
        raise CommandError(f"video or folder not found: {args.source}")
    try:
        frames = load_frames(args.source, size=tuple(args.size) if args.size else None,
                             gray=args.gray, step=args.step, max_frames=args.max_frames)
    except ValueError as error:
        if "pass size=" in str(error):                   # frames of different sizes
            message = str(error).split(";")[0]
            raise CommandError(f"{message}; pass --size HEIGHT WIDTH to resize them all") \
                from None
        raise
    needed = max(MIN_FRAMES, args.rank + 1)
    if len(frames) < needed:
        raise CommandError(f"needs at least {needed} frames to tell the background from what "
                           f"moves; {args.source} gave {len(frames)}")
    return frames


def _save_gif(masks: np.ndarray, path: pathlib.Path) -> None:
    from PIL import Image

    pictures = [Image.fromarray(mask.astype(np.uint8) * 255) for mask in masks]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=100, loop=0)


def _figure(frames: np.ndarray, split: Any, masks: np.ndarray, path: pathlib.Path) -> None:
    import matplotlib.pyplot as plt

    from ..plot import save_figure

    magnitude = np.abs(split.foreground) if frames.ndim == 3 else \
        np.linalg.norm(split.foreground, axis=-1)
    top = max(float(np.percentile(magnitude, 99.9)), 1e-6)
    picks = sorted({len(frames) // 6, len(frames) // 2, 5 * len(frames) // 6})
    figure, axes = plt.subplots(len(picks), 4, figsize=(12, 2.6 * len(picks) + 0.4),
                                layout="constrained", squeeze=False)
    figure.suptitle(f"{len(frames)} frames: background = the low-rank part of the frames, "
                    f"foreground = frame − background", fontsize=11)
    background = split.image
    for row, t in zip(axes, picks, strict=True):
        panels = [(frames[t], f"frame {t}", None), (background, "background picture", None),
                  (magnitude[t], "|foreground|", top),
                  (masks[t], f"foreground_mask: {masks[t].mean():.1%} of pixels", 1)]
        for ax, (image, title, vmax) in zip(row, panels, strict=True):
            ax.imshow(image, cmap="gray", vmin=0, vmax=vmax)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    save_figure(figure, path, dpi=80)


def run(args: argparse.Namespace) -> int:
    from imageops import foreground_mask, noise_level, save_image, svd_background

    if not args.no_figure:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CommandError(_PLOT_EXTRA) from None
    frames = _frames(args)
    outdir = pathlib.Path(args.output)
    outdir.mkdir(parents=True, exist_ok=True)
    split = svd_background(frames, rank=args.rank, method=args.method, progress=progress(args))
    masks = foreground_mask(split.foreground, min_noise=args.min_noise)
    written = [outdir / "background.png", outdir / "mask.gif"]
    save_image(written[0], split.image)
    _save_gif(masks, written[1])
    if not args.no_figure:
        written.append(outdir / "figure.png")
        _figure(frames, split, masks, written[2])
    print(f"{len(frames)} frames of {frames.shape[1]}x{frames.shape[2]}: noise deviation "
          f"{noise_level(split.foreground):.2f}, foreground {masks.mean():.2%} of the pixels")
    for path in written:
        print(f"wrote {path}")
    return 0
