"""Heavy modules are imported with the cycle collector paused, and it is left as it was."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc, sys, sheetsync
gc.disable() if sys.argv[1] == "off" else None
module = sheetsync.import_quietly("sheetsync.pipeline")
print(module.__name__, "pandas" in sys.modules, gc.isenabled(), gc.get_freeze_count() > 10000)
print(sheetsync.import_quietly("sheetsync.pipeline") is module)
"""


def test_the_collector_is_left_as_it_was_and_the_import_frozen() -> None:
    for state, enabled in (("on", "True"), ("off", "False")):
        out = subprocess.run([sys.executable, "-c", SCRIPT, state], capture_output=True,
                             text=True, check=True).stdout.split("\n")
        assert out[:2] == [f"sheetsync.pipeline True {enabled} True", "True"]


def test_reports_are_written_with_the_collector_paused_and_it_is_left_as_it_was(tmp_path,
                                                                                monkeypatch) -> None:
    import gc

    from helpers import RISK_HEADER, risk_row, run_sheetsync, write_openpyxl

    import sheetsync.report.reports as reports

    path = write_openpyxl(tmp_path / "in" / "r.xlsx", {"Risks": [RISK_HEADER, risk_row()]})
    run = run_sheetsync([path], tmp_path / "out", reports=False)
    seen: list[bool] = []
    real = reports._write_json
    monkeypatch.setattr(reports, "_write_json",
                        lambda *args: seen.append(gc.isenabled()) or real(*args))
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            reports.write_reports(run)
            assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]


def test_a_worker_starts_with_the_collector_running(monkeypatch) -> None:
    """Forked while the run had paused it, a worker must not go on without it for the run."""
    import gc

    import sheetsync.weekly.workers as workers
    from sheetsync.results import Settings

    monkeypatch.setattr(workers, "_SETTINGS", [])
    was = gc.isenabled()
    gc.disable()
    try:
        workers._worker_settings(Settings.load())
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_a_run_checking_in_its_own_process_collects_between_workbooks(tmp_path,
                                                                       monkeypatch) -> None:
    """With one job the workbooks are checked here: the collector must be running between
    them (the openpyxl writer leaves cyclic garbage), and paused while the outputs are made."""
    import gc

    from helpers import AS_OF, RISK_HEADER, risk_row, write_openpyxl

    import sheetsync.report.reports as reports
    import sheetsync.weekly.workers as workers
    from sheetsync.report.quarters import quarter_of
    from sheetsync.results import Settings
    from sheetsync.weekly.job import run_job

    for name in ("a", "b", "c"):
        write_openpyxl(tmp_path / "in" / f"{name}.xlsx", {"Risks": [RISK_HEADER, risk_row()]})
    checking: list[bool] = []
    writing: list[bool] = []
    real_check, real_write = workers.check_steady, reports._write_all
    monkeypatch.setattr(workers, "check_steady",
                        lambda *a: checking.append(gc.isenabled()) or real_check(*a))
    monkeypatch.setattr(reports, "_write_all",
                        lambda *a: writing.append(gc.isenabled()) or real_write(*a))
    assert gc.isenabled()
    run_job([tmp_path / "in"], tmp_path / "out", Settings.load(as_of=AS_OF), quarter_of(AS_OF),
            jobs=1, email=False)
    assert (checking, writing) == ([True, True, True], [False])
    assert gc.isenabled()
