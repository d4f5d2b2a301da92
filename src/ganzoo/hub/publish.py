"""Publishing a trained model: ``save_pretrained`` writes the folder ``ganzoo.load`` reads, plus a model card.

The folder holds ``config.json`` + ``model.safetensors`` (what loading needs), ``README.md`` (paper, dataset,
metrics with their protocol, license, how to load) and ``samples.png`` (a fixed-seed grid the card shows).
``push_to_hub`` uploads that folder to a Hugging Face repository. ``Publishable`` gives every ``GANModule``
both as methods; the model says how it is used (``usage``) and what its card shows (``preview``), so this
module needs nothing from ``ganzoo.models``.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from huggingface_hub import HfApi
from torch import Tensor

from ganzoo.hub.folder import class_path_of, write_directory
from ganzoo.images import save_image_grid

if TYPE_CHECKING:
    from ganzoo.hub.catalog.entry import Metric

SAMPLES_NAME = "samples.png"


class Publishable:
    """``save_pretrained`` / ``push_to_hub`` as methods, in the manner of ``huggingface_hub``'s mixins.

    Mixed into ``GANModule`` (an ``nn.Module`` with ``hparams`` and ``sampling_generator``), which is what the
    functions below take.
    """

    usage: tuple[str, ...] = ()
    """Lines of Python after ``model = ganzoo.load(...)`` that a model card shows."""

    def preview(self, seed: int) -> Tensor | None:
        """The images a model card shows (``None``: none)."""
        return None

    def save_pretrained(self, directory: str | os.PathLike[str], **card: Any) -> Path:
        """Write ``config.json`` + ``model.safetensors`` + a model card that ``ganzoo.load`` reads back."""
        return save_pretrained(self, directory, **card)

    def push_to_hub(self, repo_id: str, **kwargs: Any) -> str:
        """Upload ``save_pretrained``'s folder to the Hugging Face repo ``repo_id``; return the commit URL."""
        return push_to_hub(self, repo_id, **kwargs)


def init_args_of(model: Publishable) -> dict[str, Any]:
    """The constructor arguments that rebuild ``model``, checked to be JSON data its class accepts."""
    init_args = {k: v for k, v in model.hparams.items() if not k.startswith("_")}
    try:
        init_args = json.loads(json.dumps(init_args))
    except TypeError as err:
        raise ValueError(
            f"{type(model).__name__}'s hyperparameters are not all JSON data ({err}); save_pretrained needs "
            "a model that its constructor arguments alone rebuild"
        ) from err
    try:
        inspect.signature(type(model)).bind(**init_args)
    except TypeError as err:
        raise ValueError(
            f"{type(model).__name__} cannot be rebuilt from its hyperparameters ({err}). save_pretrained "
            "needs a paper class such as ganzoo.models.DCGAN, not a GANModule given network objects."
        ) from err
    return init_args


