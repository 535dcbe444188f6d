# Knowledge points, network B: the baseline, trained from scratch on the
# labels only (spec §2.1). Same architecture as T and S: the 3-stage
# ResNet-18 at 1/8 width (8-16-32 channels). The knowledge-points command
# (tools/knowledge_points.py) adds the seed, the work dir, the checkpoints
# at the epoch list (CheckpointAtEpochsHook) and the weight distances of the
# diagnosed layers (WeightDistanceHook).
_base_ = [
    '../_base_/models/resnet18-3stage-w8_cifar.py',
    '../_base_/datasets/synth_shapes_kp.py',
    '../_base_/schedules/synth_shapes_quick.py',
    '../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=20))
# 10 epochs (the paper: 150); SGD + cosine of the quick schedule.
train_cfg = dict(max_epochs=10, val_interval=10)
# One rolling checkpoint for --resume; the analysed ones are the snapshots.
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1),
                     logger=dict(interval=10))
