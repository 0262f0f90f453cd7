"""tapenet.models: the networks of the C++ programs and the study, built by the same C++ code.

    import tapenet as tn
    net = tn.models.lenet5(c3="shared_max")          # LeNet-5 with a shared-kernel C3
    conv = tn.models.make_conv("bsconv_u", 32, 64, 3, padding=1)
    wide = tn.models.allconv("shared_sum")            # 24-48-96 all-conv net, shared kernels
    tn.models.conv_variants()                         # ['dense', 'lenet5_table', ...]
"""

from .. import _C

conv_variants = _C._models.conv_variants
make_conv = _C._models.make_conv
lenet5 = _C._models.lenet5
allconv = _C._models.allconv
matched_dense_widths = _C._models.matched_dense_widths

__all__ = ["allconv", "conv_variants", "lenet5", "make_conv", "matched_dense_widths"]