def save_pretrained(
    model: Publishable,
    directory: str | os.PathLike[str],
    *,
    paper: str | None = None,
    dataset: str | None = None,
    license: str | None = None,
    metrics: Sequence[Metric] = (),
    zoo_card: str | None = None,
    training: str | None = None,
    name: str | None = None,
    sample_seed: int = 0,
    generator_only: bool = False,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write ``model`` to ``directory`` so that ``ganzoo.load(directory)`` rebuilds it; return the folder.

    ``generator_only=True`` writes the sampling form alone (the class built with ``generator_only=True``
    and the generator's tensors), which is what a published generator needs and often half the bytes;
    ``dtype`` stores the float tensors in that precision (loading casts them back to the model's).
    The other arguments fill the model card: ``paper`` defaults to the paper module's first docstring line;
    ``metrics`` carry their protocol; ``training`` says what was run and for how long; ``name`` is what
    ``ganzoo.load`` is given in the card's usage example (a catalog name or ``hf://owner/repo``).
    """
    directory = Path(directory)
    state = model.state_dict()
    init_args = init_args_of(model)
    if generator_only:
        init_args, state = _generator_form(model, init_args, state)
    if dtype is not None:
        state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}
    bad = [k for k, v in state.items() if v.is_floating_point() and not bool(v.isfinite().all())]
    if bad:
        raise ValueError(
            f"refusing to save {type(model).__name__}: {len(bad)} tensors hold NaN or Inf "
            f"({', '.join(bad[:5])}"
            f"{' ...' if len(bad) > 5 else ''}); training diverged. Save a checkpoint from before it did."
        )
    write_directory(directory, class_path_of(model), init_args, state)
    grid = model.preview(sample_seed)
    if grid is not None:
        save_image_grid(grid, directory / SAMPLES_NAME, nrow=8)
    card = model_card(
        model,
        paper=paper or _paper_of(model),
        dataset=dataset,
        license=license,
        metrics=metrics,
        zoo_card=zoo_card,
        training=training,
        name=name,
        samples=(directory / SAMPLES_NAME).is_file(),
        sample_seed=sample_seed,
    )
    (directory / "README.md").write_text(card)
    return directory


def _generator_form(
    model: Publishable, init_args: dict[str, Any], state: dict[str, Tensor]
) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """The arguments and tensors of ``model``'s generator-only form, checked against that form's shapes."""
    cls = type(model)
    if "generator_only" not in inspect.signature(cls).parameters:
        raise ValueError(f"{cls.__name__} has no generator_only form; save it whole (generator_only=False)")
    init_args = {**init_args, "generator_only": True}
    with torch.device("meta"):
        form = cls(**init_args).state_dict()
    missing = [k for k in form if k not in state or state[k].shape != form[k].shape]
    if missing:
        raise ValueError(
            f"{cls.__name__}(generator_only=True) expects tensors this model lacks or shapes it differs in: "
            f"{', '.join(missing[:5])}"
        )
    return init_args, {k: state[k] for k in form}


def push_to_hub(
    model: Publishable,
    repo_id: str,
    *,
    private: bool | None = None,
    token: str | None = None,
    commit_message: str = "Upload ganzoo model",
    **card: Any,
) -> str:
    """Save ``model`` as ``save_pretrained`` does (``card`` goes to it), upload it, return the commit URL."""
    api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    card.setdefault("name", f"hf://{repo_id}")
    with tempfile.TemporaryDirectory() as tmp:
        save_pretrained(model, tmp, **card)
        info = api.upload_folder(repo_id=repo_id, folder_path=tmp, commit_message=commit_message)
    return str(info.commit_url)


def _paper_of(model: Publishable) -> str | None:
    """The first line of the paper module's docstring, which names the paper by convention."""
    doc = sys.modules[type(model).__module__].__doc__
    return doc.strip().splitlines()[0] if doc else None


def model_card(
    model: Publishable,
    *,
    paper: str | None,
    dataset: str | None,
    license: str | None,
    metrics: Sequence[Metric],
    zoo_card: str | None,
    training: str | None,
    name: str | None,
    samples: bool,
    sample_seed: int,
) -> str:
    """A Hugging Face model card (YAML front matter + Markdown) describing the saved model."""
    title = type(model).__name__
    front = ["---", "library_name: ganzoo", "tags:", "- gan", "- image-generation", "- ganzoo"]
    if license:
        front.append(f"license: {license.lower()}")
    if dataset:
        front += ["datasets:", f"- {dataset}"]
    front.append("---")
    n_params = sum(p.numel() for p in model.sampling_generator.parameters())
    lines = [
        f"# {title}" + (f" on {dataset}" if dataset else ""),
        "",
        f"- Paper: {paper or 'not recorded'}",
        f"- Dataset: {dataset or 'not recorded'}",
        f"- Model: `{class_path_of(model)}`, generator of {n_params:,} parameters",
        f"- License: {license or 'not recorded'}",
    ]
    if zoo_card:
        lines.append(f"- Zoo card: `ganzoo fit -c {zoo_card}`")
    if training:
        lines.append(f"- Training: {training}")
    lines += ["", "## Metrics", ""]
    if metrics:
        lines += ["| metric | value | protocol |", "| --- | --- | --- |"]
        lines += [f"| {m.name} | {m.value:.2f} | {m.protocol} |" for m in metrics]
    else:
        lines.append("No metrics recorded.")
    if samples:
        lines += ["", "## Samples", "", f"![64 samples, seed {sample_seed}]({SAMPLES_NAME})"]
    lines += [
        "",
        "## Usage",
        "",
        "```python",
        "import ganzoo",
        "",
        f'model = ganzoo.load("{name or "<this folder, or hf://owner/repo>"}")',
        *model.usage,
        "```",
        "",
    ]
    return "\n".join(front + lines)
