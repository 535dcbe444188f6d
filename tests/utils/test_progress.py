from gankd.utils.progress import ProgressLine


def test_log_mode_prints_about_every_tenth_and_the_end(capsys):
    line = ProgressLine('probe: sampling', 100, unit='codes')
    for _ in range(40):
        line.update(3)  # 120 > 100: clamped to the total
    lines = capsys.readouterr().err.splitlines()
    # Not a terminal under pytest: one line per crossed 10% step.
    assert lines[0] == 'probe: sampling: 12/100 codes'
    assert lines[-1] == 'probe: sampling: 100/100 codes'
    assert len(lines) == 10


def test_disabled_or_small_work_prints_nothing(capsys):
    ProgressLine('x', 50, enabled=False).update(50)
    ProgressLine('x', 16, min_total=16).update(16)
    assert capsys.readouterr().err == ''
