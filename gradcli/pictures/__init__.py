"""Pictures: expression graphs and networks as Graphviz drawings, matplotlib plots, terminal maps."""
