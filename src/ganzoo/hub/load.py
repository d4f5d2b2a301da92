"""``ganzoo.load``: one call from a name, folder, checkpoint or Hugging Face repo to a model ready to sample.

A catalog name is resolved to its entry (``catalog``), its weight file fetched and verified (``fetch``),
converted once by the converter of its format (``convert``), and cached as ``config.json`` +
``model.safetensors`` (``folder``) under ``<cache>/models/<name>/<fingerprint>``, one folder per entry and
content, each file sealed with its hash (``cache_files``). Every later load reads only that folder, checks the
seals, and builds the model through the paper registry (``build``); a damaged folder is deleted and rebuilt
from the download. The hash of a file published without one is pinned only once it converted and loaded.
A published checkpoint the user already has is recognised by its content (``convert.sniff``) and cached the
same way, keyed by its hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from filelock import FileLock
from huggingface_hub import hf_hub_download

from ganzoo.hub.build import build_checked, load_directory, load_weights, specs_of
from ganzoo.hub.cache_files import check_seal, publish_mode, seal, staging, sweep
from ganzoo.hub.catalog import CATALOG, Part, Pretrained, get_entry
from ganzoo.hub.convert import describe, get_converter, get_part_converter
from ganzoo.hub.convert.lightning_ckpt import read_checkpoint
from ganzoo.hub.convert.sniff import sniff_format
from ganzoo.hub.errors import CacheCorruptionError, WeightsNotFoundError
from ganzoo.hub.fetch import (
    cache_root,
    discard,
    fetch,
    hf_cache_dir,
    hf_download_command,
    hf_failure,
    is_offline,
    known_sha256,
    record_pin,
    sha256_of,
)
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
    ``model.safetensors``, a Lightning ``.ckpt``, a published checkpoint file in a format recognised from its
    content (pytorch_GAN_zoo's ``.pth``, NVIDIA's network ``.pkl``), or
    ``hf://owner/repo[/subfolder][@revision]``.
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
        fmt = sniff_format(path)
        if fmt is not None:
            return _load_file(path, fmt)
        raise ValueError(
            f"cannot load {path}: expected a Lightning .ckpt, a published checkpoint ganzoo recognises "
            f"(pytorch_GAN_zoo .pth, NVIDIA network .pkl), a folder with {CONFIG_NAME} + {WEIGHTS_NAME}, "
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
    cls = hparams["_class_path"] if model_class is None else model_class
    if not isinstance(cls, (str, type)):
        raise ValueError(f"{path} records its model class as {cls!r}, not a class path; pass model_class=")
    model = build_checked(cls, init_args, specs_of(state_dict, str(path)), str(path))
    return load_weights(model, state_dict, str(path))


def _load_file(path: Path, fmt: str) -> GANModule:
    """A published checkpoint file, converted once into the cache (keyed by its sha256), then read there."""
    target = cache_root() / "files" / sha256_of(path)[:16]
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f"{target.name}.lock"
    with FileLock(str(lock)):
        try:
            if (model := _read_sealed(target)) is not None:
                return model
            class_path, init_args = describe(fmt, path)
            state_dict = get_converter(fmt)(path, init_args)
            model = build_checked(class_path, init_args, specs_of(state_dict, str(path)), str(path))
            load_weights(model, state_dict, str(path))
            _write_atomically(target, class_path, init_args, model)
            return model
        finally:
            lock.unlink(missing_ok=True)


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


def converted_dir(entry: Pretrained, sha256: str | None = None, parts: Sequence[str | None] = ()) -> Path:
    """The cache folder of an entry's converted weights: one per entry and file content (``sha256`` and the
    ``parts``' hashes, by default the published or pinned ones), and everything else the conversion depends
    on."""
    sha256 = sha256 or known_sha256(entry.name, entry.sha256)
    parts = list(parts) or [known_sha256(part_key(entry, p), p.sha256) for p in entry.parts]
    if sha256 is None or None in parts:
        raise LookupError(f"{entry.name}'s files have no known sha256 yet: they have not been downloaded")
    fields: list[object] = [sha256, entry.format, entry.model, dict(entry.init_args)]
    if entry.parts:
        fields.append([[p.prefix, p.filename, h] for p, h in zip(entry.parts, parts, strict=True)])
    key = json.dumps(fields, sort_keys=True)
    return cache_root() / "models" / entry.name / hashlib.sha256(key.encode()).hexdigest()[:16]


def _load_entry(entry: Pretrained) -> GANModule:
    if not entry.has_weights:
        raise WeightsNotFoundError(
            f"{entry.name} has no published weights yet; train them with `ganzoo fit -c {entry.zoo_card}`."
        )
    if (model := _read_converted(entry)) is not None:
        return model
    folder = cache_root() / "models" / entry.name
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder)
    lock = folder / ".lock"
    with FileLock(str(lock)):  # one process converts; the others wait and read its result
        try:
            return _read_converted(entry) or _convert(entry)
        finally:
            lock.unlink(missing_ok=True)  # while held: a waiter on this inode sees it gone and locks anew


def _read_converted(entry: Pretrained) -> GANModule | None:
    """The entry's cached conversion, if there is one and it is whole."""
    try:
        return _read_sealed(converted_dir(entry))
    except LookupError:  # not downloaded yet
        return None


