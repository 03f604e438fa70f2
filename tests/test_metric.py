"""accuracy / accuracy_logits / Accuracy on every output and label shape."""
import numpy as np
import paddle
import pytest

import nndl
from nndl import Accuracy, accuracy, accuracy_logits

LOGITS = np.array([[-2.0], [0.5], [3.0], [-0.1], [0.0]], dtype='float32')
LABELS = np.array([0, 1, 0, 0, 1])


def _expected(pred):
    return float(np.mean(pred == LABELS))


@pytest.mark.parametrize("label_shape", [[5], [5, 1]])
@pytest.mark.parametrize("label_dtype", ['int64', 'float32', 'int32'])
def test_binary_logits_and_probabilities(label_shape, label_dtype):
    y = paddle.to_tensor(LABELS.reshape(label_shape).astype(label_dtype))
    logits = paddle.to_tensor(LOGITS)
    probs = paddle.nn.functional.sigmoid(logits)
    # accuracy_logits: class 1 when the logit is > 0 (book 7.6.2.3)
    assert accuracy_logits(logits, y).item() == pytest.approx(_expected((LOGITS[:, 0] > 0).astype(int)))
    # accuracy: probabilities, class 1 when >= 0.5 (book 3.1.5)
    assert accuracy(probs, y).item() == pytest.approx(_expected((LOGITS[:, 0] >= 0).astype(int)))
    for is_logist, out in ((True, logits), (False, probs)):
        m = Accuracy(is_logist=is_logist)
        m.update(out, y)
        assert m.accumulate() == pytest.approx(_expected((LOGITS[:, 0] >= 0).astype(int)))


@pytest.mark.parametrize("label_shape", [[6], [6, 1]])
def test_multiclass(label_shape):
    rs = np.random.RandomState(0)
    out = rs.randn(6, 4).astype('float32')
    labels = rs.randint(0, 4, size=6)
    expected = float(np.mean(out.argmax(1) == labels))
    y = paddle.to_tensor(labels.reshape(label_shape))
    assert accuracy(paddle.to_tensor(out), y).item() == pytest.approx(expected)
    assert accuracy_logits(paddle.to_tensor(out), y).item() == pytest.approx(expected)
    m = nndl.Accuracy(is_logist=True)
    m.update(paddle.to_tensor(out), y)
    assert m.accumulate() == pytest.approx(expected)


def test_accuracy_metric_accumulates_over_batches_and_resets():
    m = Accuracy()
    assert m.accumulate() == 0 and m.name() == "Accuracy"
    assert isinstance(m, paddle.metric.Metric)
    m.update(paddle.to_tensor([[1.0], [-1.0]]), paddle.to_tensor([1, 1]))
    m.update(paddle.to_tensor([[1.0], [1.0], [1.0]]), paddle.to_tensor([[1], [1], [0]]))
    assert m.accumulate() == pytest.approx(3 / 5)
    m.reset()
    assert m.accumulate() == 0


def test_label_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match="3 labels for 2 predictions"):
        Accuracy().update(paddle.to_tensor([[1.0], [2.0]]), paddle.to_tensor([1, 0, 1]))


# ---- mutation survivors (docs/mutation.md)

def test_accuracy_default_reads_logits():
    """The book's Accuracy(is_logist=True) default: a positive logit 0.2 is class 1, -0.1 class 0."""
    m = Accuracy()
    assert m.is_logist is True
    m.update(paddle.to_tensor([[0.2], [-0.1], [0.3]]), paddle.to_tensor([[1], [0], [0]]))
    assert m.accumulate() == pytest.approx(2 / 3)
    p = Accuracy(is_logist=False)   # probabilities: 0.2, -0.1 and 0.3 are all class 0
    p.update(paddle.to_tensor([[0.2], [-0.1], [0.3]]), paddle.to_tensor([[1], [0], [0]]))
    assert p.accumulate() == pytest.approx(2 / 3) and p.num_correct == 2


def test_accuracy_reset_starts_from_zero():
    m = Accuracy()
    m.update(paddle.to_tensor([[1.0], [1.0]]), paddle.to_tensor([1, 0]))
    m.reset()
    assert (m.num_correct, m.num_count) == (0, 0)
    m.update(paddle.to_tensor([[1.0], [-1.0], [1.0], [1.0]]), paddle.to_tensor([1, 0, 0, 0]))
    assert (m.num_correct, m.num_count) == (2, 4)
    assert m.accumulate() == pytest.approx(0.5)


def test_labels_may_be_numpy_or_lists():
    preds = paddle.to_tensor([[0.9], [0.1], [0.7]])
    for labels in ([1, 0, 0], np.array([[1], [0], [0]]), (1, 0, 0)):
        assert float(accuracy(preds, labels)) == pytest.approx(2 / 3)
    m = Accuracy(is_logist=False)
    m.update(preds, [1, 0, 1])
    assert m.accumulate() == pytest.approx(1.0)


def test_bad_output_rank_names_the_shape():
    with pytest.raises(ValueError, match=r"outputs must be \[N\], \[N, 1\] or \[N, C\], got shape \[2, 3, 4\]"):
        accuracy(paddle.zeros([2, 3, 4]), paddle.zeros([2]))


def test_accuracy_value_dtypes():
    acc = accuracy(paddle.to_tensor([[0.2, 0.8], [0.9, 0.1]]), paddle.to_tensor([1, 1]))
    assert acc.dtype == paddle.float32 and float(acc) == pytest.approx(0.5)
