"""NVIDIA's published StyleGAN2, StyleGAN2-ADA and StyleGAN3 generators (network pickles, read as data).

The arguments are those of the training configurations that made each file (``docs/configs.md`` of
NVlabs/stylegan3 and the ``cfg_specs`` of stylegan2-ada-pytorch's ``train.py``); the converter compares them
with the arguments stored in the file and names any difference. NVIDIA publishes no checksums: each file's
hash is pinned at its first download. No FID is listed: the READMEs that list these files state none.
"""

from __future__ import annotations

from typing import Any

from ganzoo.hub.catalog.entry import URL, Pretrained
from ganzoo.registry import WEIGHTS

LICENSE = "NVIDIA Source Code License (non-commercial: research and evaluation only)"
ADA_CDN = "https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained"
NGC = "https://api.ngc.nvidia.com/v2/models/nvidia/research"

STYLEGAN2_PAPER = 'Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020'
ADA_PAPER = 'Karras et al., "Training Generative Adversarial Networks with Limited Data", NeurIPS 2020'
STYLEGAN3_PAPER = 'Karras et al., "Alias-Free Generative Adversarial Networks", NeurIPS 2021'

DATASETS = {
    "ffhq": "ffhq",
    "ffhqu": "ffhq-u (unaligned)",
    "metfaces": "metfaces",
    "metfacesu": "metfaces-u (unaligned)",
    "afhqv2": "afhq-v2 (cats, dogs, wild)",
    "afhqcat": "afhq-cat",
    "afhqdog": "afhq-dog",
    "afhqwild": "afhq-wild",
    "brecahad": "brecahad",
    "cifar10": "cifar10",
    "celebahq": "celeba-hq",
    "lsundog": "lsun-dog",
}


def _stylegan2_args(res: int, channel_base: int, mapping_layers: int, c_dim: int = 0) -> dict[str, Any]:
    args: dict[str, Any] = {
        "z_dim": 512,
        "c_dim": c_dim,
        "w_dim": 512,
        "img_resolution": res,
        "img_channels": 3,
        "mapping_kwargs": {"num_layers": mapping_layers},
        "synthesis_kwargs": {"channel_base": channel_base, "channel_max": 512, "conv_clamp": 256},
        "generator_only": True,
    }
    if c_dim:
        args["class_names"] = "cifar10"
    return args


def _stylegan3_args(config: str, res: int, channel_base: int) -> dict[str, Any]:
    synthesis: dict[str, Any] = {"channel_base": channel_base, "channel_max": 512, "conv_clamp": 256}
    if config == "r":
        synthesis.update(
            channel_base=channel_base * 2, channel_max=1024, conv_kernel=1, use_radial_filters=True
        )
    return {
        "config": config,
        "z_dim": 512,
        "c_dim": 0,
        "w_dim": 512,
        "img_resolution": res,
        "img_channels": 3,
        "mapping_kwargs": {"num_layers": 2},
        "synthesis_kwargs": synthesis,
        "generator_only": True,
    }


def _entry(
    name: str,
    model: str,
    args: dict[str, Any],
    url: str,
    paper: str,
    dataset: str,
    card: str | None,
    training: str,
) -> Pretrained:
    return Pretrained(
        name=name,
        model=model,
        init_args=args,
        sha256=None,
        sources=(URL(url),),
        format="nvidia-pickle",
        filename=url.rsplit("/", 1)[1],
        license=LICENSE,
        paper=paper,
        dataset=DATASETS[dataset],
        zoo_card=card,
        training=training,
    )


# stylegan2-ada-pytorch's own releases: (dataset, resolution, cfg of train.py: mapping layers, channel_base)
_ADA = {
    "ffhq": (1024, "paper1024", 8, 32768),
    "metfaces": (1024, "paper1024 (transfer from FFHQ)", 8, 32768),
    "afhqcat": (512, "paper512", 8, 32768),
    "afhqdog": (512, "paper512", 8, 32768),
    "afhqwild": (512, "paper512", 8, 32768),
    "brecahad": (512, "paper512", 8, 32768),
    "cifar10": (32, "cifar (class-conditional)", 2, 32768),
}

