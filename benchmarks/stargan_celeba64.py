"""StarGAN on the real CelebA subset within a CPU budget: a grid of test faces translated to each of the
five attributes before and after a short run, and two numbers at both ends.

The real ``StarGAN`` objective (WGAN-GP, lambda_cls 1, lambda_rec 10, 5 D updates per G update,
Adam(1e-4, (0.5, 0.999)), batch 16) trains on the ``celeba_attributes`` DataModule (Black_Hair, Blond_Hair,
Brown_Hair, Male, Young; StarGAN's 178-px centre crop scaled to the 89x109 subset, flips) at 64x64 with
narrower networks (conv dims 32, 3 residual blocks) for a fixed wall-clock budget. The paper's recipe
(128x128, 200,000 iterations) is ``zoo_cards/stargan_celeba128.yaml``.

Measured on the first 256 test faces (the subset's last 10%), each translated to the five single-attribute
targets of the authors' test grid: the reconstruction error mean |G(G(x, c_trg), c_org) - x|; how often
StarGAN's own auxiliary classifier (D's second head, trained with it, so an optimistic judge) finds the
target attribute on the translated face; and, by the independent judge
``ganzoo.metrics.attribute_classifier`` (trained on the subset's train split only, never on StarGAN's
output), how often the translated face has the targeted attribute's target value, and how often it keeps
every attribute the target leaves unchanged (as the judge reads the input face). The untrained model at
the start is kept and judged after training, with the same judge.

    OMP_NUM_THREADS=1 nice python benchmarks/stargan_celeba64.py --data-dir DIR [--minutes 15]
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import lightning as L
import torch

from ganzoo.data import CelebAAttributes
from ganzoo.images import save_image_grid
from ganzoo.metrics.attribute_classifier import (
    AttributeClassifier,
    attribute_accuracy,
    celeba_attribute_classifier,
)
from ganzoo.models import StarGAN
from ganzoo.models.stargan import single_attribute_targets

RESULTS = Path(__file__).resolve().parent / "results"
NAME = "stargan_celeba64"
GRID_FACES = 8
EVAL_FACES = 256


@torch.no_grad()
def measure(
    model: StarGAN, judge: AttributeClassifier, faces: torch.Tensor, labels: torch.Tensor
) -> dict[str, object]:
    names = model.attributes
    rec, own_hits, hits, kept = 0.0, 0.0, torch.zeros(len(names)), 0.0
    targets = single_attribute_targets(labels, names)
    seen = judge.predict(faces)
    for i, target in enumerate(targets):
        fake = model.translate(faces, target=target)
        rec += (model.translate(fake, target=labels) - faces).abs().mean().item() / len(targets)
        _, logits = model.discriminator(fake)
        own_hits += ((logits[:, i] > 0).float() == target[:, i]).float().mean().item() / len(targets)
        read = judge.predict(fake)
        hits[i] = (read[:, i] == target[:, i]).float().mean()
        untargeted = target == labels
        kept += ((read == seen) | ~untargeted).all(1).float().mean().item() / len(targets)
    return {
        "reconstruction_l1": rec,
        "own_classifier_target_accuracy": own_hits,
        "judge_target_accuracy": hits.mean().item(),
        "judge_target_accuracy_per_attribute": dict(zip(names, hits.tolist(), strict=True)),
        "judge_untargeted_preserved": kept,
    }


@torch.no_grad()
def grid(model: StarGAN, faces: torch.Tensor, labels: torch.Tensor, path: Path) -> None:
    """One row per face: the input, then its translation to each single-attribute target."""
    columns = [faces] + [
        model.translate(faces, target=t) for t in single_attribute_targets(labels, model.attributes)
    ]
    save_image_grid(torch.stack(columns, 1).flatten(0, 1), path, nrow=len(columns))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--minutes", type=float, default=15.0)
    args = p.parse_args()
    torch.manual_seed(0)
    dm = CelebAAttributes(args.data_dir, image_size=64, batch_size=16, download=False)
    test = dm.dataset("test")
    faces = torch.stack([test[i][0] for i in range(EVAL_FACES)])
    labels = torch.stack([test[i][1] for i in range(EVAL_FACES)])
    model = StarGAN(image_size=64, g_conv_dim=32, d_conv_dim=32, g_repeat_num=3, d_repeat_num=6)
    RESULTS.mkdir(exist_ok=True)
    untrained = copy.deepcopy(model)
    grid(model, faces[:GRID_FACES], labels[:GRID_FACES], RESULTS / f"{NAME}_start.png")
    t0 = time.perf_counter()
    trainer = L.Trainer(
        accelerator="cpu",
        max_time={"minutes": args.minutes},
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, dm)
    seconds = time.perf_counter() - t0
    judge = celeba_attribute_classifier(args.data_dir, model.attributes)
    start, end = measure(untrained, judge, faces, labels), measure(model, judge, faces, labels)
    grid(model, faces[:GRID_FACES], labels[:GRID_FACES], RESULTS / f"{NAME}.png")
    result = {
        "protocol": f"first {EVAL_FACES} test faces, 64x64, five single-attribute targets each",
        "judge_real_test_faces": dict(
            zip(model.attributes, attribute_accuracy(judge, faces, labels).tolist(), strict=True)
        ),
        "g_steps": int(model.num_g_steps),
        "d_steps": int(model.num_d_steps),
        "seconds": round(seconds),
        "threads": torch.get_num_threads(),
        "start": start,
        "end": end,
    }
    (RESULTS / f"{NAME}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
