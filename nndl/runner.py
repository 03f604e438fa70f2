"""RunnerV3 (book 4.5.4.2): trains a ``paddle.nn.Layer`` through ``paddle.io.DataLoader``.

Kept from the book: the constructor, ``train``'s keyword arguments and their
defaults, the printed lines, the evaluation cadence (every ``eval_steps``
steps except step 0, and at the last step), best-model saving, and the history
attributes.  Added: losses stored as python floats (no graph kept alive), a
clear stop on a NaN/inf loss, ``log_steps=0`` silences all printing, an
optional tqdm progress bar, a device argument, and evaluation/prediction leave
the model in the mode they found it in.
"""
import math
import os

import paddle

from .utils import use_device

__all__ = ["RunnerV3"]


def _set_mode(model, training):
    fn = getattr(model, "train" if training else "eval", None)
    if callable(fn):
        fn()


class RunnerV3(object):
    """输入:
        - model: 模型 (a ``paddle.nn.Layer``)
        - optimizer: 优化器 (paddle's or one of ``nndl``'s)
        - loss_fn: 损失函数, called as ``loss_fn(logits, labels)`` and returning a scalar
        - metric: 评价指标 with ``update/accumulate/reset`` (only used for evaluation)
        - device: None keeps paddle's current device (the GPU on a GPU build with a
          GPU); 'cpu' / 'gpu' / 'gpu:1' sets it and moves the model there
    """

    def __init__(self, model, optimizer, loss_fn, metric=None, device=None, **kwargs):
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.metric = metric  # 只用于计算评价指标
        if device is not None:
            self.device = use_device(device)
            if hasattr(model, "to"):
                model.to(device=paddle.get_device())
        else:
            self.device = paddle.get_device()
        self.dev_scores = []          # 验证集评价指标
        self.train_epoch_losses = []  # 每个 epoch 的平均训练损失
        self.train_step_losses = []   # [(step, loss)]
        self.dev_losses = []          # [(step, loss)]
        self.best_score = 0           # 全局最优指标

    def train(self, train_loader, dev_loader=None, **kwargs):
        """训练: keyword arguments as in the book.

        - num_epochs (0), log_steps (100; 0 prints nothing), eval_steps (0: never),
          save_path ('best_model.pdparams'), custom_print_log (None; called after backward),
          progress (False; a tqdm bar over the steps)
        """
        num_epochs = kwargs.get("num_epochs", 0)
        log_steps = kwargs.get("log_steps", 100)
        eval_steps = kwargs.get("eval_steps", 0)
        save_path = kwargs.get("save_path", "best_model.pdparams")
        custom_print_log = kwargs.get("custom_print_log", None)
        progress = kwargs.get("progress", False)

        if eval_steps:
            if self.metric is None:
                raise RuntimeError('Error: Metric can not be None!')
            if dev_loader is None:
                raise RuntimeError('Error: dev_loader can not be None!')

        _set_mode(self.model, True)
        num_batches = len(train_loader)
        num_training_steps = num_epochs * num_batches
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=num_training_steps, desc="train", leave=False)

        global_step = 0
        for epoch in range(num_epochs):
            total_loss = 0.0
            for data in train_loader:
                X, y = data
                logits = self.model(X)
                loss = self.loss_fn(logits, y)  # 默认求 mean
                loss_value = loss.item()  # works for 0-D and [1] losses
                if not math.isfinite(loss_value):
                    if bar is not None:
                        bar.close()
                    raise FloatingPointError(
                        f"[Train] loss is {loss_value} at step {global_step} (epoch {epoch}); "
                        "training stopped (try a smaller learning rate)"
                    )
                total_loss += loss_value
                self.train_step_losses.append((global_step, loss_value))
                if log_steps and global_step % log_steps == 0:
                    print(f"[Train] epoch: {epoch}/{num_epochs}, step: {global_step}/{num_training_steps}, "
                          f"loss: {loss_value:.5f}")

                loss.backward()
                if custom_print_log:
                    custom_print_log(self)
                self.optimizer.step()
                self.optimizer.clear_grad()

                if eval_steps > 0 and global_step != 0 and \
                        (global_step % eval_steps == 0 or global_step == (num_training_steps - 1)):
                    dev_score, dev_loss = self.evaluate(dev_loader, global_step=global_step)
                    if log_steps:
                        print(f"[Evaluate] dev score: {dev_score:.5f}, dev loss: {dev_loss:.5f}")
                    if dev_score > self.best_score:
                        self.save_model(save_path)
                        if log_steps:
                            print(f"[Evaluate] best accuracy performance has been updated: "
                                  f"{self.best_score:.5f} --> {dev_score:.5f}")
                        self.best_score = dev_score
                global_step += 1
                if bar is not None:
                    bar.update(1)
            self.train_epoch_losses.append(total_loss / max(num_batches, 1))
        if bar is not None:
            bar.close()
        if log_steps:
            print("[Train] Training done!")

    @paddle.no_grad()
    def evaluate(self, dev_loader, **kwargs):
        """模型评价: returns (score, mean batch loss) and appends both to the histories."""
        if self.metric is None:
            raise RuntimeError('Error: Metric can not be None!')
        if dev_loader is None:
            raise RuntimeError('Error: dev_loader can not be None!')
        was_training = getattr(self.model, "training", True)
        _set_mode(self.model, False)
        global_step = kwargs.get("global_step", -1)
        total_loss = 0.0
        num_batches = 0
        self.metric.reset()
        try:
            for X, y in dev_loader:
                logits = self.model(X)
                total_loss += self.loss_fn(logits, y).item()
                self.metric.update(logits, y)
                num_batches += 1
        finally:
            _set_mode(self.model, was_training)
        if num_batches == 0:
            raise RuntimeError("Error: dev_loader yielded no batch")
        dev_loss = total_loss / num_batches
        self.dev_losses.append((global_step, dev_loss))
        dev_score = self.metric.accumulate()
        self.dev_scores.append(dev_score)
        return dev_score, dev_loss

    @paddle.no_grad()
    def predict(self, x, **kwargs):
        """模型预测: the model's output for ``x`` in evaluation mode."""
        was_training = getattr(self.model, "training", True)
        _set_mode(self.model, False)
        try:
            return self.model(x)
        finally:
            _set_mode(self.model, was_training)

    def save_model(self, save_path):
        directory = os.path.dirname(os.path.abspath(save_path))
        os.makedirs(directory, exist_ok=True)
        paddle.save(self.model.state_dict(), save_path)

    def load_model(self, model_path):
        if not os.path.exists(model_path):
            raise FileNotFoundError(f"no saved model at {model_path}")
        self.model.set_state_dict(paddle.load(model_path))
