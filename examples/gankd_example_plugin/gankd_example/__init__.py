"""gankd_example: a third-party gankd plugin implementing every hook.

Copy this package to start your own: rename it, keep the entry point in
setup.py, and implement only the hooks you need (see gankd/hookspecs.py).
"""
import os
import re

from gankd import hookimpl

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, 'weights', 'example_conv_net_w8.pth')
# sha256 of the shipped file, as a real model index entry would list it.
WEIGHTS_SHA256 = 'df57410a79eb092853c6730921aad9c5769c5a11b7fad8ed1d81fa9274f8b9ad'
LEGACY_PREFIX = 'net.'


@hookimpl
def gankd_register_modules(registrar):
    # Import here, not at package import: gankd loads plugins lazily.
    from gankd_example.example_conv_net import ExampleConvNet
    registrar.register('model', ExampleConvNet)


@hookimpl
def gankd_config_roots():
    return {'gankd_example': os.path.join(HERE, 'configs')}


@hookimpl
def gankd_model_index():
    return [
        dict(
            name='example-conv-net-w8',
            config='gankd_example::example_conv_net_1xb64_synthshapes.py',
            filename=os.path.basename(WEIGHTS),
            sha256=WEIGHTS_SHA256,
            source=f'shipped with gankd-example-plugin ({WEIGHTS})',
            converter='example-legacy')
    ]


def _convert_legacy(checkpoint: dict) -> dict:
    """Legacy format: ``{'net.<i>.<param>': tensor}`` for the backbone's
    ``layers``; gankd: ``backbone.layers.<i>.<param>``."""
    from gankd.utils.converters import ConversionError
    state = {}
    for key, value in checkpoint.items():
        if not key.startswith(LEGACY_PREFIX):
            raise ConversionError(f"key '{key}' lacks the legacy prefix "
                                  f"'{LEGACY_PREFIX}'")
        state['backbone.layers.' + key[len(LEGACY_PREFIX):]] = value
    return state


@hookimpl
def gankd_checkpoint_converters():
    from gankd.utils.converters import CheckpointConverter
    return [
        CheckpointConverter(
            name='example-legacy',
            convert=_convert_legacy,
            matches=lambda ckpt: all(
                isinstance(k, str) and k.startswith(LEGACY_PREFIX)
                for k in ckpt),
            description='legacy ExampleConvNet files (net.* keys)')
    ]


@hookimpl
def gankd_add_cli_arguments(command, parser):
    group = parser.add_argument_group('gankd_example')
    group.add_argument('--example-width', type=int,
                       help='width of an ExampleConvNet backbone')


@hookimpl
def gankd_apply_cli_arguments(command, args, cfg):
    if getattr(args, 'example_width', None) is not None:
        backbone = cfg.model.backbone
        backbone.width = args.example_width
        cfg.model.head.in_channels = 4 * args.example_width


@hookimpl
def gankd_check_config(command, cfg):
    backbone = cfg.get('model', {}).get('backbone', {})
    if not re.search(r'ExampleConvNet$', str(backbone.get('type', ''))):
        return []
    width = backbone.get('width', 8)
    if width % 4:
        return [f'model.backbone.width: ExampleConvNet needs a multiple of '
                f'4, got {width}']
    return []
