"""gradcli: a scalar reverse-mode autograd engine and the CLI around it.

Use it from Python::

    from gradcli import Value, parse, evaluate
    graph = evaluate("tanh(x1*w1 + x2*w2 + b)", {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.88})
    graph.output.backward()
    graph.gradients()        # {'b': ..., 'w1': ..., ...}
"""

from .engine import Value
from .errors import DomainError, ExprError, GradcliError, UsageError

__version__ = "0.1.0"

__all__ = ["Value", "GradcliError", "ExprError", "DomainError", "UsageError", "__version__"]
