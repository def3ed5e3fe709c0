# Copyright (c) seavis_mm contributors. All rights reserved.
"""The tools log through mmengine (print_log / MMLogger), as OpenMMLab's do,
and eval_results shows mmengine's progress bar."""
import ast
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LOGGING_TOOLS = ('tools/train.py', 'tools/test.py',
                 'tools/analysis_tools/browse_dataset.py',
                 'tools/analysis_tools/eval_results.py')


@pytest.mark.parametrize('tool', LOGGING_TOOLS)
def test_no_bare_print(tool):
    tree = ast.parse(open(osp.join(ROOT, tool)).read())
    prints = [
        n.lineno for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        and n.func.id == 'print'
    ]
    assert prints == [], f'{tool}: print() at lines {prints}'


def test_eval_results_progress_bar(tmp_path):
    """One tick of mmengine's ProgressBar per video, and the scores logged
    by mmengine's logger."""
    from ..evaluation.test_silence import RESULTS, SOUNDING
    gt, res = tmp_path / 'gt.json', tmp_path / 'res.json'
    gt.write_text(json.dumps(SOUNDING))
    res.write_text(json.dumps(RESULTS))
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, LOGGING_TOOLS[3]), str(gt),
         str(res)],
        cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=ROOT),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout
    assert proc.returncode == 0, out
    num_videos = len(SOUNDING['videos'])
    assert f'{num_videos}/{num_videos}' in out and 'task/s' in out, out
    assert re.search(r'mmengine - INFO - avis/FSLA: [0-9.]+', out), out
