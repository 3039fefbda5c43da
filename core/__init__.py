"""NN Lab core: datasets, model specs, training and introspection, and the maths of learning.

Framework-agnostic and UI-free: nothing here imports streamlit, and TensorFlow/Keras are imported
lazily, only when a Keras model is built.
"""
