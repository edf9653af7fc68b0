"""The attack catalogue's fast subset, run as real processes, and the harness that judges it.

benchmarks/attack.py replays every case of issue 10's audit (a few minutes);
here run the quick cases of the items already fixed (``catalogue.FIXED``):
each must be handled cleanly.  The harness is also checked to catch what it
looks for (a wrong status, a traceback, a changed file, a device replaced).
"""

from __future__ import annotations

import os
import stat

import pytest

from attack.catalogue import CASES, CATEGORIES, FIXED, GUARD, select
from attack.harness import Asset, Case, Device, Outcome, judge, make_assets, run_case, snapshot

QUICK = select(quick=True, enabled=True)
EXAMPLE = Case(GUARD, "expressions", "expects the wrong status", ("grad", "log(x)", "--x", "-1"), status=(0,),
               files={"m.json": Asset("moons.json"), "z": Device("zero")})


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    return make_assets(tmp_path_factory.mktemp("attack-assets"), QUICK + [EXAMPLE])


@pytest.mark.parametrize("case", QUICK, ids=[case.label for case in QUICK])
def test_a_quick_attack_is_handled_cleanly(case, assets):
    outcome = run_case(case, assets)
    assert outcome.clean, (outcome.problems, outcome.stderr[-500:])


def test_the_catalogue_covers_every_item_and_category():
    items = {case.item.split(".")[0] for case in CASES}
    assert {str(number) for number in range(1, 22)} <= items
    assert {case.category for case in CASES} == set(CATEGORIES)
    assert len(CASES) >= 200
    assert all(case.item in FIXED or case.item.split(".")[0] in FIXED for case in QUICK) and len(QUICK) >= 20
    assert len({case.label for case in CASES}) == len(CASES), "two cases with one name"


def outcome_of(case, status=0, stdout="", stderr=""):
    return Outcome(case, status, stdout, stderr, 0.1, [])


def test_the_judge_catches_what_it_looks_for(tmp_path):
    case = Case(GUARD, "expressions", "example", ("grad",), status=(2,), stderr=r"^error: ", stdout_not="…")
    assert judge(case, outcome_of(case, 2, stderr="error: bad\n"), tmp_path, {}) == []
    assert "exit status 0, expected 2" in judge(case, outcome_of(case, 0, stderr="error: bad"), tmp_path, {})[0]
    found = judge(case, outcome_of(case, 2, stderr="error: x\nTraceback (most recent call last):\n"), tmp_path, {})
    assert "a Python traceback" in found
    assert any("internal error" in p for p in judge(case, outcome_of(case, 2, stderr="error: internal error in "
                                                                                 "gradcli (KeyError: 1)"), tmp_path, {}))
    assert any("control" in p for p in judge(case, outcome_of(case, 2, stderr="error: \x1b[2J"), tmp_path, {}))
    assert any("stdout has" in p for p in judge(case, outcome_of(case, 2, "3.14…", "error: x"), tmp_path, {}))
    (tmp_path / ".m.json.abc.tmp").write_text("half")
    assert any("temporary files" in p for p in judge(case, outcome_of(case, 2, stderr="error: x"), tmp_path, {}))


def test_the_harness_sees_a_replaced_device_and_a_changed_file(tmp_path, assets):
    """A device node turned into a regular file, and a file whose bytes changed, are both caught."""
    case = Case("1", "data loss and damage", "example", ("grad",), unchanged=("n", "data.csv"))
    os.mknod(tmp_path / "n", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    (tmp_path / "data.csv").write_text("a\n")
    before = {name: snapshot(tmp_path / name) for name in case.unchanged}
    (tmp_path / "n").unlink()
    (tmp_path / "n").write_text("")  # what an atomic rename over /dev/null leaves
    (tmp_path / "data.csv").write_text("b\n")
    assert judge(case, outcome_of(case), tmp_path, before) == ["n changed", "data.csv changed"]


def test_a_real_run_that_is_not_clean_is_reported(assets):
    """The harness runs gradcli for real: a demand the program does not meet makes the case not clean."""
    outcome = run_case(EXAMPLE, assets)
    assert outcome.status == 1 and outcome.problems == ["exit status 1, expected 0"]
