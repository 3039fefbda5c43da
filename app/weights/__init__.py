"""What serves the Weights and parameters page only: the views of a trained model, counting parameters, and
their figures."""
