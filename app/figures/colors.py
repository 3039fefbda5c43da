"""NN Lab's colours, by role. Figures name their colours from here (or through `app.figures.style`), never as hex
strings of their own. Plotly-free, so the live training charts (Vega-Lite) use them without importing plotly."""

BLUE, RED, GREEN, ORANGE = "#3b6fd4", "#e4572e", "#29a36a", "#f3a712"
QUALITATIVE = (BLUE, RED, GREEN, ORANGE, "#8e44ad", "#17becf", "#d6336c", "#7f8c8d", "#8c564b", "#bcbd22")
DARK_BLUE, DARK_RED = "#2c5aa0", "#c0392b"  # class 0 / class 1 points on a blue-red background
GREY, LIGHT_GREY, PANEL, INK = "#9aa3b5", "#bbbbbb", "#eef1f6", "#444444"
TEXT, LABEL, WHITE, CONTOUR = "#222222", "#555555", "#ffffff", "#8c9bbd"  # numbers, tile titles, fills
NEG, POS = BLUE, RED  # the sign of a weight or a gradient on edges
TRAIN, VALIDATION = BLUE, RED  # training and validation (or test) curves and bars
DIVERGING = "RdBu_r"  # weights and gradients: blue negative, red positive, white zero

# One convention for values drawn as brightness, on every page: dark is 0 (as plt.imshow(x, cmap="gray")).
PIXELS = [[0, "black"], [1, "white"]]  # grey images, their values and a convolution's patch: 0 black, the top white
MAPS = "Viridis"  # feature maps and pooling windows: dark purple at 0, yellow where a filter fired most
DARK_IS_ZERO = (
    "Dark is 0 everywhere: pixels go from black (0) to white (the largest value), feature maps from dark purple (0) "
    "to yellow; red and blue mark signed values (weights, gradients, maps below zero)."
)
