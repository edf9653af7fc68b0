"""Results -> text: Rich tables, JSON, Markdown and CSV for every command, and live progress."""
