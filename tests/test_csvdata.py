"""CSV datasets: parsing, task inference, every error (file, row, column), shipped files from a wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.render.errors import flag_name
from gradcli.data import csvfile as csvdata
from gradcli.data.csvfile import write_csv
from gradcli.data.datasets import Dataset, load_dataset, shipped_names
from gradcli.errors import DataError, UsageError

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def error_of(source: str, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        load_dataset(source, **kwargs)
    return caught.value.message


# ---------------------------------------------------------------- the shipped files

def test_toy4_is_the_classic_four_sample_set():
    data = load_dataset("toy4")
    assert data.X.tolist() == [[2, 3, -1], [3, -1, 0.5], [0.5, 1, 1], [1, 1, -1]]
    assert data.class_labels == [-1, 1] and data.y.tolist() == [1, 0, 0, 1]  # ys = [1, -1, -1, 1]
    assert data.task == "binary" and data.input_names == ["x1", "x2", "x3"] and data.target_name == "y"


def test_linear2_is_a_regression_set():
    data = load_dataset("linear2")
    assert data.X.tolist() == [[2, 3], [1, 1]] and data.y.tolist() == [16, 5]
    assert data.task == "regression" and data.class_labels == []


def test_shipped_files_are_package_resources():
    folder = resources.files("gradcli.datasets")
    assert {"toy4", "linear2"} <= set(shipped_names())
    assert (folder / "toy4.csv").read_text().startswith("x1,x2,x3,y")
    assert load_dataset("toy4.csv").name == "toy4"


def test_shipped_files_are_found_from_an_installed_wheel(tmp_path):
    """Build the wheel, then import gradcli from the wheel alone, in a folder without the checkout."""
    dist = tmp_path / "dist"
    for isolation in (["--no-build-isolation"], []):  # offline first; else let pip fetch setuptools and wheel
        build = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation, "-w", str(dist), str(REPO)],
            capture_output=True, text=True, timeout=300,
        )
        if build.returncode == 0:
            break
    else:
        pytest.skip(f"pip could not build a wheel here: {build.stderr.strip().splitlines()[-1:]}")
    wheel = next((tmp_path / "dist").glob("gradcli-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert {"gradcli/datasets/toy4.csv", "gradcli/datasets/linear2.csv"} <= set(archive.namelist())
    # a wheel is a zip that Python can import from: the CSVs must come out of the zip itself
    script = ("import gradcli, gradcli.data.datasets as d; "
              "assert gradcli.__file__.startswith(%r), gradcli.__file__; "
              "print(d.load_dataset('toy4').X.shape, d.shipped_names())" % str(wheel))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                         env=dict(os.environ, PYTHONPATH=str(wheel)), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "(4, 3)" in run.stdout and "'linear2'" in run.stdout and "'toy4'" in run.stdout


# ---------------------------------------------------------------- happy paths

def test_csv_last_column_is_the_target_and_names_come_from_the_header(tmp_path):
    path = write(tmp_path, "height, weight ,label\n1.5,60,0\n1.8,80,1\n1.6,55,0\n1.9,90,1\n")
    data = load_dataset(path)
    assert data.name == path and data.input_names == ["height", "weight"] and data.target_name == "label"
    assert data.X.tolist() == [[1.5, 60], [1.8, 80], [1.6, 55], [1.9, 90]]
    assert data.task == "binary" and data.class_labels == [0, 1] and data.y.tolist() == [0, 1, 0, 1]


def test_target_option_picks_another_column(tmp_path):
    path = write(tmp_path, "y,a,b\n1,2,3\n4,5,6\n7,8,9\n")
    data = load_dataset(path, target="y")
    assert data.input_names == ["a", "b"] and data.X.tolist() == [[2, 3], [5, 6], [8, 9]]
    assert data.y.tolist() == [1, 4, 7] and data.task == "regression"


def test_multiclass_labels_are_sorted_and_indexed(tmp_path):
    rows = "".join(f"{i},{label}\n" for i, label in enumerate([3, 1, 2, 3, 1, 2, 3, 1, 2]))
    data = load_dataset(write(tmp_path, "x,c\n" + rows))
    assert data.task == "multiclass" and data.class_labels == [1, 2, 3]
    assert data.y.tolist() == [2, 0, 1, 2, 0, 1, 2, 0, 1]


def test_blank_lines_bom_and_quotes_are_tolerated(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes('\ufeff"x","y"\n\n1,2\n 3 , 4 \n\n'.encode("utf-8"))
    data = load_dataset(str(path))
    assert data.input_names == ["x"] and data.X.tolist() == [[1], [3]] and data.y.tolist() == [2, 4]


@pytest.mark.parametrize("values, expected", [
    ([1, -1, -1, 1], "binary"),                 # toy4: two labels on four rows
    ([16, 5], "regression"),                    # linear2: two values on two rows
    ([0, 1, 2, 3] * 3, "multiclass"),
    ([0.5, 1.5, 0.5, 1.5], "regression"),       # not integers
    (list(range(11)) * 3, "regression"),        # more than ten values
    ([1, 2, 3, 4, 5, 1], "regression"),         # more than one distinct value per two rows
])
def test_infer_task(values, expected):
    assert csvdata.infer_task(np.array(values, dtype=float)) == expected


def test_task_override(tmp_path):
    path = write(tmp_path, "x,y\n1,0\n2,1\n3,0\n4,1\n")
    assert load_dataset(path).task == "binary"
    forced = load_dataset(path, task="regression")
    assert forced.task == "regression" and forced.y.tolist() == [0, 1, 0, 1]
    values = write(tmp_path, "x,y\n1,0.5\n2,1.5\n3,2.5\n", "values.csv")
    as_classes = load_dataset(values, task="classification")
    assert as_classes.task == "multiclass" and as_classes.class_labels == [0.5, 1.5, 2.5]
    assert load_dataset(path, task="multiclass").task == "binary"  # two classes are binary
    with pytest.raises(DataError, match=": task binary, but the target 'y' has 3 classes") as caught:
        load_dataset(values, task="binary")
    assert "--task binary, but the target 'y' has 3 classes" in caught.value.describe(flag_name)
    assert caught.value.describe_hint(flag_name) == "use --task multiclass"


# ---------------------------------------------------------------- errors name file, row, column

def test_ragged_row(tmp_path):
    path = write(tmp_path, "x1,x2,y\n1,2,3\n4,5\n")
    assert error_of(path) == f"{path}, row 3: 2 values, but the header names 3 columns"
    path = write(tmp_path, "x1,x2,y\n1,2,3\n4\n", "short.csv")
    assert error_of(path) == f"{path}, row 3: 1 value, but the header names 3 columns"


def test_non_number_names_row_and_column(tmp_path):
    path = write(tmp_path, "x1,x2,y\n1,2,3\n\n4,abc,1\n")
    assert error_of(path) == f"{path}, row 4, column 2 ('x2'): 'abc' is not a number"


def test_empty_cell_and_infinite_values(tmp_path):
    path = write(tmp_path, "x1,x2,y\n1,,3\n")
    assert error_of(path) == f"{path}, row 2, column 2 ('x2'): the cell is empty; every cell needs a number"
    path = write(tmp_path, "x1,x2,y\n1,2,3\n1,2,inf\n", "inf.csv")
    assert error_of(path) == f"{path}, row 3, column 3 ('y'): 'inf' is not a finite number"
    path = write(tmp_path, "x1,x2,y\nnan,2,3\n1,2,3\n", "nan.csv")
    assert error_of(path) == f"{path}, row 2, column 1 ('x1'): 'nan' is not a finite number"


@pytest.mark.parametrize("cell", ["1_000", "\u0663", "\uff11", "1\u00a0000", "0x10", "1,5"])
def test_only_plain_ascii_numbers_are_numbers(tmp_path, cell):
    """float() takes '1_000', Arabic-Indic '٣' and full-width '１'; a data file that holds them is refused."""
    path = write(tmp_path, f'x1,x2,y\n1,2,0\n"{cell}",4,1\n5,6,0\n7,8,1\n')
    message = error_of(path)
    assert message.startswith(f"{path}, row 3, column 1 ('x1'): '{cell}' is not a number"), message


def test_a_number_beyond_the_float_range_says_so(tmp_path):
    path = write(tmp_path, "x1,y\n1,0\n1e999,1\n")
    assert error_of(path) == f"{path}, row 3, column 1 ('x1'): '1e999' is too large for a float (the largest is about 1.8e308)"


def test_a_header_of_other_scripts_digits_is_a_header(tmp_path):
    path = write(tmp_path, "\u0661,\u0662\n1,0\n2,1\n3,0\n4,1\n")
    assert load_dataset(path).input_names == ["\u0661"]


def test_a_cell_longer_than_the_csv_limit_names_row_and_column(tmp_path):
    path = write(tmp_path, "x1,x2,y\n1,2,0\n3," + "1" * 140_000 + ",1\n")
    assert error_of(path) == f"{path}, row 3, column 2: a cell holds more than 131,072 characters; a cell holds one number"


def test_a_symlink_loop_is_read_as_a_path_not_a_dataset_name(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert error_of(str(tmp_path / "a")) == f"cannot read {tmp_path / 'a'}: too many levels of symbolic links (a symlink loop?)"


def test_empty_file_and_header_only(tmp_path):
    assert error_of(write(tmp_path, "")).endswith("is empty: expected a header row (e.g. x1,x2,y) and rows of numbers")
    assert error_of(write(tmp_path, "\n  \n", "blank.csv")).endswith("is empty: expected a header row "
                                                                     "(e.g. x1,x2,y) and rows of numbers")
    path = write(tmp_path, "x,y\n", "header.csv")
    assert error_of(path) == f"{path} has no data rows after the header; a dataset needs at least 2"
    path = write(tmp_path, "x,y\n1,2\n", "one.csv")
    assert error_of(path) == f"{path} has one data row after the header; a dataset needs at least 2"


def test_header_problems(tmp_path):
    path = write(tmp_path, "1,2,3\n4,5,6\n")
    assert error_of(path) == f"{path}, row 1: the first row holds numbers, not column names"
    path = write(tmp_path, "x,,y\n1,2,3\n", "noname.csv")
    assert error_of(path) == f"{path}, row 1, column 2: the header has an empty column name"
    path = write(tmp_path, "x,x,y\n1,2,3\n", "twice.csv")
    assert error_of(path) == f"{path}, row 1, column 2: the column name 'x' appears twice"
    path = write(tmp_path, "y\n1\n2\n", "single.csv")
    assert "has one column ('y'); a dataset needs at least one input and a target" in error_of(path)


def test_one_class_only(tmp_path):
    path = write(tmp_path, "x1,x2,y\n1,2,1\n3,4,1\n5,6,1\n")
    assert error_of(path) == f"{path}: the target 'y' holds one class only (1); a classifier needs at least two"
    assert load_dataset(path, task="regression").y.tolist() == [1, 1, 1]


def test_unknown_target_suggests_a_column(tmp_path):
    path = write(tmp_path, "x1,x2,label\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError) as caught:
        load_dataset(path, target="lable")
    assert caught.value.message == f"{path} has no column 'lable' (did you mean 'label'?)"
    assert caught.value.hint == "its columns are: x1, x2, label"


def test_missing_file_folder_and_not_utf8(tmp_path):
    missing = str(tmp_path / "nope.csv")
    assert error_of(missing) == f"no such file: {missing}"
    assert error_of(str(tmp_path) + os.sep) == f"{tmp_path}{os.sep} is a folder, not a CSV file"
    binary = tmp_path / "latin.csv"
    binary.write_bytes(b"x,y\n1,2\n\xff,3\n")
    assert error_of(str(binary)) == f"{binary} is not UTF-8 text (byte 9 cannot be decoded)"


def test_unclosed_quote_is_reported_where_it_opens(tmp_path):
    path = write(tmp_path, 'x,y\n1,2\n"3,4\n5,6\n')
    assert error_of(path) == f"{path}, row 3: a quote opened in this row is never closed"


def test_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(csvdata, "MAX_COLUMNS", 2)
    path = write(tmp_path, "a,b,c\n1,2,3\n", "wide.csv")
    assert error_of(path) == f"{path} has 3 columns; gradcli reads at most 2"


def test_a_file_too_large_for_memory_is_refused_with_its_size_before_it_is_read(tmp_path, monkeypatch):
    from gradcli.errors import LimitError
    from gradcli.limits import MB

    path = write(tmp_path, "x,y\n" + "1,0\n2,1\n" * (2**20 * 3 // 16), "big.csv")  # 1.5 MB, 393,216 rows
    assert len(load_dataset(path).y) == 2**20 * 3 // 8  # more rows than the old limit of 100,000
    monkeypatch.setattr(csvdata, "read_limited", lambda *a, **k: pytest.fail("the file was read"))
    with pytest.raises(LimitError) as caught:
        load_dataset(path, max_memory=4 * MB)
    assert str(caught.value) == ("reading " + path + " needs about 4.5 MB of memory (a CSV file of 1.5 MB), "
                                 "more than max_memory 4 MB")
    assert caught.value.describe_hint(flag_name).endswith("raise the limit with --max-memory 100MB if the machine "
                                                         "has that much memory free")


def test_a_file_the_fast_reader_cannot_take_is_read_cell_by_cell_within_the_limit(tmp_path):
    from gradcli.errors import LimitError
    from gradcli.limits import MB

    quoted = write(tmp_path, "x,y\n" + '"1","0"\n"2","1"\n' * 100_000, "quoted.csv")  # 1.6 MB, every cell quoted
    assert load_dataset(quoted).X.shape == (200_000, 1)
    with pytest.raises(LimitError, match="is not plain numbers and commas .* reading it cell by cell needs about "
                                         "31 MB of memory"):
        load_dataset(quoted, max_memory=10 * MB)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(-1e300, 1e300), st.integers(-5, 5)), min_size=2,
                max_size=40), st.sampled_from(["{!r}", "{:.3e}", "{:.17g}", " {!r} "]), st.booleans())
def test_the_fast_reader_gives_the_careful_readers_numbers(tmp_path, rows, style, crlf):
    end = "\r\n" if crlf else "\n"
    raw = ("a,b" + end + "".join(style.format(x) + "," + str(k) + end for x, k in rows)).encode()
    fast = csvdata._plain_table(raw, "f.csv")
    assert fast is not None  # plain numbers: NumPy's reader takes them
    careful = csvdata._text_table(raw, "f.csv").numbers([0, 1])
    assert fast.values.tolist() == careful.tolist()  # every bit


def test_too_many_classes_when_forced(tmp_path, monkeypatch):
    monkeypatch.setattr(csvdata, "MAX_CLASSES", 3)
    from gradcli.data import datasets as data_module

    monkeypatch.setattr(data_module, "MAX_CLASSES", 3)
    path = write(tmp_path, "x,y\n" + "".join(f"{i},{i}\n" for i in range(5)))
    message = error_of(path, task="classification")
    assert message == f"{path}: the target 'y' has 5 distinct values, too many classes (at most 3)"


def test_generator_options_do_not_apply_to_csv(tmp_path):
    with pytest.raises(UsageError, match="^classes applies only to blobs and spiral, not to toy4") as caught:
        load_dataset("toy4", classes=3)
    assert caught.value.describe(flag_name) == "--classes applies only to blobs and spiral, not to toy4"


# ---------------------------------------------------------------- properties


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(2, 30), columns=st.integers(1, 5), data=st.data())
def test_any_finite_table_round_trips_through_write_and_read(tmp_path, rows, columns, data):
    X = np.array(data.draw(st.lists(st.lists(finite, min_size=columns, max_size=columns), min_size=rows,
                                    max_size=rows)))
    y = np.array(data.draw(st.lists(finite, min_size=rows, max_size=rows)))
    names = [f"in{j}" for j in range(columns)]
    original = Dataset("t", X, y, "regression", names, [], "out", "")
    path = tmp_path / "t.csv"
    write_csv(str(path), original)
    again = load_dataset(str(path), task="regression")
    assert np.array_equal(again.X, X) and np.array_equal(again.y, y)   # every digit survives
    assert again.input_names == names and again.target_name == "out"
