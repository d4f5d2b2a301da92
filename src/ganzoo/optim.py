"""The SGD schedules of pylearn2, which the GAN (Goodfellow et al. 2014) and CGAN (Mirza & Osindero 2014)
papers trained with: a learning rate divided by a constant factor after every update down to a floor
(``ExponentialDecay``), and a momentum raised linearly over epochs (``MomentumRamp``, pylearn2's
``MomentumAdjustor``).
"""

from __future__ import annotations

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


class ExponentialDecay(LambdaLR):
    """lr_t = max(lr_0 / decay_factor^t, min_lr) after t steps (pylearn2's ``sgd.ExponentialDecay``, stepped
    once per update). ``min_lr`` is absolute, as in pylearn2; a group whose lr_0 is below it keeps lr_0."""

    def __init__(self, optimizer: Optimizer, decay_factor: float, min_lr: float = 0.0, last_epoch: int = -1):
        if decay_factor < 1:
            raise ValueError(f"decay_factor divides the learning rate and must be >= 1, got {decay_factor}")
        if min_lr < 0:
            raise ValueError(f"min_lr must be >= 0, got {min_lr}")
        self.decay_factor, self.min_lr = decay_factor, min_lr
        # initial_lr is what LambdaLR scales; setting it here (as LRScheduler would) lets the floor use it.
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        factors = [self._factor(group["initial_lr"]) for group in optimizer.param_groups]
        super().__init__(optimizer, factors, last_epoch)

    def _factor(self, lr0: float):
        floor = min(self.min_lr / lr0, 1.0) if lr0 > 0 else 0.0
        decay = self.decay_factor
        return lambda t: max(decay ** (-t), floor)


class MomentumRamp:
    """Mixin for a ``GANModule`` with hyperparameters ``momentum``, ``momentum_final`` and
    ``momentum_ramp_epochs``: at the start of every epoch, sets the momentum of both optimizers (those that
    have one: SGD, RMSprop) to ``momentum_at(epoch)``, linear from ``momentum`` at epoch 0 to
    ``momentum_final`` at epoch ``momentum_ramp_epochs`` and constant after.

    pylearn2's ``MomentumAdjustor(start=s, saturate=S)`` counts one call before training and one after each
    epoch, so it gives epoch e the momentum ``momentum_at(e)`` with ``momentum_ramp_epochs = S - s``.
    """

    @staticmethod
    def check_momentum_ramp(momentum_ramp_epochs: int) -> None:
        if momentum_ramp_epochs < 1:
            raise ValueError(f"momentum_ramp_epochs must be >= 1, got {momentum_ramp_epochs}")

    def momentum_at(self, epoch: int) -> float:
        """SGD momentum at ``epoch``: linear from ``momentum`` to ``momentum_final`` over the ramp."""
        hp = self.hparams
        if hp.momentum_final is None:
            return hp.momentum
        progress = min(epoch / hp.momentum_ramp_epochs, 1.0)
        return hp.momentum + progress * (hp.momentum_final - hp.momentum)

    def on_train_epoch_start(self) -> None:
        for opt in self.optimizers():
            for group in opt.param_groups:
                if "momentum" in group:  # SGD's and RMSprop's; Adam has none to ramp
                    group["momentum"] = self.momentum_at(self.current_epoch)
