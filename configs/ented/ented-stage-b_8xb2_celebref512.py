# ENTED stage B at 512x512 for GPU users (8 GPUs x 2 images): NTED's
# 512 widths and labels (spec 2.1), semantic map 512 x 16 x 16, a
# dictionary of 1024 codes of 256, 8-head refinement at 512 (spec 3).
# Data: a folder of aligned 512x512 faces with one sub-folder per person
# and several photos each (CelebRef-HQ's layout: data/celebref/<id>/*.png);
# the reference is another photo of the same person, never the image
# itself. Perceptual loss: VGG-16 relu4_3 from weights you have (nothing is
# downloaded; NTED used VGG-19 relu1_1-5_1). Train stage A first with the
# same model and clean images (stage='A'; see README.md), then:
#   bash tools/dist_train.sh configs/ented/ented-stage-b_8xb2_celebref512.py 8
_base_ = ['../_base_/default_runtime.py']

channels = {16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64}
model = dict(
    type='ENTEDRestorer',
    resolution=512,
    semantic_size=16,
    stage='B',
    lq_encoder=dict(channels=channels),
    ref_encoder=dict(channels=channels,
                     num_labels={16: 16, 32: 32, 64: 32, 128: 64, 256: 64},
                     match_kernels={16: 1, 32: 3, 64: 3, 128: 3, 256: 3}),
    decoder=dict(channels=channels, w_dim=512, modulated=True),
    quantizer=dict(num_codes=1024, dim=256, beta=0.25),
    residual='gated',
    latent_refiner=dict(num_heads=8, num_blocks=1),
    losses=dict(
        l1=1.0, attention=15.0, vq=1.0, adversarial=0.1,
        perceptual=dict(
            net=dict(type='VGG16Features',
                     weights='data/weights/vgg16-397923af.pth',
                     layer='relu4_3', resize=None),
            weight=1.0, num_scales=3, style_weight=1000.0)),
    discriminator=dict(type='StyleGAN2Discriminator', resolution=512),
    r1_gamma=10.0,
    r1_interval=16,
    init_from=dict(checkpoint='work_dirs/ented-stage-a_8xb2_celebref512/'
                   'iter_200000.pth', parts=('lq_encoder', 'quantizer')))
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=True)
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.0, 0.99)),
                   paramwise_cfg=dict(custom_keys={
                       'quantizer': dict(lr_mult=0.1)})),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.0, 0.99)),
                       lazy_reg_interval=16))
param_scheduler = []

people = dict(type='mmpretrain.CustomDataset', data_root='data/celebref',
              with_label=True, pipeline=[])
degradations = [
    dict(type='RandomGaussianBlur', sigma_range=(0.1, 10.0)),
    dict(type='RandomDownsample', scale_range=(1.0, 8.0)),
    dict(type='RandomGaussianNoise', std_range=(0.0, 20.0)),
    dict(type='RandomJPEG', quality_range=(60, 100)),
]
tail = [dict(type='ResizeLike'), dict(type='PackRestorationInputs')]
train_dataloader = dict(
    batch_size=2, num_workers=4, persistent_workers=True, drop_last=True,
    dataset=dict(type='ReferencePairDataset', reference='same_identity',
                 dataset=people, pipeline=degradations + tail),
    sampler=dict(type='InfiniteSampler', shuffle=True))
val_dataloader = dict(
    batch_size=2, num_workers=4, persistent_workers=True,
    dataset=dict(type='ReferencePairDataset', reference='same_identity',
                 seed=0, test_mode=True,
                 dataset=dict(people, data_root='data/celebref_test'),
                 pipeline=[dict(step, seed=0) for step in degradations]
                 + tail),
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='ImageQualityMetric')
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=400000,
                 val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True))
log_processor = dict(by_epoch=False)