def part_key(entry: Pretrained, part: Part) -> str:
    """The pin and download key of a further file of ``entry`` (e.g. BicycleGAN's encoder)."""
    return f"{entry.name}+{Path(part.filename).stem}"


def _read_sealed(target: Path) -> GANModule | None:
    """The model cached in ``target`` if its files are those written; a damaged folder is deleted."""
    if not (target / CONFIG_NAME).is_file():
        return None
    try:
        for name in (CONFIG_NAME, WEIGHTS_NAME):
            check_seal(target / name)
        return load_directory(target, sealed=True)
    except (CacheCorruptionError, ValueError) as err:
        shutil.rmtree(target, ignore_errors=True)
        warnings.warn(f"{err}\nThe cached conversion {target} was deleted and is rebuilt.", stacklevel=4)
        return None


def _convert(entry: Pretrained) -> GANModule:
    raw = fetch(entry.sources, entry.sha256, entry.filename, key=entry.name)
    files = [(entry.name, entry.sha256, raw)]
    origin = f"{entry.name} ({raw.path})"
    try:
        state_dict = get_converter(entry.format)(raw.path, entry.init_args)
        for part in entry.parts:
            key = part_key(entry, part)
            files.append((key, part.sha256, got := fetch(part.sources, part.sha256, part.filename, key=key)))
            state_dict.update(get_part_converter(entry.format)(got.path, part.prefix))
        model = build_checked(entry.model, entry.init_args, specs_of(state_dict, origin), origin)
        load_weights(model, state_dict, origin)
    except Exception:
        for _, _, fetched in files:
            if fetched.new:  # never pinned, never kept: the next load downloads again
                discard(fetched)
        raise
    target = converted_dir(entry, raw.sha256, [fetched.sha256 for _, _, fetched in files[1:]])
    _write_atomically(target, entry.model, entry.init_args, model)
    for key, published, fetched in files:
        if fetched.new:
            record_pin(key, fetched.sha256, str(fetched.path), published)
    return model


def _write_atomically(target: Path, class_path: str, init_args: Mapping[str, Any], model: GANModule) -> None:
    """Stage the folder, seal its files, give it the user's permissions, then move it into place."""
    staged = staging(target.parent, target.name, folder=True)
    try:
        write_directory(staged, class_path, init_args, model.state_dict())
        for name in (WEIGHTS_NAME, CONFIG_NAME):
            seal(staged / name)
        publish_mode(staged)
        shutil.rmtree(target, ignore_errors=True)  # a folder without config.json is a damaged leftover
        os.replace(staged, target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
