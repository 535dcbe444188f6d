# tiny_face_classifier.py with a bare mmpretrain ClsHead (no linear layer):
# its outputs are the 32 pooled features, read as softmax logits.
_base_ = ['./tiny_face_classifier.py']

model = dict(head=dict(_delete_=True, type='mmpretrain.ClsHead'))
