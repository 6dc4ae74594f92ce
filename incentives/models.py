"""Models of the incentives app."""
