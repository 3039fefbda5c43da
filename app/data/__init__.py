"""What serves the Data page only: its sections (views) and their figures."""
