"""The "What the network learned" page's sections: the hidden space and why a prediction."""
