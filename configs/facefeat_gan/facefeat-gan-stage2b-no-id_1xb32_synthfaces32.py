# Ablation (spec section 6, check 7): stage 2b without the identity loss,
# from stage 2a without it.
_base_ = ['./facefeat-gan-stage2b_1xb32_synthfaces32.py']
model = dict(lambda_id=0.0)
load_from = ('work_dirs/facefeat-gan-stage2a-no-id_1xb32_synthfaces32/'
             'iter_2000.pth')
