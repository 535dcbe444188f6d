# What the SynthFaces 32x32 inversion evaluations share: held-out images,
# the four tasks, the loss and the iteration budget (equal for every
# optimising row). configs/mganprior/evaluation_*.py add the generator and
# the rows; see configs/mganprior/README.md.
default_scope = 'gankd'

# Held-out faces: SynthFaces test split (never seen by the GANs, trained on
# the train split, nor by the encoders, trained on generator samples).
images = dict(type='SynthFaces', split='test', seed=0, img_size=32,
              num_identities=512)
num_images = 8
# Equal budget for every optimising row (the encoder row runs none).
num_iters = 300

# The perceptual term's features: the SynthFaces attribute predictor
# (configs/attribute_predictor), the "provided classifier" default. No VGG:
# nothing is downloaded, and ImageNet features of 32x32 faces mean little.
predictor = dict(
    config='configs/attribute_predictor/resnet18-w16_1xb128_synthfaces32.py',
    checkpoint='work_dirs/resnet18-w16_1xb128_synthfaces32/'
    'best_attr_mean_acc_epoch_10.pth')
# mGANprior's code-form loss (MSE + 1e-3 x weight x feature L1). Its
# weight 1 was set for VGG activations; the predictor's four stages give
# a feature L1 of about 1.0 on a blurred face (pixel MSE 0.011) and 0.43
# with noise of std 0.1 (MSE 0.010), measured on 4 test faces: weight 20
# puts the two terms at the same size.
loss = dict(
    type='InversionLoss',
    pixel_weight=1.0,
    perceptual=dict(net=dict(type='ClassifierFeatures', **predictor),
                    weight=20.0, internal_scale=1e-3, distance='l1'))

# mGANprior's tasks at 32x32: gray (BT.601), x4 bilinear downsampling
# (8x8 observations), and a centre hole of a quarter of the side, the
# proportion of the paper's 64x64 hole in 256x256 faces.
tasks = dict(
    reconstruction=dict(type='IdentityDegradation'),
    colorization=dict(type='Grayscale'),
    super_resolution=dict(type='Downsample', factor=4),
    inpainting=dict(type='CentreHoleMask', size=32, hole=8))
