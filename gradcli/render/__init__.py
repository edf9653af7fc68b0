"""Results -> text for every command: Rich tables, JSON documents, Markdown and CSV; live progress.

``grad`` and ``check`` (the expression commands), ``train`` and ``progress`` (a training run),
``model`` (``eval`` and ``predict``), ``datasets`` (the list and the pictures), ``errors`` (the
lines an error is reported in) and ``style`` (the one table style).  Numbers are written by
``gradcli.numbers``, JSON by ``gradcli.jsontext``, CSV by ``gradcli.csvtext``.
"""
