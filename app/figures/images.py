"""Images as figures, shared by pages: tiling many small images into one picture (one trace: fast to build and
to send), sample images as crisp tiles of a fixed size, and signed tiles on one colour scale (first-layer units,
conv kernels)."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import plotly.graph_objects as go

from app.figures.plain import figure
from app.figures.style import DIVERGING, LABEL, SMALL_TEXT, tidy

TILE = 96  # pixels a side of a sample image: legible from the back of the room (at least ~80)
FRAME, FRAME_GREY = 2, 0.8  # the frame around each sample tile: pixels, grey level
TILES_WIDTH = 560  # pixels a tiled figure is drawn across: the main column of a 1024 px projector
TITLE_PX = SMALL_TEXT + 6  # height of a tile's title


def png_bytes(pixels: np.ndarray, side: int | None = None) -> bytes:
    """uint8 pixels (h, w) or (h, w, 3) as a PNG file's bytes; with `side`, scaled to side x side first (nearest
    neighbour: each pixel stays a crisp square). The one place NN Lab writes a PNG."""
    from PIL import Image

    picture = Image.fromarray(pixels)
    if side is not None:
        picture = picture.resize((side, side), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def png_url(pixels: np.ndarray, side: int | None = None) -> str:
    """`png_bytes` as a data URL, for a figure's picture or a chart's hover."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels, side)).decode()


def png_image(pixels: np.ndarray) -> go.Figure:
    """An image (h, w) or (h, w, 3) of uint8 as one picture sent as a PNG (what px.imshow(binary_string=True)
    sends, built directly: six times smaller than numbers, and without plotly express's 40 ms of overhead)."""
    image = {"type": "image", "source": png_url(pixels), "hoverinfo": "skip"}
    return figure(
        [image],
        {
            "xaxis": {"visible": False, "range": [-0.5, pixels.shape[1] - 0.5]},
            "yaxis": {"visible": False, "range": [pixels.shape[0] - 0.5, -0.5], "scaleanchor": "x"},
        },
    )


def mosaic(images: np.ndarray, columns: int, pad: int = 1, fill: float = 1.0) -> np.ndarray:
    """Tile images (n, h, w[, c]) into one (rows*(h+pad)+pad, cols*(w+pad)+pad[, c]) array, gaps = `fill`."""
    n, h, w = images.shape[:3]
    rows = -(-n // columns)
    out = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad) + images.shape[3:], fill, dtype=images.dtype)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = img
    return out


def sample_tiles(images: np.ndarray, size: int = TILE) -> list[np.ndarray]:
    """Images (n, h, w, c) in [0, 1] as uint8 tiles of about `size` pixels a side, each pixel a square block
    (crisp, not smoothed, on a projector) inside a thin grey frame, 0 black as everywhere (`style.PIXELS`). Shown side by
    side with their titles by `st.image(tiles, caption=titles)`: real text under tiles of a fixed size, wrapping to
    the screen's width."""
    imgs = images[..., 0] if images.shape[-1] == 1 else images
    factor = max(1, -(-size // imgs.shape[1]))
    big = np.clip(np.repeat(np.repeat(imgs, factor, axis=1), factor, axis=2), 0.0, 1.0)
    pad = [(0, 0), (FRAME, FRAME), (FRAME, FRAME)] + [(0, 0)] * (big.ndim - 3)
    framed = np.pad(big, pad, constant_values=FRAME_GREY)  # a thin frame: a digit's blank edges stay visible
    return list((framed * 255).round().astype(np.uint8))


def tiles(
    images: np.ndarray,
    limit: float,
    titles: list[str],
    columns: int,
    values: bool = False,
    digits: int = 2,
    width: int = TILES_WIDTH,
) -> go.Figure:
    """Small signed images (n, h, w) tiled in one heatmap on one colour scale [-limit, limit] centred at zero
    (first-layer units, conv kernels). values: write each cell's number on it (for small kernels).
    width: about how many pixels wide the tiles are drawn, to size the figure's height to fit them and the gaps
    between rows to fit the titles."""
    n, h, w = images.shape
    cols = min(columns, n)
    # A title fits in the gap above its tile: pad cells of width / (cols * (w + pad) + pad) pixels each hold
    # TITLE_PX, so pad >= TITLE_PX * cols * w / (width - TITLE_PX * (cols + 1)).
    room = width - TITLE_PX * (cols + 1)
    pad = max(1, h // 4, math.ceil(TITLE_PX * cols * w / room) if room > 0 else h)
    grid = mosaic(images.astype(np.float32), cols, pad, fill=np.nan)
    trace = dict(
        z=grid,
        zmin=-limit,
        zmax=limit,
        zmid=0,
        colorscale=DIVERGING,
        hoverongaps=False,
        colorbar=dict(title="weight", thickness=14),
        hovertemplate="%{z:.4f}<extra></extra>",
    )
    if values:
        text = np.where(np.isnan(grid), "", np.char.mod(f"%.{digits}f", np.nan_to_num(grid)))
        trace.update(text=text, texttemplate="%{text}", textfont=dict(size=SMALL_TEXT))
    fig = go.Figure(go.Heatmap(**trace))
    fig.update_layout(
        annotations=[
            dict(
                x=pad + (i % cols) * (w + pad) + (w - 1) / 2,
                y=pad + (i // cols) * (h + pad) - 0.5,
                text=t,
                showarrow=False,
                yanchor="bottom",
                font=dict(size=SMALL_TEXT, color=LABEL),
            )
            for i, t in enumerate(titles)
        ]
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    cell = width / grid.shape[1]  # screen pixels per weight
    return tidy(fig, int(grid.shape[0] * cell + 50), legend=False).update_layout(margin=dict(t=24, b=10))


def rgb_filters(kernels: np.ndarray, columns: int = 8, width: int = 640) -> go.Figure:
    """First-layer kernels of a colour network (kh, kw, 3, filters) as colour images: each weight mapped from
    [-limit, limit] to [0, 1] on one scale (grey is 0; a red tile looks for red)."""
    limit = float(np.abs(kernels).max()) or 1.0
    tiles = np.moveaxis((kernels / limit + 1) / 2, -1, 0)  # (filters, kh, kw, 3)
    kh = kernels.shape[0]
    grid = mosaic(tiles.astype(np.float32), min(columns, len(tiles)), max(1, kh // 3), fill=1.0)
    fig = png_image((grid * 255).astype(np.uint8))
    return tidy(fig, int(grid.shape[0] * width / grid.shape[1] + 20), legend=False).update_layout(margin=dict(t=10))
