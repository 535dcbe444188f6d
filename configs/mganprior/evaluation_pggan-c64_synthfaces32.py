# Inversion on held-out SynthFaces with the SynthFaces PGGAN: a single z
# code (PGGAN has no w or wp), the encoder, encoder + optimisation (hybrid) and
# mGANprior with N in {1, 5, 10, 20} codes composed at two layers, for
# reconstruction, colourisation, x4 super-resolution and inpainting, at
# equal iteration budgets. Run (after training the GAN, the predictor and
# the encoder; see README.md):
#   python tools/evaluate_inversion.py \
#       configs/mganprior/evaluation_pggan-c64_synthfaces32.py
_base_ = ['../_base_/inversion/synthfaces32.py']

generator = dict(
    config='configs/pggan/pggan-c64_1xb32_synthfaces32.py',
    checkpoint='work_dirs/pggan-c64_1xb32_synthfaces32/iter_4000.pth')
encoder = dict(
    config='configs/inversion/encoder_pggan-c64_synthfaces32.py',
    checkpoint='work_dirs/encoder_pggan-c64_synthfaces32/'
    'iter_5000.pth')

# Single codes: Adam (lr 0.05), the usual optimiser of single-code GAN
# inversion, from a random z (z = 0 is a singular point of PGGAN's pixel
# norm).
single = dict(type='LatentInverter', space='z', init='random',
              optimizer=dict(type='Adam', lr=0.05))
# mGANprior with the same optimiser as the single codes, mean fusion with
# importance 1/N (the official initialisation). The official SGD at lr 1
# barely moves the codes of these small generators in 300 steps (a
# StyleGAN2 pilot on 4 faces: 18.9 dB against 28.7 dB with Adam, N = 10,
# deep layer); one row keeps it for the record. Composition after the
# second 8x8 layer (the official l = 4) and after the second 16x16 layer
# (l = 6).
layers = dict(mid=4, deep=6)
mganprior = dict(type='MultiCodeInverter', fuse='mean',
                 optimizer=dict(type='Adam', lr=0.05))

rows = [
    dict(name='z', inverter=single),
    dict(name='encoder', inverter=dict(single, init='encoder',
                                       encoder=encoder, num_iters=0)),
    dict(name='hybrid', inverter=dict(single, init='encoder',
                                      encoder=encoder)),
] + [
    dict(name=f'mGANprior N={n} {where}',
         inverter=dict(mganprior, num_codes=n, layer=layer))
    for where, layer in layers.items() for n in (1, 5, 10, 20)
] + [
    dict(name='mGANprior N=20 deep, SGD lr 1 (official)',
         inverter=dict(mganprior, num_codes=20, layer=layers['deep'],
                       optimizer=dict(type='SGD', lr=1.0))),
]
