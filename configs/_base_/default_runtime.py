# Runtime shared by every gankd config (mmpretrain's default_runtime, with
# gankd's scope and runner).
default_scope = 'gankd'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # gankd's runner makes checkpoint writes atomic (temp file + rename).
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # On CPU-only machines gankd's runner uses gloo whatever is set here.
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='mmpretrain.UniversalVisualizer',
                  vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
# load_from (and tools/test.py's checkpoint) must fit the whole model, keys
# and shapes. True loads only the weights that fit, on purpose (e.g. a new
# head); a warning lists the rest. --resume is always strict.
allow_partial_load = False
resume = False
randomness = dict(seed=0, deterministic=False)
