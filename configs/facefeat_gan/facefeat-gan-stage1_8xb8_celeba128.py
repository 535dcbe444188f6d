# FaceFeat-GAN at paper resolution (128x128 aligned CelebA faces with
# identity labels), stage 1, for GPU users: 8 GPUs x 8 images (the spec's
# batch 64), the spec's widths (G_k, D_k: 4-layer MLPs of 512, z 64 per
# feature; renderer: StyleGAN2 synthesis 512 -> 64 channels; D_I: ResNet
# StyleGAN2 discriminator with minibatch-stddev; Adam 2e-4 (0.5, 0.999);
# 50K / 100K / 100K iterations). Train E_id and E_k first (their configs
# here). Not run by the gankd team (no GPU); built by the tests.
#   bash tools/dist_train.sh \
#       configs/facefeat_gan/facefeat-gan-stage1_8xb8_celeba128.py 8
_base_ = [
    '../_base_/datasets/celeba_identities_128.py',
    '../_base_/default_runtime.py',
]
identity_config = 'configs/facefeat_gan/identity-resnet18_8xb32_celeba128.py'
identity_ckpt = 'work_dirs/identity-resnet18_8xb32_celeba128/epoch_30.pth'
attr_config = 'configs/facefeat_gan/attributes-resnet18_8xb32_celeba128.py'
attr_ckpt = 'work_dirs/attributes-resnet18_8xb32_celeba128/epoch_10.pth'
model = dict(
    type='FaceFeatGAN',
    stage='features',
    data_preprocessor=dict(mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    generator=dict(
        type='FaceFeatGenerator',
        identity_encoder=dict(type='FaceIdentityEncoder',
                              config=identity_config,
                              checkpoint=identity_ckpt, input_size=128),
        extractors=dict(attributes=dict(type='FaceAttributeExtractor',
                                        config=attr_config,
                                        checkpoint=attr_ckpt,
                                        input_size=128)),
        features=[
            dict(name='expression', extractor='attributes',
                 outputs=['Smiling', 'Mouth_Slightly_Open']),
            dict(name='appearance', extractor='attributes',
                 outputs=['Eyeglasses', 'Bangs', 'Black_Hair', 'Blond_Hair',
                          'Brown_Hair', 'Gray_Hair', 'Wearing_Hat',
                          'Heavy_Makeup']),
        ],
        feature_generator=dict(z_dim=64, hidden=512, num_layers=4,
                               conditional=True),
        num_identities=10177,
        renderer=dict(
            hidden=512, num_layers=2,
            decoder=dict(type='StyleGAN2Generator', resolution=128,
                         z_space_dim=64, w_space_dim=512, mapping_layers=1,
                         mapping_fmaps=64, fmaps_base=8192, fmaps_max=512,
                         final_tanh=True))),
    discriminator=dict(
        feature=dict(hidden=512, num_layers=4, conditional=True),
        image=dict(type='StyleGAN2Discriminator', resolution=128,
                   fmaps_base=8192, fmaps_max=512)),
    lambda_id=1.0, lambda_feat=1.0, lambda_rec=10.0, lambda_p=1.0,
    lambda_div=0.0,
    perceptual=dict(type='ClassifierFeatures', config=identity_config,
                    checkpoint=identity_ckpt, out_indices=(0, 1, 2),
                    input_size=128),
    r1_gamma_features=1.0, r1_gamma=10.0, r1_interval=16,
    mixed_cycle=(1, 1), ema_half_life_kimg=10.0)
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         find_unused_parameters=True)
train_dataloader = dict(batch_size=8, drop_last=True,
                        sampler=dict(type='InfiniteSampler', shuffle=True))
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminator=dict(optimizer=dict(type='Adam', lr=2e-4,
                                      betas=(0.5, 0.999))))
param_scheduler = []
train_cfg = dict(type='IterBasedTrainLoop', max_iters=50000)
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = None
test_dataloader = None
test_evaluator = None
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000,
                    max_keep_ckpts=2, save_last=True))
log_processor = dict(by_epoch=False)
