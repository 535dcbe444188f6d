"""The runner's environment log says what is used (backend, device, GPUs);
mmengine's unused-FileClient deprecation warnings are dropped, nothing
else."""
import logging

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.fileio.file_client import FileClient, HardDiskBackend
from mmengine.logging import MMLogger, print_log

from gankd.engine.runtime_log import (FILE_CLIENT_DEPRECATIONS,
                                      environment_report,
                                      quiet_file_client_deprecation,
                                      runtime_environment)

ON_CUDA = torch.cuda.is_available()
ENV_CFG = dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl'))


def environment(world_size, distributed):
    return runtime_environment(ENV_CFG, dict(seed=0), 0,
                               'pytorch' if distributed else 'none',
                               distributed, world_size)


def test_one_process_reports_its_device_and_no_gpu_on_cpu():
    env = environment(1, False)
    assert env['Device'] == ('cuda' if ON_CUDA else 'cpu')
    assert env['GPU number'] == (1 if ON_CUDA else 0)
    assert env['Processes'] == 1
    assert env['dist_cfg'] == {'backend': 'nccl'}  # no process group: as set


def test_a_process_group_reports_its_real_backend(tmp_path):
    """mmengine logs the configured nccl and 'GPU number: <world size>'."""
    assert not torch_dist.is_initialized()
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    try:
        env = environment(2, True)
    finally:
        torch_dist.destroy_process_group()
    assert env['dist_cfg'] == {'backend': 'gloo'}
    assert env['Processes'] == 2
    assert env['GPU number'] == (2 if ON_CUDA else 0)
    assert ENV_CFG['dist_cfg'] == {'backend': 'nccl'}  # the config unchanged
    report = environment_report(env)
    assert "\n    dist_cfg: {'backend': 'gloo'}\n" in report
    assert f"\n    GPU number: {2 if ON_CUDA else 0}\n" in report


@pytest.fixture
def records():
    """Messages reaching the current MMLogger's handlers."""
    logger = MMLogger.get_instance('test_runtime_log', log_level='INFO')
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    yield seen
    logger.removeHandler(handler)


def test_only_the_two_file_client_warnings_are_dropped(records, tmp_path):
    FileClient.infer_client(None, str(tmp_path))
    HardDiskBackend()
    assert [any(m.startswith(p) for m in records)
            for p in FILE_CLIENT_DEPRECATIONS] == [True, True]
    records.clear()
    with quiet_file_client_deprecation():
        FileClient.infer_client(None, str(tmp_path))
        HardDiskBackend()
        print_log('another warning', logger='current', level=logging.WARNING)
    assert records == ['another warning']
    FileClient.infer_client(None, str(tmp_path))  # the filter is gone again
    assert records[-1].startswith(FILE_CLIENT_DEPRECATIONS[0])
