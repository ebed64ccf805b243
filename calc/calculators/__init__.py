"""One module per calculator; :mod:`calc.widgets` registers them."""
