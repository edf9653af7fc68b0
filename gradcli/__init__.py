"""gradcli: a reverse-mode autograd engine (scalars and N-dimensional arrays) and the CLI around it.

Use it from Python::

    >>> from gradcli import Value, evaluate
    >>> graph = evaluate("tanh(x1*w1 + x2*w2 + b)", {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432})
    >>> graph.backward()
    >>> round(graph.output.data, 4), {name: round(g, 4) for name, g in graph.gradients().items()}
    (0.7071, {'x1': -1.5, 'w1': 1.0, 'x2': 0.5, 'w2': 0.0, 'b': 0.5})

    >>> a = Value(2.0, label="a")
    >>> (a * a + a).backward()   # one leaf, three paths: 2a + 1
    >>> a.grad
    5.0

The network library is in ``gradcli.learn.nn`` (``MLP(2, [16, 16, 1])``), training in
``gradcli.learn.train``, datasets in ``gradcli.data.datasets``.
"""

__version__ = "0.1.0"

__all__ = ["Value", "parse", "evaluate", "GradcliError", "ExprError", "DomainError", "UsageError", "__version__"]

# Loaded on first use (PEP 562), so that `import gradcli` costs nothing: the `gradcli` command imports this
# package before it can handle Ctrl-C (gradcli/cli/__init__.py), and it should be there in a millisecond.
_LAZY = {"Value": "autograd.engine", "parse": "autograd.expr", "evaluate": "autograd.expr",
         "GradcliError": "errors", "ExprError": "errors", "DomainError": "errors", "UsageError": "errors"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'gradcli' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value  # the next lookup finds it directly
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))
