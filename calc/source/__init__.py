"""The source article's formulas and worked examples, by name, reproducing its numbers."""
