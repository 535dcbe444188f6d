"""The config of the deployable Residual KD classifier: S + A + head."""
import copy
from typing import Optional, Sequence

from gankd_residual_kd.model_utils import probe_output, qualify_types

__all__ = ['combined_classifier_config']


def _connector(cfg: Optional[dict], in_channels: int, out_channels: int,
               branch: str, target: str) -> Optional[dict]:
    if cfg is None:
        if in_channels != out_channels:
            raise ValueError(
                f'{branch}_connector=None, but the {branch} backbone ends '
                f'with {in_channels} channels and the teacher layer '
                f"'{target}' has {out_channels}: keep {branch}_connector="
                "dict(type='ConvBNConnector') or match a teacher layer with "
                f'{in_channels} channels.')
        return None
    return dict(cfg, in_channels=in_channels, out_channels=out_channels)


def combined_classifier_config(student_classifier: dict,
                               assistant_backbone: dict,
                               target_shape: Sequence[int],
                               target_name: str = 'teacher feature',
                               student_connector: Optional[dict] = dict(
                                   type='ConvBNConnector'),
                               assistant_connector: Optional[dict] = dict(
                                   type='ConvBNConnector'),
                               zero_init_assistant: bool = True,
                               input_size: int = 32) -> dict:
    """The ``mmpretrain.ImageClassifier`` config that deploys S + A.

    The student classifier's backbone becomes a
    ``gankd.StudentAssistantBackbone`` holding it, the assistant backbone
    and both connectors; its neck is kept; its head takes ``C_T`` channels.
    Channel counts come from probing each backbone on one
    ``input_size`` x ``input_size`` image, so the result is literal and
    rebuilds without probing. Every type is scope-qualified.

    Args:
        student_classifier (dict): Classifier config whose backbone is S.
        assistant_backbone (dict): Backbone config of A.
        target_shape (Sequence[int]): ``(C_T, h, w)`` of the teacher layer
            for that input size.
        target_name (str): The teacher layer, for error messages.
        student_connector, assistant_connector (dict, optional): Connector
            configs without channels (filled in); None for no connector.
        zero_init_assistant (bool): See ``ResidualAssistant``.
        input_size (int): Side of the probe image.

    Raises:
        ValueError: a branch ends at another size than the teacher layer,
            or needs a connector it was not given (naming both).
    """
    cfg = qualify_types(student_classifier)
    student_backbone = cfg['backbone']
    assistant_backbone = qualify_types(assistant_backbone)
    channels, height, width = (int(v) for v in target_shape[-3:])
    shapes = {}
    for branch, backbone in (('student', student_backbone),
                             ('assistant', assistant_backbone)):
        shape = probe_output(backbone, input_size)
        if tuple(shape[-2:]) != (height, width):
            raise ValueError(
                f'the {branch} backbone ends at {shape[-2]}x{shape[-1]} but '
                f"the teacher layer '{target_name}' is {height}x{width} (for "
                f'a {input_size}x{input_size} input): choose a teacher_layer '
                f'at the {branch}\'s resolution.')
        shapes[branch] = int(shape[1])
    s_connector = _connector(student_connector, shapes['student'], channels,
                             'student', target_name)
    a_connector = _connector(assistant_connector, shapes['assistant'],
                             channels, 'assistant', target_name)
    cfg['backbone'] = qualify_types(dict(
        type='gankd.StudentAssistantBackbone',
        student=student_backbone,
        student_connector=s_connector,
        assistant=dict(type='gankd.ResidualAssistant',
                       backbone=assistant_backbone,
                       connector=a_connector,
                       zero_init_output=zero_init_assistant)))
    cfg['head'] = dict(copy.deepcopy(cfg['head']), in_channels=channels)
    return cfg
