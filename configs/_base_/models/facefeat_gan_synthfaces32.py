# FaceFeat-GAN on SynthFaces 32x32 (spec section 6), shared by every stage.
# Frozen parts, trained first (see configs/facefeat_gan/README.md):
#   E_id: the 10-identity classifier (its 128-d pooled feature);
#   E_k : the attribute predictor's outputs: pose (yaw), expression (smile,
#         mouth_open logits), lighting, and an appearance code (glasses,
#         hair colour/length, age cue, background logits).
# Every choice below is [proposed] (the paper's values were not retrieved).
identity_config = ('configs/facefeat_gan/'
                   'identity-resnet18-w16_1xb128_synthfaces32.py')
identity_ckpt = ('work_dirs/identity-resnet18-w16_1xb128_synthfaces32/'
                 'epoch_20.pth')
predictor = 'configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py'
predictor_ckpt = ('work_dirs/resnet18-w16_1xb128_synthfaces32/'
                  'best_attr_mean_acc_epoch_10.pth')

model = dict(
    type='FaceFeatGAN',
    stage='features',
    # datasets give uint8 BGR; the networks see [-1, 1] RGB
    data_preprocessor=dict(mean=[127.5, 127.5, 127.5],
                           std=[127.5, 127.5, 127.5], to_rgb=True),
    generator=dict(
        type='FaceFeatGenerator',
        identity_encoder=dict(type='FaceIdentityEncoder',
                              config=identity_config,
                              checkpoint=identity_ckpt),
        extractors=dict(attributes=dict(type='FaceAttributeExtractor',
                                        config=predictor,
                                        checkpoint=predictor_ckpt)),
        features=[
            dict(name='pose', extractor='attributes', outputs=['yaw']),
            dict(name='expression', extractor='attributes',
                 outputs=['smile', 'mouth_open']),
            dict(name='lighting', extractor='attributes',
                 outputs=['lighting']),
            dict(name='appearance', extractor='attributes',
                 outputs=['eyeglasses', 'hair_color', 'long_hair', 'aged',
                          'background'], loss_weight=0.25),
        ],
        # G_k: 4-layer MLPs (spec: 512 wide; 128 suffices for 1-14 values)
        feature_generator=dict(z_dim=16, hidden=128, num_layers=4,
                               conditional=True),
        feature_source='generators',
        num_identities=10,
        # R: features -> per-layer styles -> the project's StyleGAN2
        # synthesis (channels 128, 128, 64, 32 at 4..32; final tanh)
        renderer=dict(
            hidden=256, num_layers=2,
            decoder=dict(type='StyleGAN2Generator', resolution=32,
                         z_space_dim=16, w_space_dim=128, mapping_layers=1,
                         mapping_fmaps=16, fmaps_base=1024, fmaps_max=128,
                         final_tanh=True, fused_modulate=False))),
    discriminator=dict(
        feature=dict(hidden=128, num_layers=4, conditional=True),
        image=dict(type='StyleGAN2Discriminator', resolution=32,
                   fmaps_base=1024, fmaps_max=128)),
    lambda_id=1.0, lambda_feat=1.0, lambda_rec=10.0, lambda_p=1.0,
    lambda_div=0.0,
    # L_p: the identity classifier's first two stages (no VGG offline)
    perceptual=dict(type='ClassifierFeatures', config=identity_config,
                    checkpoint=identity_ckpt, out_indices=(0, 1)),
    r1_gamma_features=1.0,
    r1_gamma=0.05, r1_interval=16,
    mixed_cycle=(1, 1),
    ema_half_life_kimg=2.0, ema_rampup=0.05)

model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel',
                         broadcast_buffers=False,
                         # stage parts that do not train get no gradient
                         find_unused_parameters=True)
