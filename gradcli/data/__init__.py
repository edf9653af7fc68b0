"""Datasets: the registry of built-in sets, the Playground generators, CSV files, input features."""
