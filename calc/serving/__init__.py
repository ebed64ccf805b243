"""The general serving engine: step times, efficiencies and fixed costs, TTFT/TPOT, memory plans, search, validation."""
