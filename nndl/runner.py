"""The book's runners: Runner (2.4), RunnerV1 (2.5.3), RunnerV2 (3.1.6), RunnerV2_1 (4.2.5),
RunnerV2_2 (4.3.2) and RunnerV3 (4.5.4.2).

Runner is the book's skeleton; RunnerV1 fits a closed-form model; RunnerV2,
RunnerV2_1 and RunnerV2_2 train on the whole training set each epoch and share
one loop (:class:`_FullBatchRunner`) that differs only in how the gradients are
computed (the model's fused backward, the loss's backward, or paddle's
autograd) and how the best model is saved.

RunnerV3 (book 4.5.4.2) trains a ``paddle.nn.Layer`` through ``paddle.io.DataLoader``.

Kept from the book: the constructor, ``train``'s keyword arguments and their
defaults, the printed lines, the evaluation cadence (every ``eval_steps``
steps except step 0, and at the last step), best-model saving, and the history
attributes.  Added: losses stored as python floats (no graph kept alive), a
clear stop on a NaN/inf loss, ``log_steps=0`` silences all printing, an
optional tqdm progress bar, a device argument, and evaluation/prediction leave
the model in the mode they found it in.

Under ``paddle.distributed.launch`` RunnerV3 trains data-parallel with the numbers of
one process (:mod:`nndl.distributed`, ``docs/distributed.md``); the other runners train
on the whole data set at once and refuse to run under a launcher.
"""
import math
import os

import paddle

from . import distributed as _dist
from .utils import use_device

