#!/usr/bin/python3
"""Reference figures for qviz's built-in models, computed with torchvision.

Builds each built-in model (engine/qviz-zoo.c) as torchvision defines it and
prints, per model: parameter count, conv/depthwise/dilated-depthwise/SE
counts, and per input size the output shapes and the multiply-accumulates of
every Conv2d and Linear (counted with forward hooks, batch 1).  The numbers in
tests/test-zoo.c come from this script.

With --activations it also initialises the weights the way qviz-zoo.c does
(Kaiming-normal convolutions, BatchNorm running statistics measured on a
random 512x512 input, 128x128 for single blocks, with some spread around
them) and prints
the spread of every layer's output on a N(0, 1) input, to show that the
activations neither vanish nor explode.

Run with the Debian python3 that has python3-torch and python3-torchvision:
    /usr/bin/python3 tools/zoo-reference.py [--activations]
"""

import math
import sys

import torch
from torch import nn
from torchvision.models import mobilenet_v2, mobilenet_v3_large
from torchvision.models.segmentation import lraspp_mobilenet_v3_large
from torchvision.models.segmentation.lraspp import _lraspp_mobilenetv3
from torchvision.ops.misc import SqueezeExcitation

SIZES = [(224, 224), (256, 256), (512, 512), (320, 480)]


class MultiboxHeads(nn.Module):
    """FaceBoxes-style heads on MobileNetV2 features 6, 13 and 18."""

    SOURCES = [(6, 32, 21), (13, 96, 1), (18, 1280, 1)]

    def __init__(self):
        super().__init__()
        self.backbone = mobilenet_v2(weights=None).features
        self.loc = nn.ModuleList(
            nn.Conv2d(c, a * 4, 3, padding=1) for _, c, a in self.SOURCES)
        self.conf = nn.ModuleList(
            nn.Conv2d(c, a * 2, 3, padding=1) for _, c, a in self.SOURCES)

    def forward(self, x):
        taps = {}
        for i, layer in enumerate(self.backbone):
            x = layer(x)
            taps[i] = x
        loc, conf = [], []
        for (f, _, _), l, c in zip(self.SOURCES, self.loc, self.conf):
            t = taps[f]
            loc.append(l(t).permute(0, 2, 3, 1).reshape(t.shape[0], -1, 4))
            conf.append(c(t).permute(0, 2, 3, 1).reshape(t.shape[0], -1, 2))
        return torch.cat(loc, 1), torch.sigmoid(torch.cat(conf, 1))


def conv_bn_act(cin, cout, k, stride, dilation, groups, act):
    layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2 * dilation, dilation, groups,
                        bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def dwsep(dilation):
    return nn.Sequential(conv_bn_act(96, 96, 5, 1, dilation, 96, True),
                         conv_bn_act(96, 96, 1, 1, 1, 1, False))


def lraspp_nodil():
    return _lraspp_mobilenetv3(mobilenet_v3_large(weights=None, dilated=False), 21)


MODELS = [
    ("lraspp-mnv3", 3, lambda: lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)),
    ("lraspp-mnv3-nodil", 3, lraspp_nodil),
    ("mnv2-faceboxes", 3, MultiboxHeads),
    ("mnv3-large", 3, lambda: mobilenet_v3_large(weights=None)),
    ("mnv2", 3, lambda: mobilenet_v2(weights=None)),
    ("conv5x5s2", 3, lambda: conv_bn_act(3, 64, 5, 2, 1, 1, True)),
    ("dwsep5x5", 96, lambda: dwsep(1)),
    ("dwsep5x5-d5", 96, lambda: dwsep(5)),
]


def outputs_of(y):
    if isinstance(y, dict):
        return list(y.values())
    if isinstance(y, (tuple, list)):
        return list(y)
    return [y]


def macs_and_shapes(model, cin, h, w):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
            total[0] += out.numel() * k
        elif isinstance(m, nn.Linear):
            total[0] += out.numel() * m.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        y = model(torch.zeros(1, cin, h, w))
    for hd in handles:
        hd.remove()
    return total[0], [tuple(t.shape) for t in outputs_of(y)]


def structure(model):
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    dw = [m for m in convs
          if m.groups > 1 and m.groups == m.in_channels == m.out_channels]
    dil = [m for m in dw if m.dilation[0] > 1]
    se = [m for m in model.modules() if isinstance(m, SqueezeExcitation)]
    bn = sum(2 * m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    return len(convs), len(dw), len(dil), len(se), bn


def init_like_qviz(model):
    """The distributions of qviz-zoo.c (not the same numbers)."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=g)
                if m.bias is not None:
                    m.bias.normal_(0.0, 0.01, generator=g)
            elif isinstance(m, nn.Linear):
                m.weight.normal_(0.0, math.sqrt(1.0 / m.in_features), generator=g)
                m.bias.normal_(0.0, 0.01, generator=g)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.8, 1.2, generator=g)
                m.bias.normal_(0.0, 0.05, generator=g)
                m.running_mean.normal_(0.0, 0.1, generator=g)
                m.running_var.uniform_(0.8, 1.2, generator=g)


def fit_batchnorm(model, cin, fit_res):
    """Running statistics from the data, as zoo_fit_batchnorm does."""
    g = torch.Generator().manual_seed(3)

    def pre_hook(m, inp):
        x = inp[0]
        mean = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False).clamp(min=1e-4)
        m.running_mean.copy_(mean + torch.randn(mean.shape, generator=g) * 0.1 * var.sqrt())
        m.running_var.copy_(var * torch.empty(var.shape).uniform_(0.8, 1.2, generator=g))

    handles = [m.register_forward_pre_hook(pre_hook) for m in model.modules()
               if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        model(torch.randn(1, cin, fit_res, fit_res, generator=g))
    for hd in handles:
        hd.remove()


def activations(name, model, cin, res):
    init_like_qviz(model)
    fit_batchnorm(model, cin, 128 if name in ("conv5x5s2", "dwsep5x5", "dwsep5x5-d5") else 512)
    stats = []

    def hook(m, inp, out):
        if isinstance(out, torch.Tensor) and out.dim() == 4:
            stats.append((m.__class__.__name__, out.std().item(), out.abs().max().item()))

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if len(list(m.children())) == 0]
    with torch.no_grad():
        y = model(torch.randn(1, cin, res, res, generator=torch.Generator().manual_seed(2)))
    for hd in handles:
        hd.remove()
    stds = [s for _, s, _ in stats if s > 0]
    outs = " ".join(f"std {t.std().item():.3g} max {t.abs().max().item():.3g}"
                    for t in outputs_of(y))
    print(f"{name}: {len(stats)} layers, layer output std {min(stds):.3g}..{max(stds):.3g}, "
          f"max |x| {max(m for _, _, m in stats):.3g}; output {outs}")


def main():
    torch.set_grad_enabled(False)
    for name, cin, make in MODELS:
        model = make().eval()
        if "--activations" in sys.argv:
            res = 224 if name in ("mnv3-large", "mnv2") else 512
            activations(name, model, cin, res)
            continue
        params = sum(p.numel() for p in model.parameters())
        convs, dw, dil, se, bn = structure(model)
        print(f"{name}: params {params} (batchnorm {bn}) convs {convs} depthwise {dw} "
              f"dilated-depthwise {dil} se {se}")
        for h, w in SIZES:
            macs, shapes = macs_and_shapes(model, cin, h, w)
            print(f"  {h}x{w}: macs {macs} outputs {shapes}")


if __name__ == "__main__":
    main()
