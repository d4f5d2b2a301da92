"""The GANModule loop: non-finite losses, EMA, schedulers, clipping, logging, exact resume, bf16."""

from __future__ import annotations

from typing import Any

import lightning as L
import pytest
import torch

from ganzoo.data import MNIST
from ganzoo.models import DCGAN
from ganzoo.models.base import LazyRegularizer
from ganzoo.nn.ema import ema_update_

from .helpers import StepRecorder, changed, quiet_trainer, snapshot


def tiny_dcgan(**kwargs: Any) -> DCGAN:
    return DCGAN(image_size=16, channels=1, g_width=8, d_width=8, **kwargs)


@pytest.fixture
def mnist16(mnist_dir) -> MNIST:
    return MNIST(data_dir=mnist_dir, image_size=16, batch_size=8, download=False)


class NaNAtStep(DCGAN):
    """A DCGAN whose discriminator loss is NaN on its ``bad_call``-th evaluation (counting from 0)."""

    def __init__(self, bad_call: int, **kwargs: Any) -> None:
        super().__init__(image_size=16, channels=1, g_width=8, d_width=8, **kwargs)
        self.bad_call, self.calls = bad_call, 0

    def d_loss(self, batch: Any) -> dict[str, torch.Tensor]:
        out = super().d_loss(batch)
        if self.calls == self.bad_call:
            out["loss"] = out["loss"] * float("nan")
        self.calls += 1
        return out


def test_nonfinite_loss_raises_naming_network_and_step(mnist16) -> None:
    with pytest.raises(
        FloatingPointError, match=r"discriminator loss is nan at global step 2 .*on_nonfinite='skip'"
    ):
        quiet_trainer(max_steps=10).fit(NaNAtStep(bad_call=1), mnist16)


def test_nonfinite_loss_can_skip_the_update(mnist16) -> None:
    model = NaNAtStep(bad_call=1, on_nonfinite="skip")
    recorder = StepRecorder()
    with pytest.warns(RuntimeWarning, match="skipping this update"):
        quiet_trainer(max_steps=4, callbacks=[recorder]).fit(model, mnist16)
    # batch 2's D update was dropped, so was the G update that would have followed it
    assert recorder.sequence == ["D", "G", "D", "G"]
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_ema_update_formula() -> None:
    ema, model = torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)
    expected = 0.9 * ema.weight.detach() + 0.1 * model.weight.detach()
    ema_update_(ema, model, 0.9)
    torch.testing.assert_close(ema.weight, expected)


def test_ema_generator_is_averaged_after_start_and_used_for_sampling(mnist16) -> None:
    model = tiny_dcgan(ema_decay=0.5, ema_start=2)
    g_weights: list[dict[str, torch.Tensor]] = []

    class Track(L.Callback):
        def on_train_batch_end(self, trainer, pl_module, *args: Any) -> None:
            g_weights.append(snapshot(pl_module.generator))

    quiet_trainer(max_steps=8, callbacks=[Track()]).fit(model, mnist16)
    key = "net.0.weight"
    # steps 1-2 copy G; steps 3 and 4 average with decay 0.5
    expected = g_weights[1][key]
    for step in (2, 3):
        expected = 0.5 * expected + 0.5 * g_weights[step][key]
    torch.testing.assert_close(model.generator_ema.state_dict()[key], expected)
    assert not torch.equal(model.generator_ema.state_dict()[key], model.generator.state_dict()[key])
    z = model.sample_latent(4)
    torch.testing.assert_close(model.sample(4, z=z), model.generator_ema.eval()(z))
    assert not any(p.requires_grad for p in model.generator_ema.parameters())


def test_schedulers_step_for_both_networks(mnist16) -> None:
    model = tiny_dcgan(
        scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
        scheduler_interval="step",
    )
    trainer = quiet_trainer(max_steps=6)
    trainer.fit(model, mnist16)
    for opt in trainer.optimizers:
        assert opt.param_groups[0]["lr"] == pytest.approx(2e-4 * 0.5**3)


class AfterEachGStep(L.Callback):
    """G's weights after each of its optimizer steps (a step hook on its optimizer)."""

    def __init__(self) -> None:
        self.g_weights: list[dict[str, torch.Tensor]] = []

    def on_train_start(self, trainer: L.Trainer, pl_module: DCGAN) -> None:
        trainer.optimizers[1].register_step_post_hook(
            lambda *_: self.g_weights.append(snapshot(pl_module.generator))
        )


