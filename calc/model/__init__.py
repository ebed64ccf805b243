"""What a model is (configs, presets, config.json) and what one forward pass does (per-operator FLOPs and bytes)."""
