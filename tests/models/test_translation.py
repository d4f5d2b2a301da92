"""What pix2pix and CycleGAN share: translate() on tensors and PIL images, and the authors' lr schedule."""

from __future__ import annotations

import lightning as L
import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import transforms

from ganzoo.models import CycleGAN, Pix2Pix, Sampler, Translator
from ganzoo.models.translation import linear_decay

from .helpers import quiet_trainer
from .translation_data import loader, smooth_images


def tiny_pix2pix(**kwargs) -> Pix2Pix:
    torch.manual_seed(0)
    return Pix2Pix(**{"net_g": "unet_32", "ngf": 4, "ndf": 4, "image_size": 32, **kwargs})


def _with_trained_statistics(model: Pix2Pix) -> Pix2Pix:
    """Give batch norm running statistics that differ from any single batch's, as after training."""
    model.generator.train()
    with torch.no_grad():
        for seed in range(3):
            model.generator(smooth_images(4, 32, seed=seed) * 0.5 + 0.3)
    return model.eval()


def test_tensor_in_tensor_out_for_single_images_and_batches():
    model = tiny_pix2pix(dropout=False).eval()
    x = smooth_images(2, 32)
    assert model.translate(x).shape == (2, 3, 32, 32)
    assert model.translate(x[0]).shape == (3, 32, 32)


def test_eval_mode_uses_running_statistics_and_default_uses_the_batchs_like_the_authors_test_script():
    model = _with_trained_statistics(tiny_pix2pix(dropout=False))
    x = smooth_images(2, 32, seed=5)
    buffers = {k: v.clone() for k, v in model.generator.named_buffers()}
    with torch.no_grad():
        expected_eval = model.generator.eval()(x)
        expected_train = model.generator.train()(x)
    model.generator.load_state_dict({**model.generator.state_dict(), **buffers})  # undo that forward
    model.eval()
    assert torch.allclose(model.translate(x, eval_mode=True), expected_eval)
    assert torch.allclose(model.translate(x), expected_train)
    assert not torch.allclose(expected_train, expected_eval, atol=1e-3)
    # Translating leaves the model as it was: running statistics unchanged, still in eval mode.
    assert all(torch.equal(buffers[k], v) for k, v in model.generator.named_buffers())
    assert not model.generator.training


def test_dropout_noise_only_without_eval_mode():
    model = tiny_pix2pix(net_g="unet_64", image_size=64, dropout=True).eval()  # unet_32 has no dropout level
    x = smooth_images(2, 64)
    assert not torch.equal(model.translate(x), model.translate(x))
    assert torch.equal(model.translate(x, eval_mode=True), model.translate(x, eval_mode=True))


def test_pil_images_go_through_the_authors_test_pipeline():
    """Resize to image_size (bicubic), ToTensor, Normalize(0.5, 0.5); output (x + 1) / 2 * 255 as uint8."""
    model = tiny_pix2pix(dropout=False).eval()
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (50, 41, 3), dtype=np.uint8))
    pipeline = transforms.Compose(
        [
            transforms.Resize((32, 32), interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.ToTensor(),
            transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
        ]
    )
    expected = model.translate(pipeline(image), eval_mode=True)
    expected = ((expected.permute(1, 2, 0).numpy() + 1) / 2 * 255).astype(np.uint8)
    out = model.translate(image, eval_mode=True)
    assert isinstance(out, Image.Image) and out.size == (32, 32) and out.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(out), expected)
    grey = model.translate(image.convert("L"), eval_mode=True)  # converted to RGB for a 3-channel model
    assert grey.mode == "RGB"


def test_cyclegan_translates_both_ways():
    torch.manual_seed(0)
    model = CycleGAN(net_g="resnet_6blocks", ngf=4, ndf=4).eval()
    x = smooth_images(1, 32)
    with torch.no_grad():
        assert torch.allclose(model.translate(x), model.generator["AtoB"](x))
        assert torch.allclose(model.translate(x, "BtoA"), model.generator["BtoA"](x))
    with pytest.raises(ValueError, match="'AtoB' or 'BtoA'"):
        model.translate(x, "sideways")


def test_bad_inputs_and_sampling_fail_clearly():
    model = tiny_pix2pix()
    with pytest.raises(TypeError, match="PIL image or a"):
        model.translate(np.zeros((32, 32, 3)))
    with pytest.raises(ValueError, match="one way only"):
        model.translate(torch.zeros(3, 32, 32), "BtoA")
    # It translates and does not sample: the capabilities say so, and there is no sample() to call.
    assert isinstance(model, Translator) and not isinstance(model, Sampler)
    assert not hasattr(model, "sample")


@pytest.mark.parametrize(
    ("epoch", "factor"), [(0, 1.0), (99, 1.0), (100, 1 - 1 / 101), (150, 1 - 51 / 101), (199, 1 / 101)]
)
def test_linear_rule_of_the_authors_for_100_plus_100_epochs(epoch, factor):
    # lr_l = 1 - max(0, epoch + epoch_count - n_epochs) / (n_epochs_decay + 1), epoch_count = 1
    assert linear_decay(epoch, 100, 100) == pytest.approx(factor)


class LearningRates(L.Callback):
    def __init__(self) -> None:
        self.seen: list[tuple[float, float]] = []

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.seen.append(tuple(opt.param_groups[0]["lr"] for opt in trainer.optimizers))


def test_both_learning_rates_follow_the_schedule_epoch_by_epoch():
    model = tiny_pix2pix(n_epochs=2, n_epochs_decay=3, lr_g=1e-3, lr_d=2e-3)
    rates = LearningRates()
    quiet_trainer(max_epochs=5, callbacks=[rates]).fit(model, loader(n=2, batch_size=2))
    factors = [1.0, 1.0, 0.75, 0.5, 0.25]
    assert [d for d, _ in rates.seen] == pytest.approx([2e-3 * f for f in factors])
    assert [g for _, g in rates.seen] == pytest.approx([1e-3 * f for f in factors])


def test_schedule_lengths_are_checked():
    with pytest.raises(ValueError, match="positive sum"):
        tiny_pix2pix(n_epochs=0, n_epochs_decay=0)


def test_pil_input_follows_the_channels_of_the_direction():
    torch.manual_seed(0)
    model = CycleGAN(1, 3, net_g="unet_32", ngf=2, ndf=2, lambda_identity=0.0, image_size=32)
    photo = Image.fromarray(np.full((40, 40, 3), 200, dtype=np.uint8))
    assert model.translate(photo, "BtoA").mode == "L"  # RGB in, grey out
    assert model.translate(photo.convert("L"), "AtoB").mode == "RGB"
