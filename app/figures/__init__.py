"""Plotly figure builders: numpy in, `go.Figure` out, never a `st.*` call. One chart, one function."""