# NGC's StyleGAN2 files: (dataset, resolution) -> (mapping layers, channel_base)
_NGC_STYLEGAN2 = {
    ("ffhq", 1024): (8, 32768),
    ("ffhq", 512): (8, 32768),
    ("ffhq", 256): (8, 16384),
    ("ffhqu", 1024): (8, 32768),
    ("ffhqu", 256): (8, 16384),
    ("metfaces", 1024): (8, 32768),
    ("metfacesu", 1024): (8, 32768),
    ("afhqv2", 512): (8, 32768),
    ("afhqcat", 512): (8, 32768),
    ("afhqdog", 512): (8, 32768),
    ("afhqwild", 512): (8, 32768),
    ("brecahad", 512): (8, 32768),
    ("cifar10", 32): (2, 32768),
    ("celebahq", 256): (8, 16384),
    ("lsundog", 256): (8, 16384),
}

# NGC's StyleGAN3 files: (config, dataset, resolution) -> channel_base of config T (R doubles it)
_NGC_STYLEGAN3 = {
    (config, dataset, res): 16384 if res == 256 else 32768
    for config in ("t", "r")
    for dataset, res in (
        ("ffhq", 1024),
        ("ffhqu", 1024),
        ("ffhqu", 256),
        ("metfaces", 1024),
        ("metfacesu", 1024),
        ("afhqv2", 512),
    )
}

_CARDS = {
    "stylegan2-ffhq-1024": "zoo_cards/stylegan2_ffhq1024.yaml",
    "stylegan2ada-afhqcat-512": "zoo_cards/stylegan2ada_afhq512.yaml",
    "stylegan3-t-ffhqu-256": "zoo_cards/stylegan3_t_ffhqu256.yaml",
}

ENTRIES: tuple[Pretrained, ...] = (
    *(
        _entry(
            f"stylegan2ada-{dataset}-{res}",
            "ganzoo.models.StyleGAN2ADA",
            _stylegan2_args(res, base, layers, c_dim=10 if dataset == "cifar10" else 0),
            f"{ADA_CDN}/{dataset}.pkl",
            ADA_PAPER,
            dataset,
            _CARDS.get(f"stylegan2ada-{dataset}-{res}"),
            f"stylegan2-ada-pytorch train.py --cfg={cfg.split()[0]}: {cfg}; G_ema of the released pickle.",
        )
        for dataset, (res, cfg, layers, base) in _ADA.items()
    ),
    *(
        _entry(
            f"stylegan2-{dataset}-{res}",
            "ganzoo.models.StyleGAN2",
            _stylegan2_args(res, base, layers, c_dim=10 if dataset == "cifar10" else 0),
            f"{NGC}/stylegan2/versions/1/files/stylegan2-{dataset}-{res}x{res}.pkl",
            STYLEGAN2_PAPER,
            dataset,
            _CARDS.get(f"stylegan2-{dataset}-{res}"),
            "NVIDIA's StyleGAN2 release on NGC, compatible with NVlabs/stylegan3 (config F networks).",
        )
        for (dataset, res), (layers, base) in _NGC_STYLEGAN2.items()
    ),
    *(
        _entry(
            f"stylegan3-{config}-{dataset}-{res}",
            "ganzoo.models.StyleGAN3",
            _stylegan3_args(config, res, base),
            f"{NGC}/stylegan3/versions/1/files/stylegan3-{config}-{dataset}-{res}x{res}.pkl",
            STYLEGAN3_PAPER,
            dataset,
            _CARDS.get(f"stylegan3-{config}-{dataset}-{res}"),
            f"NVIDIA's StyleGAN3 release on NGC, config {config.upper()} (see docs/configs.md of "
            "NVlabs/stylegan3).",
        )
        for (config, dataset, res), base in _NGC_STYLEGAN3.items()
    ),
)

WEIGHTS.register_all(ENTRIES)
