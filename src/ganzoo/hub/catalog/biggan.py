"""Published BigGAN generators for ImageNet (Brock et al., ICLR 2019)."""

from __future__ import annotations

from ganzoo.hub.catalog.entry import URL, HFFile, Metric, Pretrained
from ganzoo.registry import WEIGHTS

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


# BigGAN-deep: DeepMind's TF Hub modules (deepmind/biggan-deep-{128,256,512}) as converted to PyTorch by
# Hugging Face's pytorch-pretrained-biggan (Apache-2.0): G's EMA weights with batch-norm statistics at 51
# truncations; no discriminator was published. Nor was a checksum, so the hash is pinned at first download;
# fetched from the Hub mirror at its fixed commit, the file is also checked against the sha256 of its LFS
# pointer there (not recorded here: the pointer could not be read from this machine).
_DEEP_S3 = "https://s3.amazonaws.com/models.huggingface.co/biggan/biggan-deep-{size}-pytorch_model.bin"
_DEEP_HF_128 = HFFile(  # the same conversion mirrored on the Hub (211 MB), pinned to a commit
    "osanseviero/BigGAN-deep-128", "pytorch_model.bin", "8298f9813ae8188fa7404299d4d8edcd00bbd728"
)
_DEEP_PROTOCOL = (
    "mmgeneration's evaluation of its own conversion of this file (configs/biggan/README.md, 'Converted "
    "weights'; the protocol of mmagic's biggan-deep_cvt-hugging-face*_imagenet1k-{size}x{size}.py): 50k "
    "samples of the EMA generator, untruncated z, StyleGAN's TorchScript port of the TF Inception{reference}"
)


def _biggan_deep(size: int, fid: float, inception_score: float, hf: tuple[HFFile, ...] = ()) -> Pretrained:
    return Pretrained(
        name=f"biggan-deep-{size}",
        model="ganzoo.models.BigGANDeep",
        # pytorch-pretrained-biggan's config (convert_tf_to_pytorch.py): z_dim 128, channel_width 128, 1000
        # classes, attention before layer 8 (at 64x64), eps 1e-4 for batch norm and spectral norm, n_stats 51.
        init_args={
            "image_size": size,
            "num_classes": 1000,
            "class_names": "imagenet",
            "latent_dim": 128,
            "embed_dim": 128,
            "g_ch": 128,
            "g_attention": 64,
            "n_stats": 51,
            "bn_eps": 1e-4,
            "sn_eps": 1e-4,
            "ema_decay": None,
            "generator_only": True,
            "init": None,
        },
        sha256=None,
        sources=(*hf, URL(_DEEP_S3.format(size=size))),
        format="pytorch-pretrained-biggan",
        filename="pytorch_model.bin",
        license="Apache-2.0 (DeepMind's TF Hub modules; pytorch-pretrained-biggan's conversion)",
        paper=PAPER + " (BigGAN-deep, Appendix B)",
        dataset="imagenet",
        metrics=(
            Metric(
                "FID", fid, _DEEP_PROTOCOL.format(size=size, reference=", vs all ImageNet-1k train images")
            ),
            Metric("IS", inception_score, _DEEP_PROTOCOL.format(size=size, reference="")),
        ),
        training=(
            "Trained by DeepMind on ImageNet ILSVRC 2012 on TPUv3 pods and released as TF Hub modules; "
            "converted to PyTorch by pytorch-pretrained-biggan. No zoo card retrains them; BigGANDeep's "
            "defaults are the authors' BigGAN-PyTorch BigGAN-deep recipe (scripts/launch_BigGAN_deep.sh)."
        ),
    )


ENTRIES += (
    _biggan_deep(128, 5.9471, 107.161, hf=(_DEEP_HF_128,)),
    _biggan_deep(256, 11.3151, 135.107),
    _biggan_deep(512, 16.8728, 124.368),
)

WEIGHTS.register_all(ENTRIES)
