"""The state and logic of ``gradcli explore``, without any user interface.

An ``Explorer`` holds an expression, the values of its variables, which
variable is selected, and three sizes: ``step`` (how far one nudge moves the
selected variable), ``h`` (the finite difference of the nudge panel) and
``lr`` (the learning rate of a gradient step).  The terminal app
(``explore_app.py``) turns key presses into calls on it and draws ``state``
and ``nudge()``; the tests drive it directly.

Every change is all or nothing: it either leaves a new valid ``State`` (value,
gradients and trace, computed by the engine) or raises a ``GradcliError`` and
leaves everything as it was, so the screen keeps the last valid state::

    >>> explorer = Explorer("(x-3)**2", {"x": 0.0})
    >>> explorer.state.value, explorer.state.gradients
    (9.0, {'x': -6.0})
    >>> explorer.move(+1); explorer.state.values
    {'x': 0.1}
    >>> round(explorer.nudge().quotient, 6)   # (f(x+h) - f(x)) / h with h = 0.001
    -5.799
    >>> explorer.command_line()
    'gradcli grad "(x-3)**2" --x 0.1'

Nudges and the step and h keys move in decimal steps (0.1 + 0.2 is 0.3 here,
not 0.30000000000000004), so the numbers on screen are the ones a person
would write down; gradient steps use plain float arithmetic, as training does.

A variable that holds an array is explored one entry at a time: each entry is
a row of its own (``M[0, 1]``), selected, nudged and compared with its
gradient like a number, while the other entries stay::

    >>> explorer = Explorer("sum(x*x)", {"x": [1.0, 2.0]})
    >>> explorer.names
    ['x[0]', 'x[1]']
    >>> explorer.select(+1); explorer.move(+1); explorer.state.value_of("x[1]")
    2.1
    >>> explorer.command_line()
    'gradcli grad "sum(x*x)" --x "[1, 2.1]"'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from ..errors import DomainError, UsageError
from ..numbers import exact
from ..autograd.expr import Expression, parse
from ..autograd.gradcheck import coordinates
from ..autograd.trace import Trace, trace

# A variable with no value yet (new in an edited expression, or not given on the
# command line) starts at 1: log, 1/x and sqrt are all defined there, unlike at 0.
NEW_VARIABLE_VALUE = 1.0

DEFAULT_STEP = 0.1  # how far left/right moves the selected variable
DEFAULT_H = 0.001  # the finite difference of the nudge panel, as in the micrograd lecture
DEFAULT_LR = 0.1  # learning rate of one gradient step

PLOT_STEPS = 20  # the plot key shows f and f' this many steps (--step) either side of the selected value
PLOT_POINTS = 121  # samples of that plot: one every third of a step, the current value among them

# The step and h keys stop at these bounds: beyond them the numbers say nothing useful.
STEP_RANGE = (1e-12, 1e12)
H_RANGE = (1e-20, 1e6)  # h far below 1e-8 is allowed on purpose: it shows rounding error win


@dataclass(frozen=True)
class State:
    """One valid point: the expression evaluated and differentiated at ``values``."""

    expression: Expression
    values: dict  # name -> float (or an array), in the expression's order of variables
    value: float  # f at values
    gradients: dict  # name -> df/dname from backward() (an array for an array)
    trace: Trace  # the forward and backward steps, as ``gradcli grad`` shows them

    @cached_property
    def entries(self) -> dict:
        """label -> the number it names: a variable (``x``), or one entry of an array (``M[0, 1]``)."""
        return {c.label: c for c in coordinates(self.values, list(self.values))}

    def value_of(self, label: str) -> float:
        """The value of a variable or of one entry (``M[0, 1]``)."""
        return self.entries[label].value(self.values)

    def gradient_of(self, label: str) -> float:
        return self.entries[label].value(self.gradients)


@dataclass(frozen=True)
class Nudge:
    """The definition of the derivative for one variable, beside the chain rule's answer."""

    name: str
    x: float
    h: float
    f_x: float
    f_x_plus_h: float | None  # None when f is undefined at x + h (see ``error``)
    gradient: float  # df/dx from backward()
    error: str | None = None  # why f(x + h) could not be computed

    @property
    def quotient(self) -> float | None:
        """(f(x+h) - f(x)) / h, the slope of the secant; it tends to the gradient as h -> 0."""
        if self.f_x_plus_h is None:
            return None
        return (self.f_x_plus_h - self.f_x) / self.h

    @property
    def difference(self) -> float | None:
        """quotient - gradient: about h * f''(x) / 2 until rounding error takes over."""
        quotient = self.quotient
        return None if quotient is None else quotient - self.gradient


