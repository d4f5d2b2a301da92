"""Published BigGAN generators for ImageNet (Brock et al., ICLR 2019)."""

from __future__ import annotations

from ganzoo.pretrained.entry import URL, Metric, Pretrained

PAPER = 'Brock et al., "Large Scale GAN Training for High Fidelity Natural Image Synthesis", ICLR 2019'

_MMGEN_FILE = "biggan_imagenet1k_128x128_cvt_BigGAN-PyTorch_rgb_20210730_125223-3e353fef.pth"
_MMGEN_PROTOCOL = (
    "mmgeneration's evaluation of its converted copy (configs/biggan README; the protocol of mmagic's "
    "biggan_cvt-BigGAN-PyTorch-rgb_imagenet1k-128x128.py): 50k samples of the EMA generator, untruncated "
    "z ~ N(0, I), uniform classes, StyleGAN's TorchScript port of the TF Inception{reference}"
)

# The authors' configuration (scripts/launch_BigGAN_bs256x8.sh): G only, whose weights are the EMA copy.
BIGGAN_128 = {
    "image_size": 128,
    "num_classes": 1000,
    "class_names": "imagenet",
    "latent_dim": 120,
    "g_ch": 96,
    "shared_dim": 128,
    "hier": True,
    "g_attention": [64],
    "bn_eps": 1e-5,
    "sn_eps": 1e-6,
    "ema_decay": None,
    "generator_only": True,
    "init": None,
}

ENTRIES: tuple[Pretrained, ...] = (
    Pretrained(
        name="biggan-128",
        model="ganzoo.models.BigGAN",
        init_args=BIGGAN_128,
        sha256="3e353fef",  # the sha256 prefix in OpenMMLab's file name; no full hash is published
        sources=(URL(f"https://download.openmmlab.com/mmgen/biggan/{_MMGEN_FILE}"),),
        format="mmgen-biggan",
        filename=_MMGEN_FILE,
        license="MIT (BigGAN-PyTorch); converted copy distributed by OpenMMLab",
        paper=PAPER,
        dataset="imagenet",
        metrics=(
            Metric(
                "IS",
                97.35,
                "BigGAN-PyTorch README for the authors' original of these weights: TF Inception Score "
                "(inception_tf13.py, OpenAI's code, 10 splits) +/- 1.79, of the samples sample.py "
                "--sample_npz writes (50k by default) with G_ema in eval mode, untruncated z ~ N(0, I)",
            ),
            Metric("FID", 10.1414, _MMGEN_PROTOCOL.format(reference=", vs all ImageNet-1k train images")),
            Metric("IS", 96.728, _MMGEN_PROTOCOL.format(reference="")),
        ),
        zoo_card="zoo_cards/biggan_imagenet128.yaml",
        training=(
            "Trained by the authors with BigGAN-PyTorch's scripts/launch_BigGAN_bs256x8.sh on 8 V100s: batch "
            "256 x 8 gradient accumulations (2048), G_lr 1e-4 / D_lr 4e-4, one D step per G step, no "
            "orthogonal regularization, EMA from iteration 20k; the 138k-iteration checkpoint, taken just "
            "before collapse. The authors' original is a Google Drive folder "
            "(https://drive.google.com/open?id=1nAle7FCVFZdix2--ks0r5JBkFnKw8ctW) whose G_ema.pth the "
            "'biggan-pytorch' format reads; the source here is OpenMMLab's converted copy of it. The paper's "
            "own TPU-trained 128x128 BigGAN (not released) reaches IS 166.5 and FID 7.4, each at its best "
            "truncation."
        ),
    ),
)

