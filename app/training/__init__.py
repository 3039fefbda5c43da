"""What serves the Training page only: its settings schema, the sidebar controls, the results sections and
their figures. Live training itself is shared (`app.runs`)."""
