"""The book's printed code blocks (chapters 1-6 and 8) against the package.

The harness is ``tests/book_cells.py``.  It needs the book's text, which the repository does not
ship: set ``NNDL_BOOK`` to it, or keep the read-only copy at ``../shared/book`` beside the clone
(CI's layout); without it the block tests skip and say why.  The package behaviours the blocks
rely on are tested below without the book.
"""
import numpy as np
import paddle
import pytest

import book_cells as bc

BOOK = bc.find_book()
needs_book = pytest.mark.skipif(
    BOOK is None, reason=f"the book's text {bc.BOOK_FILE} is not here: set NNDL_BOOK to it "
                         f"(or its folder), or put it in ../shared/book beside the clone")

# A fixed, fast subset for the default suite (about 10 s): the tensor tour and the operators,
# chapter 3 (logistic and softmax regression, Iris: full-batch training with RunnerV2), the
# convolution and pooling layers, and the attention demos on random data.
FAST_SECTIONS = {"1.2", "1.3", "3.1", "3.2", "3.3", "5.1", "5.2", "8.2"}


def _statuses(blocks):
    return {b.line: b.status for b in blocks}


@pytest.fixture(scope="module")
def fast_blocks():
    chapters = sorted({int(s.split(".")[0]) for s in FAST_SECTIONS})
    blocks = bc.load_blocks(tuple(chapters), FAST_SECTIONS)
    return bc.run_blocks(blocks, timeout=120, correct_slips=True)


def _unexpected(blocks):
    """Blocks that fail although the harness does not list them as the book's failures."""
    return [(b.line, b.section, b.detail) for b in blocks
            if b.status in ("fail", "cascade") and b.line not in bc.KNOWN_FAILURES]


@needs_book
def test_fast_subset_fails_only_where_the_book_does(fast_blocks):
    assert fast_blocks, "no blocks extracted: is the book's text the right file?"
    assert _unexpected(fast_blocks) == []
    counts = bc.summary(fast_blocks)
    assert counts["ok"] + counts["replaced"] >= 0.6 * counts["total"], counts


@needs_book
def test_fast_subset_uses_the_package_definitions(fast_blocks):
    replaced = {n for b in fast_blocks for n in b.replaced}
    # the book's own operators, losses, models and attention layers are the package's
    assert {"Op", "add", "multiply", "exponential", "softmax", "Model_SR",
            "MultiCrossEntropyLoss", "Conv2D", "Pool2D", "QKVAAttention",
            "MultiHeadSelfAttention"} <= replaced


@needs_book
def test_extraction_joins_page_breaks_and_repairs_indentation():
    blocks = bc.load_blocks((1,), {"1.3"})
    op = next(b for b in blocks if b.raw and b.raw[0].startswith("class Op"))
    # the Op interface is cut by a page break after its 10th line: one block of 18 lines
    assert len(op.raw) == 18
    assert bc.repair(op)
    compiled = {}
    exec(op.source, compiled)
    assert set(vars(compiled["Op"])) >= {"__init__", "__call__", "forward", "backward"}


@needs_book
@pytest.mark.slow
def test_whole_book_fails_only_where_the_book_does():
    blocks = bc.run_blocks(bc.load_blocks(), timeout=240, correct_slips=True)
    assert _unexpected(blocks) == []
    counts = bc.summary(blocks)
    assert counts["ok"] + counts["replaced"] >= 0.6 * counts["total"], counts


# --------------------------------------------------------------------------- package fixes

def _softmax_run(**train_kwargs):
    from nndl import Model_SR, MultiCrossEntropyLoss, Optimizer_GD, RunnerV2, accuracy
    paddle.seed(102)
    X = paddle.randn([40, 2])
    y = paddle.randint(0, 3, [40]).astype("int32")
    model = Model_SR(input_dim=2, output_dim=3)
    runner = RunnerV2(model, Optimizer_GD(init_lr=0.1, model=model), accuracy,
                      MultiCrossEntropyLoss())
    runner.train([X[:30], y[:30]], [X[30:], y[30:]], num_epochs=7, log_epochs=0,
                 save_path=None, **train_kwargs)
    return runner


def test_3_2_5_runner_v2_takes_eval_epochs_as_the_book_passes_it():
    # book 3.2.5: runner.train(..., num_epochs=500, log_epochs=50, eval_epochs=1, save_path=...)
    plain = _softmax_run()
    every = _softmax_run(eval_epochs=1)
    assert len(every.dev_loss) == len(plain.dev_loss) == 7
    np.testing.assert_array_equal(every.dev_loss, plain.dev_loss)
    np.testing.assert_array_equal(every.train_loss, plain.train_loss)


def test_eval_epochs_k_evaluates_every_kth_epoch_and_the_last():
    third = _softmax_run(eval_epochs=3)
    plain = _softmax_run()
    assert len(third.train_loss) == 7
    # epochs 0, 3 and 6 (the last) are evaluated; training itself is unchanged
    np.testing.assert_array_equal(third.dev_loss, [plain.dev_loss[i] for i in (0, 3, 6)])
    np.testing.assert_array_equal(third.train_loss, plain.train_loss)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_eval_epochs_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="eval_epochs"):
        _softmax_run(eval_epochs=bad)


def test_a_misspelt_keyword_is_still_an_error():
    # the book's log_epochps (4.4.3.2) is not silently ignored (errata C4-8)
    with pytest.raises(TypeError, match="log_epochps"):
        _softmax_run(log_epochps=None)