@pytest.mark.parametrize(("d_steps", "g_steps"), [(1, 2), (3, 2), (2, 1), (2, 3)])
def test_d_steps_and_g_steps_schedule_the_updates(mnist16, d_steps: int, g_steps: int) -> None:
    model = tiny_dcgan(d_steps=d_steps, g_steps=g_steps)
    d_before, g_before = snapshot(model.discriminator), snapshot(model.generator)
    recorder = StepRecorder()
    n = 6
    trainer = quiet_trainer(max_epochs=1, limit_train_batches=n, callbacks=[recorder])
    trainer.fit(model, mnist16)
    expected = []
    for i in range(1, n + 1):  # batch i: one D update, then g_steps G updates after every d_steps-th
        expected += ["D"] + (["G"] * g_steps if i % d_steps == 0 else [])
    assert recorder.sequence == expected and all(recorder.other_frozen)
    assert int(model.num_d_steps) == n and int(model.num_g_steps) == n // d_steps * g_steps
    assert trainer.global_step == len(expected)
    assert changed(d_before, model.discriminator) and changed(g_before, model.generator)


def test_each_of_the_g_steps_updates_the_ema_schedulers_and_lazy_regularizers(mnist16) -> None:
    calls = []

    class WithLazyGTerm(DCGAN):
        def lazy_regularizers(self) -> list[LazyRegularizer]:
            def term(batch: Any) -> dict[str, torch.Tensor]:
                calls.append(int(self.num_g_steps))
                return {"loss": self.g_loss(batch)["loss"]}

            return [LazyRegularizer("extra", "generator", 3, term)]

    model = WithLazyGTerm(
        image_size=16,
        channels=1,
        g_width=8,
        d_width=8,
        g_steps=2,
        ema_decay=0.5,
        scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
        scheduler_interval="step",
    )
    ema = dict(model.generator.named_parameters())
    ema = {k: v.detach().clone() for k, v in ema.items()}
    after_g = AfterEachGStep()
    trainer = quiet_trainer(max_epochs=1, limit_train_batches=3, callbacks=[after_g])
    trainer.fit(model, mnist16)
    assert int(model.num_g_steps) == 6
    assert calls == [3, 6], "the lazy term runs at the 3rd and 6th generator update"
    # G's optimizer stepped 8 times: 6 updates, the 3rd and the 6th each followed by the lazy step. The EMA
    # averages G once per update, after that update's lazy step: G after its steps 1, 2, 4, 5, 6 and 8.
    assert len(after_g.g_weights) == 8
    for weights in [after_g.g_weights[i] for i in (0, 1, 3, 4, 5, 7)]:
        ema = {k: 0.5 * v + 0.5 * weights[k] for k, v in ema.items()}
    for key, value in model.generator_ema.named_parameters():
        torch.testing.assert_close(value, ema[key], msg=key)
    for opt in trainer.optimizers:  # both schedulers step after each generator update
        assert opt.param_groups[0]["lr"] == pytest.approx(2e-4 * 0.5**6)


def test_gradient_clipping_bounds_each_networks_norm(mnist16) -> None:
    norms: list[float] = []

    class Norms(L.Callback):
        def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
            grads = [p.grad for g in optimizer.param_groups for p in g["params"] if p.grad is not None]
            norms.append(
                torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()
            )

    quiet_trainer(max_steps=6, callbacks=[Norms()]).fit(
        tiny_dcgan(grad_clip_d=1e-3, grad_clip_g=1e-3), mnist16
    )
    assert len(norms) == 6 and max(norms) <= 1e-3 * 1.001


def test_logs_losses_and_discriminator_outputs(mnist16) -> None:
    trainer = quiet_trainer(max_steps=4)
    trainer.fit(tiny_dcgan(), mnist16)
    assert {"train/d_loss", "train/g_loss", "train/d_real", "train/d_fake"} <= set(trainer.callback_metrics)


def _fit(tmp_path, max_epochs: int, ckpt: str | None = None) -> tuple[DCGAN, L.Trainer]:
    L.seed_everything(0, verbose=False)
    model = tiny_dcgan(ema_decay=0.9, scheduler=lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.9))
    trainer = quiet_trainer(max_epochs=max_epochs, deterministic=True, default_root_dir=tmp_path)
    trainer.fit(
        model, MNIST(data_dir=_fit.data_dir, image_size=16, batch_size=16, download=False), ckpt_path=ckpt
    )
    return model, trainer


def test_resume_is_identical_to_an_uninterrupted_run(tmp_path, mnist_dir) -> None:
    _fit.data_dir = mnist_dir
    straight, _ = _fit(tmp_path / "a", max_epochs=2)

    _, trainer = _fit(tmp_path / "b", max_epochs=1)
    ckpt = tmp_path / "half.ckpt"
    trainer.save_checkpoint(ckpt)
    resumed, trainer2 = _fit(tmp_path / "c", max_epochs=2, ckpt=str(ckpt))

    assert int(resumed.num_g_steps) == int(straight.num_g_steps) == 8
    for key, value in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], value, atol=1e-6, rtol=0, msg=f"{key} differs")
    assert trainer2.optimizers[1].param_groups[0]["lr"] == pytest.approx(2e-4 * 0.9**2)


