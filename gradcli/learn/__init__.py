"""Learning: networks, losses, optimisers, the training loop, presets, model files, inference."""
