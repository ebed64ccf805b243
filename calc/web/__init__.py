"""The browser face: input schemas, HTML rendering, chart specs, calculators and the registry the worker may call."""
