"""What serves the maths-of-learning pages only (activation and loss functions, backpropagation, gradient
descent): their tables, state and figures."""
