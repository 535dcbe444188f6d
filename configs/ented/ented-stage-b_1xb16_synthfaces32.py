# ENTED stage B on 32x32 SynthFaces triplets (degraded input, reference of
# the same person, ground truth): the full model, its LQ encoder and
# dictionary taken from stage A (fine-tuned at a tenth of the learning
# rate), trained with L1, perceptual, NTED's attention reconstruction (x15),
# VQ and adversarial losses. The identity loss needs an identity network
# (FaceFeat-GAN's, issue 16) and is off until one is available:
# losses=dict(identity=dict(net=..., weight=1.0)).
_base_ = [
    '../_base_/datasets/synth_faces_restoration_32.py',
    '../_base_/models/ented_synthfaces32.py',
    '../_base_/default_runtime.py',
]

predictor = 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py'
predictor_ckpt = ('work_dirs/resnet18-w16_1xb128_synthfaces32/'
                  'best_attr_mean_acc_epoch_10.pth')
stage_a = 'work_dirs/ented-stage-a_1xb16_synthfaces32/iter_3200.pth'
model = dict(
    stage='B',
    init_from=dict(checkpoint=stage_a, parts=('lq_encoder', 'quantizer')),
    losses=dict(perceptual=dict(
        net=dict(type='ClassifierFeatures', config=predictor,
                 checkpoint=predictor_ckpt, out_indices=(0, 1, 2)),
        weight=1.0, num_scales=2, style_weight=1000.0)))
optim_wrapper = dict(generator=dict(
    paramwise_cfg=dict(custom_keys={'quantizer': dict(lr_mult=0.1)})))

# Budget: 30 minutes on 2 quiet cores. An iteration costs 0.59 CPU
# seconds on one thread (median; the lazy R1 step every 16th iteration
# comes on top; tools/analysis/time_train_iterations.py, see README.md):
# 2,500 iterations are 25 minutes, leaving the rest for R1, building the
# data and five validations.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2500,
                 val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500,
                    max_keep_ckpts=1, save_last=True,
                    save_best='image/psnr', rule='greater'))
log_processor = dict(by_epoch=False)
custom_hooks = [dict(type='RestorationGridHook', num_samples=8)]