__all__ = ["Runner", "RunnerV1", "RunnerV2", "RunnerV2_1", "RunnerV2_2", "RunnerV3"]


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
        - loss_reduction: None ('mean', or ``loss_fn.reduction``), 'mean' or 'sum': how
          ``loss_fn`` reduces over the batch; used only under ``paddle.distributed.launch``,
          where each process computes on its slice of every batch (``docs/distributed.md``)
    Under a launcher the model trains through ``paddle.DataParallel`` (``self.model`` stays
    the model given); without one nothing changes.
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
        # None in one process; under paddle.distributed.launch: the DataParallel state
        self._dp = _dist.for_runner(model, loss_fn, kwargs.get("loss_reduction"))

    def train(self, train_loader, dev_loader=None, **kwargs):
        """训练: keyword arguments as in the book.

        - num_epochs (0), log_steps (100; 0 prints nothing), eval_steps (0: never),
          save_path ('best_model.pdparams'), custom_print_log (None; called after backward),
          progress (False; a tqdm bar over the steps)
        """
        if self._dp is None:
            return self._train(train_loader, dev_loader, **kwargs)
        with self._dp.peer_failures():   # the launcher reports the rank that failed first
            return self._train(train_loader, dev_loader, **kwargs)

    def _train(self, train_loader, dev_loader=None, **kwargs):
        _check_kwargs(kwargs, ("num_epochs", "log_steps", "eval_steps", "save_path", "custom_print_log",
                               "progress"), "RunnerV3.train")
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

        dp = self._dp
        if dp is not None:   # this rank's slice of every global batch; rank 0 prints
            train_loader, sizes = dp.shard(train_loader, "train_loader")
            if dp.rank != 0:
                log_steps, progress = 0, False
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
                if dp is None:
                    X, y = data
                    logits = self.model(X)
                    loss = self.loss_fn(logits, y)  # 默认求 mean
                    loss_value = loss.item()  # works for 0-D and [1] losses
                else:   # the scaled loss of this slice; the global batch's loss (one all-reduce)
                    loss, loss_value = dp.train_step(self.loss_fn, data, sizes)
                if not math.isfinite(loss_value):
                    if bar is not None:
                        bar.close()
                    where = "" if dp is None else f" (non-finite on the slice of rank(s) {dp.bad_ranks})"
                    raise FloatingPointError(
                        f"[Train] loss is {loss_value} at step {global_step} (epoch {epoch}){where}; "
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

    def evaluate(self, dev_loader, **kwargs):
        """模型评价: returns (score, mean batch loss) and appends both to the histories."""
        if self._dp is None:
            return self._evaluate(dev_loader, **kwargs)
        with self._dp.peer_failures():
            return self._evaluate(dev_loader, **kwargs)

    @paddle.no_grad()
    def _evaluate(self, dev_loader, **kwargs):
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
        dp = self._dp
        if dp is not None:   # this rank's slices; the outputs gathered into the global batches
            dev_loader, sizes = dp.shard(dev_loader, "dev_loader")
            dp.sync_state(self.model)
        try:
            for X, y in dev_loader:
                logits = self.model(X)
                if dp is not None:
                    logits, y = dp.gather_batch(logits, y, sizes)
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
        if self._dp is not None:   # every rank calls it; rank 0 writes, the others wait for the file
            with self._dp.peer_failures():
                _dist.save_on_main(self.model.state_dict(), save_path)
            return
        directory = os.path.dirname(os.path.abspath(save_path))
        os.makedirs(directory, exist_ok=True)
        paddle.save(self.model.state_dict(), save_path)

    def load_model(self, model_path):
        # under a launcher every rank reads the file rank 0 wrote (one machine, or a shared folder)
        _load_state_dict(self.model, model_path, "RunnerV3.load_model")


def _check_kwargs(kwargs, allowed, who):
    """A misspelt keyword (the book's ``log_epochps``) is an error, not silently ignored."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise TypeError(f"{who}: unknown keyword argument(s) {', '.join(unknown)}; "
                        f"it takes {', '.join(allowed)}")


def _load_state_dict(model, model_path, who):
    """``model.set_state_dict(paddle.load(model_path))``, but a file of another model is an
    error (paddle only warns and skips the entries that do not fit)."""
    if not os.path.isfile(model_path):
        raise FileNotFoundError(f"{who}: no saved model at {model_path}")
    state = paddle.load(model_path)
    own = model.state_dict()
    if not isinstance(state, dict) or set(state) != set(own):
        held = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{who}: {model_path} holds another model's parameters {held}; "
                         f"this model has {sorted(own)}")
    for key, value in state.items():
        if list(value.shape) != list(own[key].shape):
            raise ValueError(f"{who}: parameter '{key}' in {model_path} has shape {list(value.shape)}, "
                             f"the model's has shape {list(own[key].shape)}")
    model.set_state_dict(state)


# -- chapters 2-4: the book's earlier runners ------------------------------------------

def _check_pair(data_set, who, arg):
    """``(X, y)`` of a full-batch data set, with a clear error for a missing or empty one."""
    if data_set is None:
        raise ValueError(f"{who}: {arg} is None; this runner needs a data set [X, y] here")
    try:
        X, y = data_set
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {arg} must be a pair [X, y] of tensors, got {type(data_set).__name__}"
                        + (f" of length {len(data_set)}" if hasattr(data_set, "__len__") else "")) from None
    for name, t in (("X", X), ("y", y)):
        if not hasattr(t, "shape") or len(t.shape) == 0:
            raise TypeError(f"{who}: {arg}'s {name} must be a tensor with a batch axis, got {type(t).__name__}")
    if X.shape[0] == 0:
        raise ValueError(f"{who}: {arg} is empty (X has shape {list(X.shape)})")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{who}: {arg} has {X.shape[0]} samples in X but {y.shape[0]} labels in y")
    return X, y


def _item(value):
    """A python float from a loss or metric value (0-D or [1] tensor, numpy value, float)."""
    if hasattr(value, "item"):
        return float(value.item())
    return float(value)


def _check_finite(value, who, what, epoch):
    if not math.isfinite(value):
        raise FloatingPointError(
            f"{who}: {what} is {value} at epoch {epoch}; training stopped "
            "(try a smaller learning rate, or check the data for NaN)")
    return value


class Runner(object):
    """Runner 类的框架 (book 2.4): 模型训练、评价、预测、保存和加载的统一接口.

    输入:
        - model: 模型
        - optimizer: 优化器
        - loss_fn: 损失函数
        - metric: 评价指标
    The skeleton itself does nothing: each method raises ``NotImplementedError``
    (the book's ``pass`` would silently return None); the book's working
    runners are RunnerV1 (2.5.3), RunnerV2 (3.1.6), RunnerV2_1 (4.2.5),
    RunnerV2_2 (4.3.2) and RunnerV3 (4.5.4.2).
    """

    def __init__(self, model, optimizer, loss_fn, metric):
        _dist.refuse_under_launcher(type(self).__name__)
        self.model = model          # 模型
        self.optimizer = optimizer  # 优化器
        self.loss_fn = loss_fn      # 损失函数
        self.metric = metric        # 评价指标

    def _abstract(self, method):
        raise NotImplementedError(
            f"{type(self).__name__}.{method}: Runner is the book's skeleton (2.4); "
            "use RunnerV1, RunnerV2, RunnerV2_1, RunnerV2_2 or RunnerV3")

    # 模型训练
    def train(self, train_dataset, dev_dataset=None, **kwargs):
        self._abstract("train")

    # 模型评价
    def evaluate(self, data_set, **kwargs):
        self._abstract("evaluate")

    # 模型预测
    def predict(self, x, **kwargs):
        self._abstract("predict")

    # 模型保存
    def save_model(self, save_path):
        self._abstract("save_model")

    # 模型加载
    def load_model(self, model_path):
        self._abstract("load_model")


def _load_params_into(params, loaded, who, path):
    """Copy a saved ``{name: tensor}`` dict into the model's ``params`` dict.

    The values are written into the existing tensors (an optimizer that holds
    them keeps working); a missing or mis-shaped entry is an error, never skipped.
    """
    if not isinstance(loaded, dict):
        raise ValueError(f"{who}: {path} holds a {type(loaded).__name__}, not a dict of parameters")
    missing = sorted(set(params) - set(loaded))
    extra = sorted(set(loaded) - set(params))
    if missing or extra:
        raise ValueError(f"{who}: {path} has parameters {sorted(loaded)}, the model has {sorted(params)}")
    for k, v in loaded.items():
        v = v if isinstance(v, paddle.Tensor) else paddle.to_tensor(v)
        p = params[k]
        if isinstance(p, paddle.Tensor):
            if list(p.shape) != list(v.shape):
                raise ValueError(f"{who}: parameter '{k}' in {path} has shape {list(v.shape)}, "
                                 f"the model's has shape {list(p.shape)}")
            p.set_value(v.astype(p.dtype))
        else:
            params[k] = v


class RunnerV1(Runner):
    """RunnerV1 (book 2.5.3): 用解析解 (optimizer) 一步求得模型参数的 Runner.

    输入:
        - model: 模型 with a ``params`` dict (2.2.2.1's ``Linear``)
        - optimizer: 闭式解求解函数, called as ``optimizer(model, X, y, reg_lambda)``
          (``optimizer_lsm``)
        - loss_fn: 不使用 (the closed form already minimises the MSE); may be None
        - metric: 评价指标, called as ``metric(y_pred, y)`` (``nn.MSELoss()``)
    """

    params_file = "params.pdtenor"   # the book's file name (sic), kept so its folders still load

    def __init__(self, model, optimizer, loss_fn, metric):
        super().__init__(model, optimizer, loss_fn, metric)

    def train(self, dataset, reg_lambda, model_dir):
        """用 ``optimizer(model, X, y, reg_lambda)`` 求参数, 然后保存到 ``model_dir``."""
        X, y = _check_pair(dataset, "RunnerV1.train", "dataset")
        if not callable(self.optimizer):
            raise TypeError("RunnerV1: optimizer must be a function optimizer(model, X, y, reg_lambda), "
                            f"got {type(self.optimizer).__name__}")
        self.optimizer(self.model, X, y, reg_lambda)
        # 保存模型
        self.save_model(model_dir)

    def evaluate(self, dataset, **kwargs):
        """输出: ``metric(model(X), y)``."""
        X, y = _check_pair(dataset, "RunnerV1.evaluate", "dataset")
        if self.metric is None:
            raise ValueError("RunnerV1.evaluate: metric is None")
        y_pred = self.model(X)
        if list(y_pred.shape) != list(y.shape):
            # [N, 1] predictions against [N] labels would broadcast to an [N, N] difference
            # inside nn.MSELoss; compare them sample by sample instead
            if y_pred.size != y.size:
                raise ValueError(f"RunnerV1.evaluate: predictions of shape {list(y_pred.shape)} do not "
                                 f"match labels of shape {list(y.shape)}")
            y_pred = y_pred.reshape(y.shape)
        return self.metric(y_pred, y)

    def predict(self, X, **kwargs):
        return self.model(X)

    def save_model(self, model_dir):
        os.makedirs(model_dir, exist_ok=True)
        # the book saves the global ``model``; this runner's model is the one trained
        paddle.save(self.model.params, os.path.join(model_dir, self.params_file))

    def load_model(self, model_dir):
        path = os.path.join(model_dir, self.params_file)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"RunnerV1.load_model: no saved model at {path}")
        _load_params_into(self.model.params, paddle.load(path), "RunnerV1.load_model", path)


class _FullBatchRunner(object):
    """The loop RunnerV2, RunnerV2_1 and RunnerV2_2 share: every epoch one step on the
    whole training set, then an evaluation on the whole dev set; the best model by
    dev score (strictly greater, starting from 0) is saved.

    Histories (python floats, one per epoch): ``train_scores``, ``dev_scores``,
    ``train_loss``, ``dev_loss``; ``best_score`` after ``train``.
    A subclass says how gradients are computed (``_backward``), what it does after the
    step (``_after_step``), how it saves, and what it prints.
    """

    _save_key, _save_default = "save_path", "best_model.pdparams"
    _hook_key = None   # the runner's per-step hook keyword (print_grads, custom_print_log)
    _best_prefix = "[Evaluate] "

    def __init__(self, model, optimizer, metric, loss_fn, **kwargs):
        _dist.refuse_under_launcher(type(self).__name__)
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.metric = metric
        # 记录训练过程中的评价指标变化情况
        self.train_scores = []
        self.dev_scores = []
        # 记录训练过程中的损失函数变化情况
        self.train_loss = []
        self.dev_loss = []
        self.best_score = 0

    # -- hooks ------------------------------------------------------------------------
    def _begin(self, kwargs):
        pass

    def _backward(self, y, loss, kwargs):
        raise NotImplementedError

    def _after_step(self):
        pass

    def _save_best(self, target):
        if target:
            self.save_model(target)

    def _log(self, epoch, num_epochs, trn_loss, trn_score, dev_loss, dev_score):
        print(f"[Train] epoch: {epoch}/{num_epochs}, loss: {trn_loss}")

    # -- the loop -----------------------------------------------------------------------
    def train(self, train_set, dev_set, **kwargs):
        """训练: kwargs ``num_epochs`` (0), ``log_epochs`` (100; 0 or None prints no epoch
        lines), ``eval_epochs`` (1: evaluate on ``dev_set`` every epoch, as 3.2.5 passes it;
        k: every k-th epoch and the last), the save target (see the class), the runner's
        hook, and ``verbose`` (True; False prints nothing at all)."""
        who = f"{type(self).__name__}.train"
        X, y = _check_pair(train_set, who, "train_set")
        _check_pair(dev_set, who, "dev_set")   # every epoch is evaluated on it
        _check_kwargs(kwargs, tuple(k for k in ("num_epochs", "log_epochs", "eval_epochs", self._save_key,
                                                 self._hook_key, "verbose") if k), who)
        num_epochs = kwargs.get("num_epochs", 0)
        log_epochs = kwargs.get("log_epochs", 100)
        # 3.2.5 passes eval_epochs=1 (the book's runner reads only what it knows): evaluate
        # every eval_epochs epochs and after the last one
        eval_epochs = kwargs.get("eval_epochs", 1)
        if not isinstance(eval_epochs, int) or isinstance(eval_epochs, bool) or eval_epochs < 1:
            raise ValueError(f"{who}: eval_epochs must be a positive int, got {eval_epochs!r}")
        verbose = kwargs.get("verbose", True)
        target = kwargs.get(self._save_key, self._save_default)
        if not isinstance(num_epochs, int) or num_epochs < 0:
            raise ValueError(f"{who}: num_epochs must be a non-negative int, got {num_epochs!r}")
        self._begin(kwargs)
        # 记录全局最优指标
        best_score = 0
        for epoch in range(num_epochs):
            logits = self.model(X)
            trn_loss = self.loss_fn(logits, y)
            loss_value = _check_finite(_item(trn_loss), who, "the training loss", epoch)
            self.train_loss.append(loss_value)
            trn_score = _item(self.metric(logits, y))
            self.train_scores.append(trn_score)
            self._backward(y, trn_loss, kwargs)
            self.optimizer.step()
            self._after_step()
            if epoch % eval_epochs == 0 or epoch == num_epochs - 1:
                dev_score, dev_loss = self.evaluate(dev_set)
                # 如果当前指标为最优指标, 保存该模型
                if dev_score > best_score:
                    self._save_best(target)
                    if verbose:
                        print(f"{self._best_prefix}best accuracy performance has been updated: "
                              f"{best_score:.5f} --> {dev_score:.5f}")
                    best_score = dev_score
            if verbose and log_epochs and epoch % log_epochs == 0:
                self._log(epoch, num_epochs, loss_value, trn_score, dev_loss, dev_score)
        self.best_score = best_score

    @paddle.no_grad()
    def evaluate(self, data_set):
        """输出: (score, loss) on ``data_set = [X, y]``, appended to ``dev_scores``/``dev_loss``."""
        X, y = _check_pair(data_set, f"{type(self).__name__}.evaluate", "data_set")
        logits = self.model(X)
        loss = _item(self.loss_fn(logits, y))
        self.dev_loss.append(loss)
        score = _item(self.metric(logits, y))
        self.dev_scores.append(score)
        return score, loss

    def predict(self, X):
        return self.model(X)


class RunnerV2(_FullBatchRunner):
    """RunnerV2 (book 3.1.6): 全批量梯度下降训练 Model_LR / Model_SR.

    输入 (the book's order): model, optimizer, metric, loss_fn.
    ``model.backward(y)`` computes the fused loss gradients; ``train`` kwargs:
    ``num_epochs`` (0), ``log_epochs`` (100), ``save_path`` ("best_model.pdparams"),
    ``print_grads`` (None; called as ``print_grads(model)`` after backward).
    ``save_model`` saves ``model.params``.
    """

    _best_prefix = ""
    _hook_key = "print_grads"

    def __init__(self, model, optimizer, metric, loss_fn, **kwargs):
        super().__init__(model, optimizer, metric, loss_fn, **kwargs)

    def _backward(self, y, loss, kwargs):
        # 计算参数梯度 (the model's backward is the gradient of loss∘forward)
        self.model.backward(y)
        print_grads = kwargs.get("print_grads", None)
        if print_grads is not None:
            print_grads(self.model)

    def _log(self, epoch, num_epochs, trn_loss, trn_score, dev_loss, dev_score):
        print(f"[Train] epoch: {epoch}, loss: {trn_loss}, score: {trn_score}")
        print(f"[Dev] epoch: {epoch}, loss: {dev_loss}, score: {dev_score}")

    def save_model(self, save_path):
        directory = os.path.dirname(os.path.abspath(save_path))
        os.makedirs(directory, exist_ok=True)
        paddle.save(self.model.params, save_path)

    def load_model(self, save_path):
        if not os.path.isfile(save_path):
            raise FileNotFoundError(f"RunnerV2.load_model: no saved model at {save_path}")
        _load_params_into(self.model.params, paddle.load(save_path), "RunnerV2.load_model", save_path)


class RunnerV2_1(_FullBatchRunner):
    """RunnerV2_1 (book 4.2.5): 反向传播从损失函数开始 (``loss_fn.backward()``), 每层参数分别保存.

    输入 (the book's order): model (an Op model with a ``layers`` list), optimizer,
    metric, loss_fn (holding the model, e.g. ``BinaryCrossEntropyLoss(model)``).
    ``train`` kwargs: ``num_epochs`` (0), ``log_epochs`` (100), ``save_dir`` (None: the
    best model is not saved).  ``save_model(save_dir)`` writes ``<layer.name>.pdparams``
    for every layer with a ``params`` dict; ``load_model(model_dir)`` reads them back.
    """

    _save_key, _save_default = "save_dir", None

    def __init__(self, model, optimizer, metric, loss_fn, **kwargs):
        super().__init__(model, optimizer, metric, loss_fn, **kwargs)

    def _backward(self, y, loss, kwargs):
        if not callable(getattr(self.loss_fn, "backward", None)):
            raise TypeError(f"RunnerV2_1: loss_fn ({type(self.loss_fn).__name__}) has no backward(); "
                            "use a loss that holds the model, e.g. BinaryCrossEntropyLoss(model)")
        # 反向计算梯度: the loss starts the chain and calls model.backward
        self.loss_fn.backward()

    def _param_layers(self, who):
        layers = getattr(self.model, "layers", None)
        if not isinstance(layers, (list, tuple)):
            raise TypeError(f"{who}: the model ({type(self.model).__name__}) has no `layers` list")
        out = [l for l in layers if isinstance(getattr(l, "params", None), dict)]
        names = [getattr(l, "name", None) for l in out]
        if any(not isinstance(n, str) or not n for n in names):
            raise ValueError(f"{who}: every layer with parameters needs a `name` (the file name); got {names}")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"{who}: layer names {dup} are used twice; their files would overwrite each other")
        return out

    def save_model(self, save_dir):
        # 对模型每层参数分别进行保存, 保存文件名称与该层名称相同
        layers = self._param_layers("RunnerV2_1.save_model")
        os.makedirs(save_dir, exist_ok=True)
        for layer in layers:
            paddle.save(layer.params, os.path.join(save_dir, layer.name + ".pdparams"))

    def load_model(self, model_dir):
        if not os.path.isdir(model_dir):
            raise FileNotFoundError(f"RunnerV2_1.load_model: no model folder {model_dir}")
        for layer in self._param_layers("RunnerV2_1.load_model"):
            path = os.path.join(model_dir, layer.name + ".pdparams")
            if not os.path.isfile(path):
                raise FileNotFoundError(f"RunnerV2_1.load_model: no saved parameters for layer "
                                        f"'{layer.name}' ({path})")
            _load_params_into(layer.params, paddle.load(path), "RunnerV2_1.load_model", path)


class RunnerV2_2(_FullBatchRunner):
    """RunnerV2_2 (book 4.3.2): 全批量训练 ``paddle.nn.Layer``, 自动微分.

    输入 (the book's order): model, optimizer (paddle's or nndl's), metric, loss_fn.
    ``train`` kwargs: ``num_epochs`` (0), ``log_epochs`` (100), ``save_path``
    ("best_model.pdparams"), ``custom_print_log`` (None; called as
    ``custom_print_log(runner)`` after ``loss.backward()``).  ``evaluate``/``predict``
    run under ``paddle.no_grad`` in eval mode and then restore the mode they found
    (the book leaves the model in eval mode after the first evaluation, so dropout
    and batch norm would train in eval mode); ``save_model``/``load_model`` use
    ``state_dict``.
    """

    _hook_key = "custom_print_log"

    def __init__(self, model, optimizer, metric, loss_fn, **kwargs):
        super().__init__(model, optimizer, metric, loss_fn, **kwargs)

    def _begin(self, kwargs):
        # 将模型切换为训练模式
        _set_mode(self.model, True)

    def _backward(self, y, loss, kwargs):
        # 自动计算参数梯度
        loss.backward()
        custom_print_log = kwargs.get("custom_print_log", None)
        if custom_print_log is not None:
            custom_print_log(self)

    def _after_step(self):
        # 清空梯度
        self.optimizer.clear_grad()

    @paddle.no_grad()
    def evaluate(self, data_set):
        was_training = getattr(self.model, "training", True)
        _set_mode(self.model, False)
        try:
            return super().evaluate(data_set)
        finally:
            _set_mode(self.model, was_training)

    @paddle.no_grad()
    def predict(self, X):
        was_training = getattr(self.model, "training", True)
        _set_mode(self.model, False)
        try:
            return self.model(X)
        finally:
            _set_mode(self.model, was_training)

    def save_model(self, saved_path):
        directory = os.path.dirname(os.path.abspath(saved_path))
        os.makedirs(directory, exist_ok=True)
        paddle.save(self.model.state_dict(), saved_path)

    def load_model(self, model_path):
        _load_state_dict(self.model, model_path, "RunnerV2_2.load_model")
