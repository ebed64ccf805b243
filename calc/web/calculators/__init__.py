"""One module per calculator; :mod:`calc.web.widgets` registers them."""
