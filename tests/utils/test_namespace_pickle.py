"""Files that pickle ``argparse.Namespace`` (saved training arguments) are
read as plain data by ``load_weights``, without allowing the class.

The gadget that allowlisting the class would open is in
``tests/test_untrusted_files.py``.
"""
import argparse
import pickle
import pickletools
from collections import OrderedDict

import pytest
import torch

from gankd.utils import checkpoint as ckpt
from gankd.utils.namespace_pickle import rewrite_namespaces


class Unknown:
    """Pickled by reference: a class the weights-only loader refuses."""


def training_args() -> argparse.Namespace:
    """Arguments as a training script has them: parsed, then extended."""
    parser = argparse.ArgumentParser()
    parser.add_argument('path')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--lr', type=float, default=0.002)
    parser.add_argument('--ckpt', default=None)
    parser.add_argument('--wandb', action='store_true')
    parser.add_argument('--betas', type=float, nargs=2, default=(0.0, 0.99))
    args = parser.parse_args(['lmdb/ffhq', '--size', '64'])
    args.latent, args.n_mlp = 512, 8
    return args


@pytest.mark.parametrize('zip_format', [True, False],
                         ids=['zip', 'legacy'])
def test_namespaces_are_read_as_their_fields(tmp_path, zip_format):
    args = training_args()
    weights = torch.nn.Linear(3, 2).state_dict()  # an OrderedDict + _metadata
    path = tmp_path / 'ckpt.pt'
    torch.save({'g': weights, 'args': args, 'same': args,
                'nested': [argparse.Namespace(inner=argparse.Namespace(k=1))]},
               path, _use_new_zipfile_serialization=zip_format)
    with pytest.raises(ckpt.CheckpointError, match='argparse.Namespace'):
        ckpt.load_training_checkpoint(str(path))  # gankd's own files: never
    loaded = ckpt.load_weights(str(path))
    assert loaded['args'] == OrderedDict(vars(args))
    assert list(loaded['args']) == list(vars(args))  # attribute order kept
    assert type(loaded['args']) is OrderedDict and not vars(loaded['args'])
    assert loaded['same'] is loaded['args']  # shared as in the file
    assert loaded['nested'] == [OrderedDict(inner=OrderedDict(k=1))]
    # A genuine OrderedDict keeps its items and attributes.
    assert type(loaded['g']) is OrderedDict
    assert list(loaded['g']) == ['weight', 'bias']
    assert loaded['g']._metadata == weights._metadata
    assert torch.equal(loaded['g']['weight'], weights['weight'])


def test_only_the_namespace_class_is_replaced():
    """The rewritten pickle names no global but OrderedDict where the
    Namespace was; everything else is the original pickle's."""
    data = pickle.dumps({'args': argparse.Namespace(a=1), 'n': None},
                        protocol=2)
    names = [arg for op, arg, _ in pickletools.genops(rewrite_namespaces(data))
             if op.name == 'GLOBAL']
    assert names == ['collections OrderedDict']
    assert pickle.loads(rewrite_namespaces(data)) == (
        {'args': OrderedDict(), 'n': None}, [OrderedDict()])
    plain = pickle.dumps({'n': [1, 2]}, protocol=2)
    assert pickle.loads(rewrite_namespaces(plain)) == ({'n': [1, 2]}, [])


def test_other_refused_globals_are_still_refused(tmp_path):
    """A Namespace holding an object is refused naming that object's
    class, in one line naming the file."""
    path = tmp_path / 'ckpt.pt'
    torch.save({'args': argparse.Namespace(out=Unknown())}, path)
    with pytest.raises(ckpt.CheckpointError) as info:
        ckpt.load_weights(str(path))
    message = str(info.value)
    assert message.startswith(f'{path}: holds ')
    assert 'Unknown, which the weights-only loader does not allow' in message
    assert '\n' not in message
