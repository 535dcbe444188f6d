"""Fixtures of the knowledge-points tests: one torch thread (the tests are
tiny; two threads only contend on a busy machine) and the per-image
reference learner (``gankd_knowledge_points.reference_sigma_loop``)."""
import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def reference():
    from gankd_knowledge_points.reference_sigma_loop import reference_sigma
    return reference_sigma
