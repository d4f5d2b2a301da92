"""Two CPU processes (gloo) train DCGAN a few steps under DDP; each rank saves its weights."""

import sys
from pathlib import Path

import lightning as L
import torch

from ganzoo.data import MNIST
from ganzoo.models import DCGAN

if __name__ == "__main__":
    data_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    L.seed_everything(0, verbose=False)
    model = DCGAN(image_size=16, channels=1, g_width=8, d_width=8)
    trainer = L.Trainer(
        accelerator="cpu",
        devices=2,
        strategy="ddp_find_unused_parameters_true",
        max_steps=6,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, MNIST(data_dir=data_dir, image_size=16, batch_size=8, download=False))
    # Parameters must agree; BN running statistics are rank-local between DDP's buffer broadcasts.
    weights = {k: v.detach().cpu() for k, v in model.named_parameters()}
    weights["num_g_steps"] = model.num_g_steps.cpu()
    torch.save(weights, out_dir / f"rank{trainer.global_rank}.pt")
