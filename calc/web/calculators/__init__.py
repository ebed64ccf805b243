"""One module per in-page calculator."""
