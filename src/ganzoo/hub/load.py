"""``ganzoo.load``: one call from a name, folder, checkpoint or Hugging Face repo to a model ready to sample.

A catalog name is resolved to its entry (``catalog``), its weight file fetched and verified (``fetch``),
converted once by the converter of its format (``convert``), and cached as ``config.json`` +
``model.safetensors`` (``folder``) under ``<cache>/models/<name>/<fingerprint>``; every later load reads only
that folder, and builds the model through the paper registry (``build``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch
from filelock import FileLock
from huggingface_hub import hf_hub_download

from ganzoo.hub.build import build_model, load_directory, load_weights
from ganzoo.hub.catalog import CATALOG, Pretrained, get_entry
from ganzoo.hub.convert import get_converter, get_part_converter
from ganzoo.hub.convert.lightning_ckpt import read_checkpoint
from ganzoo.hub.errors import WeightsNotFoundError
from ganzoo.hub.fetch import cache_root, fetch, hf_cache_dir, hf_download_command, hf_failure, is_offline
from ganzoo.hub.folder import CONFIG_NAME, WEIGHTS_NAME, write_directory
from ganzoo.models.base import GANModule

__all__ = ["converted_dir", "load"]


def load(
    name_or_path: str | os.PathLike[str],
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    model_class: type[GANModule] | str | None = None,
) -> GANModule:
    """The model in eval mode, on ``device`` / in ``dtype`` if given, ready to ``sample()``.

    ``name_or_path`` is a catalog name (``ganzoo.list_models()``), a folder holding ``config.json`` +
    ``model.safetensors``, a Lightning ``.ckpt``, or ``hf://owner/repo[/subfolder][@revision]``.
    ``model_class`` is needed only for a ``.ckpt`` written without the ganzoo CLI, which does not record it.
    The model runs inference through ``optimize_for_inference()`` (e.g. BigGAN-deep's folded, channels-last
    copy): the same outputs, faster; entering training mode undoes it.
    """
    return _load(name_or_path, model_class).to(device=device, dtype=dtype).eval().optimize_for_inference()


def _load(name_or_path: str | os.PathLike[str], model_class: type[GANModule] | str | None) -> GANModule:
    text = os.fspath(name_or_path)
    if text.startswith("hf://"):
        return _load_hf(text.removeprefix("hf://"))
    path = Path(text).expanduser()
    if path.is_dir():
        return load_directory(path)
    if path.is_file():
        if path.suffix == ".ckpt":
            return _load_ckpt(path, model_class)
        raise ValueError(
            f"cannot load {path}: expected a Lightning .ckpt, a folder with {CONFIG_NAME} + {WEIGHTS_NAME}, "
            "a catalog name or hf://owner/repo"
        )
    if text in CATALOG or not _looks_like_path(text):
        return _load_entry(get_entry(text))
    raise FileNotFoundError(f"{path} does not exist (and {text!r} is not a catalog name)")


def _looks_like_path(text: str) -> bool:
    return "/" in text or os.sep in text or text.endswith((".ckpt", ".safetensors"))


def _load_ckpt(path: Path, model_class: type[GANModule] | str | None) -> GANModule:
    hparams, state_dict = read_checkpoint(path)
    if model_class is None and "_class_path" not in hparams:
        raise ValueError(
            f"{path} does not record its model class (it was not written by `ganzoo fit`). "
            "Pass it: ganzoo.load(path, model_class=ganzoo.models.DCGAN), or the class path as a string."
        )
    init_args = {k: v for k, v in hparams.items() if not k.startswith("_")}
    model = build_model(hparams["_class_path"] if model_class is None else model_class, init_args)
    return load_weights(model, state_dict, str(path))


def _load_hf(spec: str) -> GANModule:
    location, _, revision = spec.partition("@")
    owner, _, rest = location.partition("/")
    repo, _, subfolder = rest.partition("/")
    if not owner or not repo:
        raise ValueError(f"hf://{spec} is not of the form hf://owner/repo[/subfolder][@revision]")
    paths = []
    for filename in (CONFIG_NAME, WEIGHTS_NAME):
        try:
            paths.append(
                hf_hub_download(
                    f"{owner}/{repo}",
                    filename,
                    subfolder=subfolder or None,
                    revision=revision or None,
                    cache_dir=hf_cache_dir(),
                    local_files_only=is_offline(),
                )
            )
        except OSError as err:
            offline = " (HF_HUB_OFFLINE is set)" if is_offline() else ""
            command = hf_download_command(f"{owner}/{repo}", *(["--revision", revision] if revision else []))
            raise WeightsNotFoundError(
                f"could not get {filename} of hf://{spec}{offline}: {hf_failure(err)}\nDownload it into "
                f"{hf_cache_dir()} with `{command}` on a machine with network "
                "access."
            ) from err
    return load_directory(Path(paths[0]).parent)


def converted_dir(entry: Pretrained) -> Path:
    """The cache folder of an entry's converted weights, keyed by everything the conversion depends on."""
    fields: list[object] = [entry.sha256, entry.format, entry.model, dict(entry.init_args)]
    if entry.parts:
        fields.append([[part.prefix, part.filename, part.sha256] for part in entry.parts])
    key = json.dumps(fields, sort_keys=True)
    return cache_root() / "models" / entry.name / hashlib.sha256(key.encode()).hexdigest()[:16]


def _load_entry(entry: Pretrained) -> GANModule:
    if not entry.has_weights:
        raise WeightsNotFoundError(
            f"{entry.name} has no published weights yet; train them with `ganzoo fit -c {entry.zoo_card}`."
        )
    target = converted_dir(entry)
    if (target / CONFIG_NAME).is_file():
        return load_directory(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):  # one process converts; the others wait and read its result
        if (target / CONFIG_NAME).is_file():
            return load_directory(target)
        raw = fetch(entry.sources, entry.sha256, entry.filename)
        state_dict = get_converter(entry.format)(raw, entry.init_args)
        for part in entry.parts:
            path = fetch(part.sources, part.sha256, part.filename)
            state_dict.update(get_part_converter(entry.format)(path, part.prefix))
        model = load_weights(build_model(entry.model, entry.init_args), state_dict, f"{entry.name} ({raw})")
        _write_atomically(target, entry, model)
    return model


def _write_atomically(target: Path, entry: Pretrained, model: GANModule) -> None:
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".incomplete"))
    try:
        write_directory(staging, entry.model, entry.init_args, model.state_dict())
        shutil.rmtree(target, ignore_errors=True)  # a folder without config.json is a damaged leftover
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
