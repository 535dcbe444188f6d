# A tiny FaceFeat-GAN on 16x16 SynthFaces (4 identities): a few iterations
# of any stage in seconds, for the plugin's tool tests (train, load_from
# chain, kill and resume). Frozen parts: the tiny test classifiers with
# random weights (checkpoint None: a warning says so).
_base_ = ['../../../configs/_base_/default_runtime.py']

identity_config = 'tests/data/configs/tiny_face_classifier.py'
model = dict(
    type='FaceFeatGAN',
    stage='features',
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True),
    generator=dict(
        type='FaceFeatGenerator',
        identity_encoder=dict(type='FaceIdentityEncoder',
                              config=identity_config, checkpoint=None),
        extractors=dict(attributes=dict(
            type='FaceAttributeExtractor',
            config='tests/data/configs/tiny_face_attribute_scorer.py',
            checkpoint=None)),
        features=[
            dict(name='pose', extractor='attributes', outputs=['yaw']),
            dict(name='expression', extractor='attributes',
                 outputs=['smile'], loss_weight=0.5),
        ],
        feature_generator=dict(z_dim=4, hidden=16, num_layers=2),
        num_identities=4,
        renderer=dict(hidden=16, num_layers=1, decoder=dict(
            type='StyleGAN2Generator', resolution=16, z_space_dim=4,
            w_space_dim=8, mapping_layers=1, mapping_fmaps=4,
            fmaps_base=64, fmaps_max=8, final_tanh=True,
            fused_modulate=False))),
    discriminator=dict(
        feature=dict(hidden=16, num_layers=2),
        image=dict(type='StyleGAN2Discriminator', resolution=16,
                   fmaps_base=64, fmaps_max=8, minibatch_std_group_size=2)),
    perceptual=dict(type='ClassifierFeatures', config=identity_config,
                    checkpoint=None, out_indices=(0, )),
    lambda_div=0.1,
    r1_gamma=1.0, r1_interval=2, ema_half_life_kimg=0.01)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=True)

train_dataloader = dict(
    batch_size=4, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='SynthFaces', img_size=16, num_identities=4,
                 split='train', num_samples=32,
                 pipeline=[dict(type='mmpretrain.PackInputs')]))
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=0.002, betas=(0.5, 0.99))),
    discriminator=dict(optimizer=dict(type='Adam', lr=0.002,
                                      betas=(0.5, 0.99))))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