def evaluate_state(expression: Expression, values: dict) -> State:
    """Evaluate, run backward and trace at ``values``; raise DomainError where undefined."""
    for name, number in values.items():
        if number.__class__ is float and not math.isfinite(number):
            raise DomainError(f"{name} would be {number}, outside the range of a float")
        if number.__class__ is not float and not all(math.isfinite(x) for x in number.ravel().tolist()):
            raise DomainError(f"an entry of {name} would be outside the range of a float")
    graph = expression.evaluate(values)
    graph.backward()
    return State(expression, dict(values), graph.output.data, graph.gradients(),
                 trace(graph.output, graph.variables, graph.names))


class Explorer:
    """An expression being explored: values, selection, step, h, lr, and the valid state."""

    def __init__(self, expression: str | Expression, values: dict, *, step: float = DEFAULT_STEP,
                 h: float = DEFAULT_H, lr: float = DEFAULT_LR):
        parsed = expression if isinstance(expression, Expression) else parse(expression.strip())
        self.step = _checked_size("step", step, STEP_RANGE)
        self.h = _checked_size("h", h, H_RANGE)
        self.lr = _checked_size("lr", lr, (0.0, math.inf))
        start = {name: _number_or_array(values.get(name, NEW_VARIABLE_VALUE)) for name in parsed.variables}
        self.defaulted = [name for name in parsed.variables if name not in values]  # started at 1
        self.start_values = dict(start)  # what `reset` returns to, by name
        self.forgotten: dict = {}  # values of variables an edit removed, restored if they come back
        self.state = evaluate_state(parsed, start)
        self.selected = 0  # index into ``names``

    # -- what is on screen --------------------------------------------------

    @property
    def text(self) -> str:
        """The expression on one line: a formula as it was written, statements in their canonical form."""
        expression = self.state.expression
        if expression.names or "\n" in expression.source.strip() or "#" in expression.source:
            return expression.text()
        return expression.source

    @property
    def names(self) -> list:
        """What can be selected: each variable, or each entry of an array (``M[0, 1]``)."""
        return list(self.state.entries)

    @property
    def selected_name(self) -> str | None:
        names = self.names
        return names[self.selected] if names else None

    def nudge(self) -> Nudge | None:
        """The nudge panel for the selected variable (None when there are no variables)."""
        name = self.selected_name
        if name is None:
            return None
        entry = self.state.entries[name]
        x = entry.value(self.state.values)
        bumped = entry.moved(self.state.values, x + self.h)
        f_x_plus_h, error = None, None
        try:
            f_x_plus_h = self.state.expression.value_at(bumped)
        except DomainError as exc:
            error = exc.message
        return Nudge(name, x, self.h, self.state.value, f_x_plus_h, self.state.gradient_of(name), error)

    def plot(self):
        """f and f' of the selected variable around its value (the others held), with the tangent there.

        The range is ``PLOT_STEPS`` steps either side, so the step keys zoom
        the plot; an ``autograd.curves.Curves`` (gaps where f is undefined).
        """
        from ..autograd.curves import sample

        name = self._require_variable("plot")
        entry = self.state.entries[name]
        if entry.index is not None:  # curves.sample runs over a variable, and differentiates by it
            numbers = [label for label, other in self.state.entries.items() if other.index is None]
            raise UsageError(f"{name} is an entry of the array {entry.name}: the plot runs over a variable that is "
                             "one number" + (f" (here: {', '.join(numbers)})" if numbers else " (this expression has none)"))
        x = self.state.values[name]
        span = PLOT_STEPS * self.step
        held = {other: value for other, value in self.state.values.items() if other != name}
        return sample(self.state.expression, name, x - span, x + span, points=PLOT_POINTS, held=held,
                      tangent=x)

    # -- changes --------------------------------------------------------------

    def select(self, offset: int) -> None:
        """Move the selection up (-1) or down (+1), stopping at the first and last variable."""
        if self.names:
            self.selected = min(max(self.selected + offset, 0), len(self.names) - 1)

    def move(self, direction: int) -> None:
        """Add ``direction * step`` to the selected variable (direction is +1 or -1)."""
        name = self._require_variable("nudge")
        entry = self.state.entries[name]
        moved = _decimal_add(entry.value(self.state.values), direction * self.step)
        self.state = evaluate_state(self.state.expression, entry.moved(self.state.values, moved))

    def scale_step(self, up: bool) -> None:
        """Multiply (up) or divide the step by 10."""
        self.step = _scaled("step", self.step, up, STEP_RANGE)

    def scale_h(self, up: bool) -> None:
        """Multiply (up) or divide h by 10."""
        self.h = _scaled("h", self.h, up, H_RANGE)

    def gradient_step(self, ascent: bool = False) -> tuple:
        """x -= lr * df/dx for every variable at once (+= for ascent); returns (f before, f after)."""
        self._require_variable("step")
        sign = 1.0 if ascent else -1.0
        before = self.state
        values = {name: x + sign * self.lr * before.gradients[name] for name, x in before.values.items()}
        self.state = evaluate_state(before.expression, values)
        return before.value, self.state.value

    def reset(self) -> None:
        """Every variable back to its starting value (the expression, step, h and lr stay)."""
        values = {name: self.start_values[name] for name in self.state.values}
        self.state = evaluate_state(self.state.expression, values)

    def edit(self, text: str) -> None:
        """Replace the expression; kept variables keep their values, new ones start at 1."""
        parsed = parse(text.strip())
        old = self.state.values
        remembered = {**self.forgotten, **old}
        values = {name: _number_or_array(remembered.get(name, NEW_VARIABLE_VALUE)) for name in parsed.variables}
        state = evaluate_state(parsed, values)  # raises before anything changes
        previous_name = self.selected_name
        for name in parsed.variables:
            self.start_values.setdefault(name, NEW_VARIABLE_VALUE)
        self.forgotten.update({name: x for name, x in old.items() if name not in values})
        self.state = state
        names = self.names
        self.selected = names.index(previous_name) if previous_name in names else 0

    # -- the way out ----------------------------------------------------------

    def command_line(self, reserved: tuple = ()) -> str:
        """A ``gradcli grad`` command that reproduces the current expression and values.

        ``reserved`` lists option names of ``grad`` (e.g. ``--format``): a variable
        with such a name is written as ``name=value`` so it is not taken for the option.
        """
        parts = ["gradcli", "grad"]
        if self.text.startswith("-"):
            parts.append("--")  # otherwise the expression would be read as an option
        # valid expressions hold only letters, digits, spaces, + - * / ^ ( ) . , ; = | and Unicode
        # notation, none of which a shell treats specially inside double quotes
        parts.append(f'"{self.text}"')
        for name, x in self.state.values.items():
            if x.__class__ is float:
                number = exact(x)
                parts.append(f"{name}={number}" if f"--{name}" in reserved else f"--{name} {number}")
            else:  # an array as a quoted list: "[[1, 2], [-1, 3]]"
                array = _list_text(x.tolist())
                parts.append(f'"{name}={array}"' if f"--{name}" in reserved else f'--{name} "{array}"')
        return " ".join(parts)

    def _require_variable(self, what: str) -> str:
        name = self.selected_name
        if name is None:
            raise UsageError(f"the expression has no variables to {what}: press e and add one")
        return name


