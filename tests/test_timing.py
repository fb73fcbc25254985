"""gazette.timing and the background jobs' CPU time: what scripts/bench.py reads of a build."""

from __future__ import annotations

import time

from gazette import background, timing


def _spin(seconds: float) -> int:
    """Busy for `seconds` of this process's CPU time."""
    end, n = time.process_time() + seconds, 0
    while time.process_time() < end:
        n += 1
    return n


def test_a_background_job_hands_back_its_cpu_time_with_its_result():
    job = background.BackgroundJob(_spin, 0.3)
    assert job.cpu_seconds is None
    assert job.wait() > 0
    assert 0.25 <= job.cpu_seconds < 5


def test_a_job_that_fails_still_reports_its_cpu_time_and_its_error():
    import pytest

    def fail():
        _spin(0.1)
        raise ValueError("坏了")

    job = background.BackgroundJob(fail)
    with pytest.raises(RuntimeError, match="坏了"):
        job.wait()
    assert job.cpu_seconds >= 0.05


def test_recorded_stages_keep_the_cpu_time_they_are_given():
    timings = timing.start()
    try:
        timing.record("overlapped", 2.0, cpu_seconds=3.25)
        timing.record("plain", 1.0)
    finally:
        timing._current = None
    stages = timings.as_dict()
    assert stages["overlapped"] == {"seconds": 2.0, "peak_mb": 0.0, "cpu": 3.25}
    assert "cpu" not in stages["plain"]
    assert "3.25 s CPU" in timings.table() and timings.table().count("CPU") == 1
