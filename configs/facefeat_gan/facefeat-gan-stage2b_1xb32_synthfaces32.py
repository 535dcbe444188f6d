# FaceFeat-GAN stage 2b: the renderer trained on real and generated
# features alternately (mixed_cycle (1, 1): one batch each), stage-1
# generators frozen. Starts from stage 2a.
_base_ = ['./facefeat-gan-stage2a_1xb32_synthfaces32.py']
model = dict(stage='render_mixed')
load_from = 'work_dirs/facefeat-gan-stage2a_1xb32_synthfaces32/iter_2000.pth'
