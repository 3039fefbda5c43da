"""NN Lab's UI building blocks shared by the pages: the page registry, widgets that return specs,
cached data access, and plotly figure builders. Pages import from here and from `core`, never from
scikit-learn or Keras.
"""