def test_bf16_mixed_precision_trains(mnist16) -> None:
    model = tiny_dcgan(loss="hinge", penalty="gradient", penalty_weight=1.0)
    before = snapshot(model)
    trainer = quiet_trainer(max_steps=4, precision="bf16-mixed")
    trainer.fit(model, mnist16)
    assert all(torch.isfinite(v).all() for v in model.state_dict().values() if v.is_floating_point())
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items() if v.is_floating_point())
    assert next(model.parameters()).dtype == torch.float32, "mixed precision keeps float32 master weights"


def test_invalid_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match="d_steps must be >= 1"):
        tiny_dcgan(d_steps=0)
    with pytest.raises(ValueError, match="g_steps must be >= 1"):
        tiny_dcgan(g_steps=0)
    with pytest.raises(ValueError, match="unknown loss 'hing'"):
        tiny_dcgan(loss="hing")
    with pytest.raises(ValueError, match="unknown penalty"):
        tiny_dcgan(penalty="gp")
    with pytest.raises(ValueError, match="image_size = 4 \\* 2\\^k"):
        DCGAN(image_size=28)


def test_ema_of_spectral_norm_layers_normalises_by_the_averaged_weights() -> None:
    torch.manual_seed(0)
    ema = torch.nn.utils.spectral_norm(torch.nn.Linear(6, 5))
    model = torch.nn.utils.spectral_norm(torch.nn.Linear(6, 5))
    w = 0.5 * ema.weight_orig.detach() + 0.5 * model.weight_orig.detach()
    u_model = model.weight_u.detach().clone()
    ema_update_(ema, model, 0.5)
    # One power iteration on the averaged weight, started from the copied vector (torch's update rule).
    v = torch.nn.functional.normalize(w.t() @ u_model, dim=0, eps=1e-12)
    u = torch.nn.functional.normalize(w @ v, dim=0, eps=1e-12)
    torch.testing.assert_close(ema.weight_orig, w)
    torch.testing.assert_close(ema.weight_v, v)
    torch.testing.assert_close(ema.weight_u, u)


class ModeRecorder(L.Callback):
    def __init__(self) -> None:
        self.training: list[bool] = []

    def on_train_batch_start(self, trainer: L.Trainer, pl_module: DCGAN, batch: Any, batch_idx: int) -> None:
        self.training.append(pl_module.generator.training and pl_module.discriminator.training)


def test_a_model_left_in_eval_mode_trains_in_train_mode(mnist16) -> None:
    model = tiny_dcgan().eval()  # as ganzoo.load returns it
    recorder = ModeRecorder()
    quiet_trainer(max_steps=4, callbacks=[recorder]).fit(model, mnist16)  # 2 batches: D, G, D, G
    assert recorder.training == [True, True]


class _NaNGradient(torch.autograd.Function):
    """Identity forward, NaN backward: a finite loss whose gradient is not."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return x.clone()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad * float("nan")


class NaNGradientFrom(DCGAN):
    """From its ``bad_call``-th D evaluation on, D's loss stays finite but its gradient is NaN."""

    def __init__(self, bad_call: int, **kwargs: Any) -> None:
        super().__init__(image_size=16, channels=1, g_width=8, d_width=8, **kwargs)
        self.bad_call, self.calls = bad_call, 0

    def d_loss(self, batch: Any) -> dict[str, torch.Tensor]:
        out = super().d_loss(batch)
        if self.calls >= self.bad_call:
            out["loss"] = _NaNGradient.apply(out["loss"])
        self.calls += 1
        return out


def test_a_finite_loss_with_a_nan_gradient_is_caught_before_it_reaches_the_weights(mnist16) -> None:
    with pytest.raises(
        FloatingPointError, match=r"discriminator loss is [0-9.]+ at global step 2 .*norm nan"
    ):
        quiet_trainer(max_steps=10).fit(NaNGradientFrom(bad_call=1), mnist16)


def test_skipping_stops_with_an_error_after_skip_limit_updates_in_a_row(mnist16) -> None:
    model = NaNGradientFrom(bad_call=1, on_nonfinite="skip", skip_limit=5)
    with (
        pytest.warns(RuntimeWarning, match="skipping this update"),
        pytest.raises(
            FloatingPointError, match=r"last 5 discriminator updates were all skipped \(skip_limit=5\)"
        ),
    ):
        quiet_trainer(max_steps=1000, max_epochs=-1).fit(model, mnist16)
    assert model.calls == 6, "it must stop at the 5th skipped update in a row, not run on"
    assert all(torch.isfinite(p).all() for p in model.parameters()), "a skipped update never touches weights"


def test_weights_with_nan_are_not_saved(tmp_path) -> None:
    model = DCGAN(image_size=16, channels=1, g_width=8, d_width=8)
    with torch.no_grad():
        next(model.discriminator.parameters()).fill_(float("nan"))
    with pytest.raises(
        ValueError, match=r"refusing to save DCGAN: 1 tensors hold NaN or Inf \(discriminator\."
    ):
        model.save_pretrained(tmp_path / "out")
    assert not (tmp_path / "out").exists()
