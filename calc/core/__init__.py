"""The vocabulary every layer uses: units, number formats, quantities, input checks, intensity."""
