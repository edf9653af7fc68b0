"""Arrays in expressions (issue 13): literals, @, reductions, indexing, array values on the command line,
shapes in traces, check entry by entry, draw and explore, and every bad input as a clear usage error."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gradcli.autograd import engine
from gradcli.autograd.engine import Value
from gradcli.autograd.expr import Limits, parse
from gradcli.autograd.gradcheck import check_gradients
from gradcli.errors import DomainError, ExprError, ShapeError, UsageError

SEED_003 = ["L = sum((relu(M @ x + b) - t)**2)", "--M", "[[1,2],[-1,3]]", "--x", "2,1", "--b", "0.5,1",
            "--t", "3,2"]
NEURON = 6.8813735870195432


def evaluated(text: str, values: dict):
    graph = parse(text).evaluate(values)
    graph.backward()
    return graph


def central_gradient(text: str, values: dict, name: str, h: float = 1e-6) -> np.ndarray:
    """d text / d name entry by entry, by central differences (independent of the engine's rules)."""
    expression = parse(text)
    base = np.array(values[name], dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (expression.value_at({**values, name: up}) - expression.value_at({**values, name: down})) / (2 * h)
    return grad


# -- the seeds ---------------------------------------------------------------------------------------


def test_seed_003_is_one_command(cli):
    """Seed 003's worked example: L = 2.25, dL/dM = [[6, 3], [0, 0]], dL/db = [3, 0], dL/dx = [3, 6]."""
    result = cli("grad", *SEED_003, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["value"] == 2.25
    assert document["gradients"] == {"M": [[6.0, 3.0], [0.0, 0.0]], "x": [3.0, 6.0], "b": [3.0, 0.0],
                                     "t": [-3.0, 0.0]}
    nodes = {node["label"]: node for node in document["nodes"]}
    assert nodes["M @ x + b"]["value"] == [4.5, 2.0] and nodes["M @ x + b"]["shape"] == [2]
    assert nodes["M"]["shape"] == [2, 2] and document["shapes"]["M"] == [2, 2]


def test_seed_003_in_the_terminal_shows_shapes_and_compact_arrays(cli):
    result = cli("grad", *SEED_003)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "L = sum((relu(M @ x + b) - t)**2) = 2.2500" in out
    assert "at M = [[1, 2], [-1, 3]], x = [2, 1], b = [0.5, 1], t = [3, 2]" in out
    assert "shape" in out and "(2, 2)" in out
    gradients = out[out.index("Gradients"):]
    assert "[[6, 3], [0, 0]]" in gradients and "[3, 6]" in gradients and "[3, 0]" in gradients


@pytest.mark.parametrize("values", [
    ["--x", "2,0", "--w", "-3,1"],  # a vector neuron: w @ x is the dot product
    ["--x", "[2, 0]", "--w", "[-3, 1]"],
])
def test_seed_002_tanh_neuron_on_vectors(cli, values):
    """Seed 002's neuron, tanh(w.x + b), with the inputs and weights as arrays: micrograd's numbers."""
    result = cli("grad", "o = tanh(w @ x + b)", *values, "--b", str(NEURON), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["value"] == pytest.approx(math.sqrt(0.5))
    assert document["gradients"]["x"] == pytest.approx([-1.5, 0.5])
    assert document["gradients"]["w"] == pytest.approx([1.0, 0.0], abs=1e-12)
    assert document["gradients"]["b"] == pytest.approx(0.5)


def test_seed_002_tanh_neuron_on_2d_arrays_gives_the_scalar_gradients_entry_by_entry(cli):
    """Seed 002, example 1: inputs, weights and bias are 2-D arrays holding the same values; each entry
    gets the gradient the scalar neuron gets (example 2), since the output sums the neurons."""
    same = lambda v: f"[[{v}, {v}], [{v}, {v}]]"  # noqa: E731
    result = cli("grad", "o = sum(tanh(x1*w1 + x2*w2 + b))", "--x1", same(2), "--x2", same(0), "--w1", same(-3),
                 "--w2", same(1), "--b", same(repr(NEURON)), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["value"] == pytest.approx(4 * math.sqrt(0.5))
    for name, scalar in {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}.items():
        assert np.allclose(document["gradients"][name], scalar, atol=1e-12), name


# -- the engine's tensor ops, as a user of the issue meets them ----------------------------------


@pytest.mark.parametrize("shapes", [((3,), (2, 3, 4)), ((2, 2, 3), (3,)), ((4,), (4, 2)), ((2, 4), (4,)),
                                    ((2, 1, 2, 3), (4, 3, 2))])
def test_matrix_products_with_vectors_and_batches_match_finite_differences(shapes):
    rng = np.random.default_rng(3)
    a, b = (rng.normal(size=shape) for shape in shapes)
    text = "sum(tanh(A @ B))"
    graph = evaluated(text, {"A": a, "B": b})
    for name, value in (("A", a), ("B", b)):
        numeric = central_gradient(text, {"A": a, "B": b}, name)
        assert np.allclose(graph.gradients()[name], numeric, rtol=1e-6, atol=1e-8), name
        assert graph.gradients()[name].shape == value.shape


def test_max_and_min_share_the_gradient_between_ties_along_an_axis():
    graph = evaluated("sum(max(M, axis=1)) + min(M)", {"M": [[1.0, 3.0, 3.0], [2.0, 0.0, 0.0]]})
    assert graph.output.data == 3.0 + 2.0 + 0.0
    assert graph.gradients()["M"].tolist() == [[0.0, 0.5, 0.5], [1.0, 0.5, 0.5]]


def test_an_elementwise_max_of_two_arguments_stays_elementwise():
    graph = evaluated("sum(max(x, 0))", {"x": [-1.0, 2.0]})
    assert graph.output.data == 2.0 and graph.gradients()["x"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize("text, expected", [
    ("sum(M, axis=0) @ [1, 10]", 4 + 10 * 6),
    ("mean(M, axis=-1) @ [1, 10]", 1.5 + 10 * 3.5),
    ("M[1, 0] + M[-1, -1] + sum(M[:, 1])", 3 + 4 + 6),
    ("sum(M.T @ [1, 0]) + sum(Mᵀ[0]) + sum(transpose(M)[1])", 3 + 4 + 6),
    ("[1, 1] @ M @ [1, 1]", 10),
    ("sum([M[0, 0], 2*M[1, 1]])", 9),
    ("-log_softmax([0, 0, 0])[1] + sum(softmax(M))", math.log(3) + 1),
    ("sum(M[0:1])", 3),
])
def test_array_notation_reads_as_numpy_does(text, expected):
    assert parse(text).value_at({"M": [[1.0, 2.0], [3.0, 4.0]]}) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["sum(log_softmax(z)*t)", "sum(M[:, 1] * z[0:2])", "max(softmax(M @ z[1:]))",
                                  "sum([z[0]*z[1], z[2]] @ M)", "mean(M.T @ M)", "sum(M, axis=0) @ z[:2]"])
def test_gradients_through_the_notation_match_finite_differences(text):
    values = {"M": np.array([[0.5, -1.0], [2.0, 0.3]]), "z": np.array([0.1, -0.4, 0.9]), "t": np.array([0., 1., 0.])}
    graph = evaluated(text, values)
    for name in graph.variables:
        assert np.allclose(graph.gradients()[name], central_gradient(text, values, name), atol=1e-7), name


def test_labels_are_canonical_and_round_trip():
    expression = parse("a = sum((relu(M@x+b)-t)**2, axis=0); y = Mᵀ[0, :]; z = [x[1], 2] @ y + a")
    assert expression.definitions() == [("a", "sum((relu(M @ x + b) - t)**2, axis=0)"), ("y", "M.T[0, :]"),
                                        ("z", "[x[1], 2] @ y + a")]
    for _, text in expression.definitions():
        assert parse(text).label(parse(text).root) == text


def test_matmul_binds_as_a_product():
    assert parse("2*A @ B + c").label(parse("2*A @ B + c").root) == "2*A @ B + c"
    assert parse("A @ (B*c)").label(parse("A @ (B*c)").root) == "A @ (B*c)"


def test_a_matrix_literal_may_span_lines_in_a_file():
    expression = parse("M = [[1, 2],\n     [3, 4]]\nL = sum(M @ x)")
    assert expression.value_at({"x": [1.0, 1.0]}) == 10.0


def test_scalars_stay_floats_and_never_meet_numpy():
    graph = evaluated("tanh(x*w + b)", {"x": 1.0, "w": 2, "b": 0})
    assert all(node.data.__class__ is float for node in graph.nodes())
    assert graph.arrays is False


# -- shape errors: both shapes and the sub-expression ------------------------------------------------


@pytest.mark.parametrize("text, values, message", [
    ("sum(M @ x)", {"M": np.ones((2, 2)), "x": np.ones(3)},
     "M @ x: (2, 2) @ (3,): the left's last axis (2) must equal the right's length (3)"),
    ("sum(A @ B)", {"A": np.ones((2, 3)), "B": np.ones((2, 3))},
     "A @ B: (2, 3) @ (2, 3): the left's last axis (3) must equal the right's second-to-last axis (2)"),
    ("sum(M + x)", {"M": np.ones((2, 2)), "x": np.ones(3)}, "M + x: (2, 2) + (3,): these shapes do not broadcast"),
    ("sum(max(x, y))", {"x": np.ones(2), "y": np.ones(3)}, "max(x, y): (2,), (3,): these shapes do not broadcast"),
    ("sum([x, y])", {"x": np.ones(2), "y": np.ones(3)}, "[x, y]: entries of shapes (2,) and (3,)"),
    ("2 @ x", {"x": np.ones(2)}, "2 @ x: () @ (2,): @ needs an array on each side"),
    ("x[2]", {"x": np.ones(2)}, "x[2]: shape (2,): index 2 is out of bounds for axis 0 with size 2"),
    ("sum(x, axis=1)", {"x": np.ones(2)}, "sum(x, axis=1): shape (2,): axis 1 is out of bounds"),
    ("sum(x[0, 0])", {"x": np.ones(2)}, "x[0, 0]: shape (2,): too many indices"),
    ("y[0]", {"y": 2.0}, "y[0]: shape ()"),
])
def test_shape_errors_name_the_sub_expression_and_both_shapes(text, values, message):
    with pytest.raises(ShapeError) as info:
        parse(text).evaluate(values)
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_a_shape_error_from_the_cli_is_a_usage_error(cli):
    result = cli("grad", "L = sum((relu(M @ x + b) - t)**2)", "--M", "[[1,2],[-1,3]]", "--x", "2,1,0", "--b",
                 "0.5,1", "--t", "3,2")
    assert result.exit_code == 2
    assert "error: M @ x: (2, 2) @ (3,)" in result.stderr and "Traceback" not in result.output


def test_the_engine_itself_raises_shape_errors_with_both_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 2\) @ \(3,\)"):
        Value(np.ones((2, 2))) @ Value(np.ones(3))


def test_an_array_output_is_refused_with_its_shape_and_a_way_out(cli):
    result = cli("grad", "relu(M @ x)", "--M", "[[1,2],[3,4]]", "--x", "1,2")
    assert result.exit_code == 2
    assert "the output f = relu(M @ x) is an array of shape (2,): gradients need the output to be one number" \
        in result.stderr
    assert "hint: write sum(relu(M @ x)) (or mean(...), or pick an entry: relu(M @ x)[0])" in result.stderr
    named = cli("grad", "y = M @ x", "--M", "[[1,2],[3,4]]", "--x", "1,2")
    assert named.exit_code == 2 and "L = sum(y)" in named.stderr


def test_draw_forward_only_may_show_an_array_output(cli, tmp_path):
    result = cli("draw", "relu(M @ x)", "--M", "[[1,2],[3,4]]", "--x", "1,2", "--forward-only", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "data [5, 11]" in result.stdout and "(2,)" in result.stdout


@pytest.mark.parametrize("text, values, message", [
    ("sum(log(x))", {"x": [1.0, -1.0]}, "log(x): entry [1]: argument is -1, log needs a positive number"),
    ("sum(x/y)", {"x": [1.0, 2.0], "y": [1.0, 0.0]}, "x/y: entry [1]: division by zero"),
    ("sum(exp(M))", {"M": [[1.0, 1000.0]]}, "exp(M): entry [0, 1]: argument is 1000, exp overflows above 709.78"),
    ("sum(x*x)", {"x": [1e200, 1.0]}, "x*x: entry [0]: the result overflows to inf"),
    ("sum(x**0.5)", {"x": [4.0, -4.0]}, "x**0.5: entry [1]: base is -4 and exponent 0.5"),
])
def test_domain_errors_name_the_entry(text, values, message):
    with pytest.raises(DomainError) as info:
        parse(text).evaluate(values)
    assert message in info.value.message


def test_a_gradient_that_leaves_the_float_range_is_named_by_entry():
    graph = evaluated("sum(1/x)", {"x": [1.0, 1e-300]})
    assert any(note.startswith("the gradient of x[1] is -inf") for note in graph.warnings())


# -- bad literals in expressions --------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("sum([[1, 2], [3]])", "a ragged array at column 14: entry 1 has 1 number and entry 0 has 2 numbers"),
    ("sum([1, [2, 3]])", "a ragged array at column 9: entry 1 has 2 numbers and entry 0 is a number"),
    ("sum([])", "an empty array at column 5"),
    ("sum([1, 2)", "'[' at column 5 is closed by ')' at column 10"),
    ("x[1.5]", "an index is a constant whole number at column 3"),
    ("x[y]", "an index is a constant whole number at column 3"),
    ("x[]", "an empty index"),
    ("2[0]", "a number cannot be indexed at column 2"),
    ("sum(x, axis=0.5)", "axis is a constant whole number"),
    ("sum(x, y, axis=0)", "sum(x, axis=N) takes one array and the axis"),
    ("sin(x, axis=0)", "sin() takes 1 argument, not 2"),
    ("x.real", "unexpected character '.' at column 2"),
    ("sum = x", "'sum' is a function; a step needs another name"),
    ("[1, 1e999]", "the number 1e999 at column 5 is too large"),
])
def test_bad_literals_and_indexes_are_parse_errors_with_a_place(text, message):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_an_array_literal_beyond_the_entry_limit_is_refused_while_it_is_read():
    with pytest.raises(ExprError) as info:
        parse("sum([" + ", ".join(["1"] * 101) + "])", limits=Limits(entries=100))
    assert "an array at column 5 has more than 100 entries" in info.value.message
    assert info.value.setting == "max_entries"


def test_the_entry_limit_of_literals_is_an_option(cli):
    result = cli("grad", "sum([1, 2, 3] * x)", "--x", "1", "--max-entries", "2")
    assert result.exit_code == 2 and "has more than 2 entries" in result.stderr and "--max-entries" in result.stderr


@pytest.mark.parametrize("value, message", [
    ([[1.0, 2.0], [3.0]], "M is a ragged array"),
    ([], "M is an empty array (shape (0,))"),
    (np.zeros((2, 0)), "M is an empty array (shape (2, 0))"),
    ("abc", "M is not a number or an array of numbers"),
])
def test_values_given_from_python_are_checked(value, message):
    with pytest.raises(UsageError) as info:
        parse("sum(M)").evaluate({"M": value})
    assert message in info.value.message


# -- values on the command line ----------------------------------------------------------------


@pytest.mark.parametrize("values", [["--x", "2,1"], ["--x", "[2, 1]"], ["--x=2,1"], ["x=[2,1]"], ["--x", " [ 2 ,1 ] "]])
def test_a_vector_is_written_with_commas_or_as_a_list(cli, values):
    result = cli("grad", "sum(x*x)", *values, "--no-trace", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gradients"] == {"x": [4.0, 2.0]}


def test_arrays_are_read_from_csv_text_and_npy_files(cli, tmp_path):
    (tmp_path / "m.csv").write_text("1, 2\n-1 3\n\n")
    (tmp_path / "col.txt").write_text("2\n1\n")
    (tmp_path / "list.txt").write_text("[0.5,\n 1]\n")
    np.save(tmp_path / "t.npy", np.array([3, 2], dtype=np.int64))
    result = cli("grad", "L = sum((relu(M @ x + b) - t)**2)", "--M", f"@{tmp_path / 'm.csv'}", "--x",
                 f"@{tmp_path / 'col.txt'}", "--b", f"@{tmp_path / 'list.txt'}", "--t", f"@{tmp_path / 't.npy'}",
                 "--format", "json", "--no-trace")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["value"] == 2.25 and document["gradients"]["M"] == [[6.0, 3.0], [0.0, 0.0]]


@pytest.mark.parametrize("value, message", [
    ("[[1, 2], [3]]", "--M is ragged: row [1] has 1 number and row [0] has 2 numbers"),
    ("[[1, 2], [3, nan]]", "--M[1, 1] is 'nan', not a finite number"),
    ("1,inf", "--M[1] is 'inf', not a finite number"),
    ("[1, two]", "--M[1] is 'two', not a number"),
    ("[]", "--M is an empty array"),
    ("[[]]", "--M is an empty array"),
    ("[1 2]", "--M: a ',' is missing between '1' and '2'"),
    ("[1, 2", "--M: '[' is never closed"),
    ("1, 2]", "--M: unexpected ']'"),
    ("[1,,2]", "--M: a ',' with no number before it"),
    ("[1], [2]", "--M: write one list"),
    ("@", "--M @ needs a file name"),
    ("@missing.csv", "--M: no such file: missing.csv"),
])
def test_bad_array_values_are_clear_usage_errors(cli, value, message):
    result = cli("grad", "sum(M)", "--M", value)
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_huge_npy_file_is_refused_by_its_header_before_its_data_is_read(cli, tmp_path):
    """A 10^8-entry array: its header says so, and nothing more is read (the file here holds no data)."""
    from numpy.lib import format as npy

    path = tmp_path / "huge.npy"
    with open(path, "wb") as stream:
        npy.write_array_header_1_0(stream, {"descr": "<f8", "fortran_order": False, "shape": (10_000, 10_000)})
    result = cli("grad", "sum(M)", "--M", f"@{path}")
    assert result.exit_code == 2
    assert "holds a 10000 x 10000 array (100,000,000 entries), more than 1,000,000" in result.stderr
    assert "hint: raise the limit with --max-entries" in result.stderr


@pytest.mark.parametrize("array, message", [
    (np.array([[1.0, np.nan]]), "holds nan at entry [0, 1]: every entry must be a finite number"),
    (np.array([1 + 2j]), "holds entries of type complex128"),
    (np.zeros((0, 2)), "holds an empty array (shape (0, 2))"),
])
def test_bad_npy_files_are_refused(cli, tmp_path, array, message):
    np.save(tmp_path / "m.npy", array)
    result = cli("grad", "sum(M)", "--M", f"@{tmp_path / 'm.npy'}")
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_a_pickled_npy_file_is_never_unpickled(cli, tmp_path):
    np.save(tmp_path / "m.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    result = cli("grad", "sum(M)", "--M", f"@{tmp_path / 'm.npy'}")
    assert result.exit_code == 2 and "holds Python objects" in result.stderr


def test_text_files_of_arrays_are_read_to_a_limit(cli, tmp_path):
    (tmp_path / "m.csv").write_text("1,2,3\n")
    result = cli("grad", "sum(M)", "--M", f"@{tmp_path / 'm.csv'}", "--max-entries", "2")
    assert result.exit_code == 2 and "has more than 2 numbers" in result.stderr
    (tmp_path / "r.csv").write_text("1,2\n3\n")
    result = cli("grad", "sum(M)", "--M", f"@{tmp_path / 'r.csv'}")
    assert result.exit_code == 2 and "is ragged: line 2 has 1 number and line 1 has 2 numbers" in result.stderr


def test_scalar_values_are_read_as_before(cli):
    result = cli("grad", "x*y", "--x", "2", "y=-3", "--format", "json", "--no-trace")
    assert json.loads(result.stdout)["variables"] == {"x": 2.0, "y": -3.0}
    assert "shapes" not in json.loads(result.stdout)


# -- outputs: JSON and CSV in full, Markdown and tables compact ------------------------------------


def test_csv_writes_every_entry_and_each_shape(cli):
    result = cli("grad", *SEED_003, "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "id,label,name,kind,op,inputs,shape,value,grad"
    assert lines[1] == 'M,M,variable,,,2 2,"[[1.0, 2.0], [-1.0, 3.0]]","[[6.0, 3.0], [0.0, 0.0]]"'.replace(
        "M,M", "0,M,M", 1)


def test_a_large_array_is_elided_in_tables_and_whole_in_json(cli):
    values = ",".join(str(k) for k in range(100))
    table = cli("grad", "sum(x*x)", "--x", values, "--no-trace")
    assert "[0, 2, …, 196, 198]" in table.stdout
    document = json.loads(cli("grad", "sum(x*x)", "--x", values, "--no-trace", "--format", "json").stdout)
    assert document["gradients"]["x"] == [2.0 * k for k in range(100)]


def test_markdown_shows_arrays_compactly(cli):
    result = cli("grad", *SEED_003, "--format", "markdown")
    assert "| M | input | [[1, 2], [-1, 3]] | [[6, 3], [0, 0]] |" in result.stdout
    assert "| t1 | `M @ x` | [4, 1] | [3, 0] |" in result.stdout


def test_the_trace_sums_contributions_back_to_a_broadcast_input():
    from gradcli.autograd.trace import trace

    graph = evaluated("sum(M * v)", {"M": [[1.0, 2.0], [3.0, 4.0]], "v": [10.0, 20.0]})
    steps = trace(graph.output, graph.variables, graph.names)
    product = next(step for step in steps.backward if step.op == "*")
    v = next(part for part in product.contributions if part.input_name == "v")
    assert v.contribution.tolist() == [4.0, 6.0] == graph.gradients()["v"].tolist()
    assert steps.has_arrays and [step.shape for step in steps.forward][:2] == [(2, 2), (2,)]


# -- check: every entry ---------------------------------------------------------------------------


def test_check_compares_every_entry_and_summarises_by_variable(cli):
    result = cli("check", *SEED_003, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    names = [check["name"] for check in document["checks"]]
    assert names == ["M[0, 0]", "M[0, 1]", "M[1, 0]", "M[1, 1]", "x[0]", "x[1]", "b[0]", "b[1]", "t[0]", "t[1]"]
    assert document["checks"][1]["variable"] == "M" and document["checks"][1]["entry"] == [0, 1]
    assert [(v["name"], v["shape"], v["passed"]) for v in document["variables"]] == [
        ("M", [2, 2], 4), ("x", [2], 2), ("b", [2], 2), ("t", [2], 2)]
    table = cli("check", *SEED_003)
    assert "By variable" in table.stdout and "4/4" in table.stdout


def test_check_catches_a_wrong_rule_in_one_entry(replace_rule):
    # a tanh rule that is wrong only where x > 1: check finds the one entry, and names it
    replace_rule("tanh", lambda m, xs, y, arg: (m.where(m.data(xs[0]) > 1.0, 0.0, 1.0 - y * y),))
    report = check_gradients(parse("sum(tanh(x))"), {"x": np.array([0.5, 2.0, -1.0])})
    assert not report.ok
    assert [check.name for check in report.checks if not check.ok] == ["x[1]"]
    (summary,) = report.by_variable()
    assert (summary.passed, summary.checks, summary.worst.name) == (2, 3, "x[1]")


def test_check_explains_a_kink_at_one_entry_and_ties_of_a_maximum():
    report = check_gradients(parse("sum(relu(x)) + max(y)"), {"x": [0.0, 1.0], "y": [3.0, 3.0]})
    assert report.ok
    causes = {check.name: check.cause for check in report.checks if check.status == "not differentiable"}
    assert causes["x[0]"] == "relu(x): entry [0]: argument is 0"
    assert causes["y[0]"] == causes["y[1]"] == "max(y): 2 entries tie at 3"


def test_random_points_keep_the_shape_of_each_array(cli):
    result = cli("check", "sum(M @ x)", "--M", "[[1,2],[3,4]]", "--x", "1,1", "--points", "4", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert all(np.shape(point["M"]) == (2, 2) and np.shape(point["x"]) == (2,) for point in document["points"])
    assert [worst["variable"] for worst in document["worst"]] == ["M", "x"]


# -- draw and explore ----------------------------------------------------------------------------


def test_draw_shows_shapes_and_small_arrays_on_the_boxes(cli):
    result = cli("draw", *SEED_003, "-o", "-")
    assert result.exit_code == 0, result.output
    source = result.stdout
    assert "(2, 2)" in source and "data [[1, 2], [-1, 3]]" in source and "grad [[6, 3], [0, 0]]" in source
    assert "data 2.2500" in source  # the scalar output as before


def test_explore_nudges_one_entry_at_a_time():
    from gradcli.explore.state import Explorer

    explorer = Explorer(parse("L = sum((relu(M @ x + b) - t)**2)"),
                        {"M": [[1, 2], [-1, 3]], "x": [2, 1], "b": [0.5, 1], "t": [3, 2]})
    assert explorer.names[:4] == ["M[0, 0]", "M[0, 1]", "M[1, 0]", "M[1, 1]"]
    nudge = explorer.nudge()
    assert nudge.name == "M[0, 0]" and nudge.gradient == 6.0
    assert nudge.quotient == pytest.approx(6.0, abs=0.01)
    explorer.move(+1)
    assert explorer.state.values["M"].tolist() == [[1.1, 2.0], [-1.0, 3.0]]
    assert explorer.state.value == pytest.approx((1.1 * 2 + 2 + 0.5 - 3) ** 2)
    line = explorer.command_line()
    assert '--M "[[1.1, 2], [-1, 3]]"' in line and '--x "[2, 1]"' in line
    explorer.reset()
    assert explorer.state.value == 2.25


def test_explore_refuses_to_plot_an_array_entry_instead_of_crashing():
    """p on M[0, 1] ended the app with a KeyError traceback."""
    from gradcli.explore.state import Explorer

    explorer = Explorer(parse("sum(M * M) + y"), {"M": [[1, 2], [3, 4]], "y": 1.0})
    explorer.select(+1)
    with pytest.raises(UsageError, match=r"M\[0, 1\] is an entry of the array M: the plot runs over a variable "
                                         r"that is one number \(here: y\)"):
        explorer.plot()
    explorer.select(+10)
    assert explorer.selected_name == "y" and explorer.plot().variable == "y"


def test_the_explore_command_line_reads_back(cli):
    from gradcli.explore.state import Explorer
    import shlex

    explorer = Explorer(parse("sum(x*x) + y"), {"x": [0.1, -2.0], "y": 3.0})
    explorer.gradient_step()
    arguments = shlex.split(explorer.command_line())[2:]
    result = cli("grad", *arguments, "--format", "json", "--no-trace")
    assert json.loads(result.stdout)["value"] == pytest.approx(explorer.state.value)


def test_engine_apply_of_stack_and_min_records():
    a, b = Value(np.array([1.0, 5.0])), Value(np.array([3.0, 2.0]))
    stacked = engine.apply("stack", a, b)
    assert stacked.shape == (2, 2)
    low = stacked.min(axis=0)
    (low * Value(np.array([10.0, 100.0]))).sum().backward()
    assert low.data.tolist() == [1.0, 2.0]
    assert a.grad.tolist() == [10.0, 0.0] and b.grad.tolist() == [0.0, 100.0]


def test_the_readme_array_example_shows_the_true_output(cli):
    """README.md's array example is pasted output: it must be what the command prints."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"<!-- readme:arrays -->\n```console\n\$ (gradcli [^\n]+)\n(.*?)```", readme, re.S)
    command, shown = block.group(1), block.group(2)
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    printed = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip()
    assert printed == "\n".join(line.rstrip() for line in shown.splitlines()).strip()


def test_array_operations_on_a_number_are_the_identity_with_their_gradients():
    """Found by fuzzing: the rules of transpose and softmax met a number and had no float version."""
    graph = evaluated("yᵀ + softmax(y) + sum(y) + max(y) + log_softmax(y)", {"y": 0.5})
    assert graph.output.data == pytest.approx(0.5 + 1 + 0.5 + 0.5 + 0)
    assert graph.gradients()["y"] == pytest.approx(3.0)
