default_scope = 'gankd'

# The parts every SynthFaces probe shares: the SynthFaces StyleGAN2 trained
# by configs/stylegan2 (EMA generator of its last checkpoint) and the
# SynthFaces attribute predictor of configs/attribute_predictor, both frozen.
# Train them first (commands in configs/interfacegan/README.md).
model = dict(
    generator=dict(
        config='configs/stylegan2/stylegan2-c64_1xb32_synthfaces32.py',
        checkpoint='work_dirs/stylegan2-c64_1xb32_synthfaces32/'
        'iter_4000.pth'),
    predictor=dict(
        type='AttributeScorer',
        config='configs/attribute_predictor/'
        'resnet18-w16_1xb128_synthfaces32.py',
        checkpoint='work_dirs/resnet18-w16_1xb128_synthfaces32/'
        'best_attr_mean_acc_epoch_10.pth'),
    # InterFaceGAN renders StyleGAN with psi 0.7 on the first 8 of 18
    # layers (the coarse ones); the same share here is 4 of 8.
    truncation_psi=0.7,
    truncation_layers=4,
    noise_mode='const',
    batch_size=100)
