# tiny_face_classifier.py with gankd's MultiAttributeHead (five SynthFaces
# attributes, 9 outputs): the AttributeScorer tests set its head weights.
_base_ = ['./tiny_face_classifier.py']

model = dict(
    head=dict(
        _delete_=True,
        type='gankd.MultiAttributeHead',
        in_channels=32,
        # outputs: yaw 0, smile 1, hair_color 2-6, aged 7, lighting 8
        attributes=['yaw:continuous', 'smile:binary',
                    'hair_color:categorical:5', 'aged:binary',
                    'lighting:continuous']))
