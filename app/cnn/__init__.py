"""What serves the CNN lab only: its settings and presets, its controls, the views inside a convnet (filters,
feature maps, one convolution step by step, augmentation) and their figures."""