def _number_or_array(value):
    """A float, or a float64 array (lists are read as arrays, as ``Expression.evaluate`` reads them)."""
    if isinstance(value, (int, float)):
        return float(value)
    from ..autograd.program import leaf_data

    data = leaf_data("a variable", value)
    return data.copy() if data.__class__ is not float else data


def _list_text(item) -> str:
    """Nested lists of floats as typed on the command line, every number exact: ``[[1, 2], [-1, 3.5]]``."""
    if isinstance(item, list):
        return "[" + ", ".join(_list_text(entry) for entry in item) + "]"
    return exact(item)


def _decimal_add(x: float, delta: float) -> float:
    """x + delta computed on the numbers as written, so 0.2 + 0.1 gives 0.3."""
    return float(Decimal(repr(x)) + Decimal(repr(delta)))


def _scaled(name: str, size: float, up: bool, bounds: tuple) -> float:
    """``size`` times or divided by 10, exactly in decimal; refuse to leave ``bounds``."""
    scaled = float(Decimal(repr(size)).scaleb(1 if up else -1))
    low, high = bounds
    if not low <= scaled <= high:
        limit = "largest" if up else "smallest"
        raise UsageError(f"{{setting}} is {exact(size)}, the {limit} this explorer allows", setting=name)
    return scaled


def _checked_size(name: str, size: float, bounds: tuple) -> float:
    low, high = bounds
    if not (math.isfinite(size) and size > 0.0):
        raise UsageError(f"{{setting}} must be a positive number, not {exact(size)}", setting=name)
    if not low <= size <= high:
        raise UsageError(f"{{setting}} must be between {low:g} and {high:g}, not {size:g}", setting=name)
    return float(size)

