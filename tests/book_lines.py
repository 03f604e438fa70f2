"""The book's printed lines of chapters 1-3, and what the installed paddle prints instead.

The book was printed from paddle 2.2.2 (its section 1.1.1.2).  Each excerpt below is the book's
output text, copied from the printed book (line numbers L<n> of the whole-book rendering), with
the chapter script that prints the same lines.  ``expected(excerpt)`` turns the book's text into
what this paddle prints by applying the excerpt's differences, each of which names its errata
row and when it applies:

* ``both``: paddle >= 2.5 differs from the book's 2.2 the same way on every supported version
  (2.6.2 and 3.x): 0-D results, ``Place(cpu)``, the non-leaf gradient, error messages, and the
  book's own slips.  These are errata rows, not version differences.
* an ``nndl.compat`` entry: the difference between paddle 2.6 and 3.x (``SHAPE_IS_SIZE``,
  ``ZERO_D_FORMATS_AS_NUMBER``); it applies where that entry is true.  On paddle 2.6 none of them
  applies: the lines are the book's up to the ``both`` rows.

Both sides are compared after ``normalize``: the device in ``place=`` (the book printed on
``CPUPlace`` and ``CUDAPlace(0)``), the full-width colon of the book's rendering (its code prints
``:``), and whitespace, which is not compared at all (the rendering lost the repr's
indentation and line breaks, and paddle pads the numbers of a row to one width).  Used by the chapters' tests (tests/test_ch1_ops.py,
tests/test_ch2_regression.py, tests/test_ch3_classification.py), which run each script once;
tests/test_book_printed_lines.py checks this table itself.
"""
import re
from collections import namedtuple

from nndl import compat

Rule = namedtuple("Rule", "errata applies what apply")


def _sub(pattern, repl):
    """re.sub on normalized text; the pattern and replacement are written with spaces for reading."""
    pattern, repl = pattern.replace(" ", ""), repl.replace(" ", "")
    return lambda text: re.sub(pattern, repl, text)


def _shape_as_printed(text):
    """Bare shape lists (``: [2,3,4,5]`` after normalize) as this paddle prints ``x.shape``."""
    def one(m):
        return m.group(1) + normalize(compat.printed_shape([int(d) for d in m.group(2).split(",")]))
    return re.sub(r"(:)\[(\d+(?:,\d+)*)\]", one, text)


def _zero_d_as_number(text):
    """``format()`` of a 0-D tensor: the number itself (``5.0``)."""
    return re.sub(r":Tensor\(shape=\[\],dtype=\w+,place=<device>,stop_gradient=\w+,([-+.\de]+)\)",
                  lambda m: f":{float(m.group(1))!r}", text)


# Each difference: the errata row, when it applies ('both' or an nndl.compat entry), what differs,
# and the edit from the book's (normalized) text to this paddle's.
RULES = {
    "zero_d": Rule("C1-3", "both",
                   "a one-element index or a scalar result is a 0-D tensor (shape=[]) since paddle 2.5; "
                   "the book's 2.2 printed shape=[1]",
                   _sub(r"Tensor\(shape=\[1\],(dtype=\w+,place=<device>,stop_gradient=\w+),\[([^\[\],]+)\]\)",
                        r"Tensor(shape=[],\1,\2)")),
    "place_repr": Rule("C1-5", "both", "Tensor.place prints Place(cpu); the book's 2.2 printed CPUPlace",
                       _sub(r"CPUPlace", "Place(cpu)")),
    "ragged": Rule("C1-4", "both",
                   "the ragged list's ValueError carries numpy's message (numpy >= 1.24), not paddle 2.2's",
                   _sub(r"ValueError: Failed to convert.*", "ValueError: setting an array element with a sequence")),
    "broadcast_msg": Rule("C1-14", "both",
                          "paddle's error class prints (InvalidArgument), then the two shapes",
                          _sub(r"\(InvalidArgumentException\)", "(InvalidArgument)")),
    "last_axis": Rule("C1-2", "both", "the book prints shape[1] as 'the last axis'; the script prints shape[-1]",
                      _sub(r"last axis of Tensor: 3", "last axis of Tensor: 5")),
    "nonleaf_grad": Rule("C1-6", "both", "the non-leaf c's gradient is not retained: None",
                         _sub(r"Tensor c's grad is: Tensor\(.*?\]\)", "Tensor c's grad is: None")),
    "grad_float": Rule("C1-6", "both", "the float32 gradient prints as 5. (the book shows [5])",
                       _sub(r"stop_gradient=False,\[5\]\)", "stop_gradient=False,[5.])")),
    "lost_bracket": Rule("C1-15", "both", "the rendering split the reshape output over two code blocks "
                         "and lost its last closing bracket (L652)",
                         _sub(r"\[28,29,30\]\]\)$", "[28,29,30]]])")),
    "cpu_ulp": Rule("C2-10", "both", "seed 10 on this CPU gives y_pred[0] one float32 ulp away",
                    _sub(r"0\.54838145", "0.54838151")),
    "multi1000_shapes": Rule("C3-16", "both", "the book prints [320, 2] [320, 3]; the code makes [640, 2] [640]",
                             _sub(r"\[320,2\] y_train shape:\[320,3\]", "[640,2] y_train shape:[640]")),
    "accuracy_0d": Rule("C3-23", "both", "accuracy is a 0-D tensor since paddle 2.5 (book: shape=[1])",
                        _sub(r"accuracy is: Tensor\(shape=\[1\],(.*?),\[([\d.]+)\]\)",
                             r"accuracy is: Tensor(shape=[],\1,\2)")),
    # --- the differences between paddle 2.6 and 3.x: nndl.compat entries -------------------------
    "size": Rule("C1-1", "SHAPE_IS_SIZE", "Tensor.shape prints paddle.Size([...]) on paddle 3", _shape_as_printed),
    "format_0d": Rule("C1-6", "ZERO_D_FORMATS_AS_NUMBER",
                      "format() of a 0-D tensor writes the number on paddle 3 (the repr on 2.6)", _zero_d_as_number),
}

Excerpt = namedtuple("Excerpt", "script lines text rules")

# (script, the book's lines, the book's printed text (fences of a split code block left out), differences)
EXCERPTS = [
    Excerpt("ch1_2_tensor", "L450-451", """\
Tensor(shape=[3], dtype=float32, place=CPUPlace, stop_gradient=True,
[2., 3., 4.])""", []),
    Excerpt("ch1_2_tensor", "L466-468", """\
Tensor(shape=[2, 3], dtype=float32, place=CPUPlace, stop_gradient=True,
       [[1., 2., 3.],
        [4., 5., 6.]])""", []),
    Excerpt("ch1_2_tensor", "L485-489", """\
Tensor(shape=[2, 2, 5], dtype=int64, place=CPUPlace, stop_gradient=True,
       [[[1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10]],
       [[11, 12, 13, 14, 15],
        [16, 17, 18, 19, 20]]])""", []),
    Excerpt("ch1_2_tensor", "L503-505", """\
ValueError:
    Failed to convert input data to a regular ndarray :
    - Usually this means the input data contains nested lists with different lengths.""", ["ragged"]),
    Excerpt("ch1_2_tensor", "L537-545", """\
zeros Tensor: Tensor(shape=[2, 3], dtype=float32, place=CPUPlace, stop_gradient=True,
[[0., 0., 0.],
 [0., 0., 0.]])
ones Tensor: Tensor(shape=[2, 3], dtype=float32, place=CPUPlace, stop_gradient=True,
[[1., 1., 1.],
 [1., 1., 1.]])
full Tensor: Tensor(shape=[2, 3], dtype=float32, place=CPUPlace, stop_gradient=True,
[[10., 10., 10.],
 [10., 10., 10.]])""", []),
    Excerpt("ch1_2_tensor", "L566-569", """\
arange Tensor: Tensor(shape=[4], dtype=int64, place=CPUPlace, stop_gradient=True,
[1, 2, 3, 4])
linspace Tensor: Tensor(shape=[5], dtype=float32, place=CPUPlace, stop_gradient=True,
[1., 2., 3., 4., 5.])""", []),
    Excerpt("ch1_2_tensor", "L598-602", """\
Shape of Tensor: [2, 3, 4, 5]
Elements number along axis 0 of Tensor: 2
Elements number along the last axis of Tensor: 3
Number of dimensions: 4
Number of elements in Tensor: 120""", ["last_axis", "size"]),
    Excerpt("ch1_2_tensor", "L637-652", """\
the shape of ndim_3_Tensor: [3, 2, 5]
After reshape: Tensor(shape=[2, 5, 3], dtype=int64, place=CPUPlace, stop_gradient=True,
[[[1 , 2 , 3 ],
[4 , 5 , 6 ],
[7 , 8 , 9 ],
[10, 11, 12],
[13, 14, 15]],
[[16, 17, 18],
 [19, 20, 21],
 [22, 23, 24],
 [25, 26, 27],
 [28, 29, 30]])""", ["size", "lost_bracket"]),
    Excerpt("ch1_2_tensor", "L680-681", """\
new Tensor 1 shape: [30]
new Tensor 2 shape: [3, 5, 2]""", ["size"]),
    Excerpt("ch1_2_tensor", "L700-701", """\
new Tensor 1 shape: [1, 5, 10]
new Tensor 2 shape: [5, 1, 1, 10]""", ["size"]),
    Excerpt("ch1_2_tensor", "L724-725", """\
Tensor dtype from Python integers: paddle.int64
Tensor dtype from Python floating point: paddle.float32""", []),
    Excerpt("ch1_2_tensor", "L742", "Tensor after cast to int64: paddle.int64", []),
    Excerpt("ch1_2_tensor", "L773", "cpu Tensor: CPUPlace", ["place_repr"]),
    Excerpt("ch1_2_tensor", "L791", "Tensor to convert: [1. 2.]", []),
    Excerpt("ch1_2_tensor", "L826-839", """\
Origin Tensor: Tensor(shape=[9], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 1, 2, 3, 4, 5, 6, 7, 8])
First element: Tensor(shape=[1], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0])
Last element: Tensor(shape=[1], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[8])
All element: Tensor(shape=[9], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 1, 2, 3, 4, 5, 6, 7, 8])
Before 3: Tensor(shape=[3], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 1, 2])
Interval of 3: Tensor(shape=[3], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 3, 6])
Reverse: Tensor(shape=[9], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[8, 7, 6, 5, 4, 3, 2, 1, 0])""", ["zero_d"]),
    Excerpt("ch1_2_tensor", "L872-889", """\
Origin Tensor: Tensor(shape=[3, 4], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[[0 , 1 , 2 , 3 ],
 [4 , 5 , 6 , 7 ],
 [8 , 9 , 10, 11]])
First row: Tensor(shape=[4], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 1, 2, 3])
First row: Tensor(shape=[4], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 1, 2, 3])
First column: Tensor(shape=[3], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[0, 4, 8])
Last column: Tensor(shape=[3], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[3, 7, 11])
All element: Tensor(shape=[3, 4], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[[0 , 1 , 2 , 3 ],
 [4 , 5 , 6 , 7 ],
 [8 , 9 , 10, 11]])
First row and second column: Tensor(shape=[1], dtype=int64, place=CUDAPlace(0), stop_gradient=True,
[1])""", ["zero_d"]),
    Excerpt("ch1_2_tensor", "L925-936", """\
Origin Tensor: Tensor(shape=[2, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[1., 1., 1.],
 [1., 1., 1.]])
change Tensor: Tensor(shape=[2, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[0., 0., 0.],
 [1., 1., 1.]])
change Tensor: Tensor(shape=[2, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[2.09999990, 2.09999990, 2.09999990],
 [1.         , 1.         , 1.         ]])
change Tensor: Tensor(shape=[2, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[3., 3., 3.],
 [3., 3., 3.]])""", []),
    Excerpt("ch1_2_tensor", "L964-973", """\
Method 1: Tensor(shape=[2, 2], dtype=float64, place=CPUPlace, stop_gradient=True,
[[6.60000000 , 8.80000000 ],
 [11.         , 13.20000000]])
Method 2: Tensor(shape=[2, 2], dtype=float64, place=CPUPlace, stop_gradient=True,
[[6.60000000 , 8.80000000 ],
[11.       , 13.20000000]])""", []),
    Excerpt("ch1_2_tensor", "L1095-1096", """\
broadcasting with two same shape tensor: [2, 3, 4]
broadcasting with two different shape tensor: [2, 3, 4, 5]""", ["size"]),
    Excerpt("ch1_2_tensor", "L1110", "ValueError: (InvalidArgumentException) Broadcast dimension mismatch.",
            ["broadcast_msg"]),
    Excerpt("ch1_2_tensor", "L1143", "After matmul: [10, 3, 5, 5]", ["size"]),
    Excerpt("ch1_3_operators", "L1280-1281", """\
x's grad is: 1
y's grad is: 1""", []),
    Excerpt("ch1_3_operators", "L1352", "y: 22026.465794806718", []),
    Excerpt("ch1_3_operators", "L1397-1401", """\
Tensor a's grad is: Tensor(shape=[1], dtype=float32, place=CPUPlace, stop_gradient=False,
[5])
Tensor b's grad is: None
Tensor c's grad is: Tensor(shape=[1], dtype=float32, place=CPUPlace, stop_gradient=False,
[1])""", ["nonleaf_grad", "grad_float", "zero_d", "format_0d"]),
    Excerpt("ch2_2_linear_regression", "L1933-1938", """\
y_pred: Tensor(shape=[2, 1], dtype=float32, place=CPUPlace, stop_gradient=True,
[[0.54838145],
 [2.03063798]])""", ["cpu_ulp"]),
    Excerpt("ch2_3_polynomial_regression", "L2250-2258", """\
转换前： Tensor(shape=[3, 1], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[2.],
[3.],
[4.]])

阶数为 3 转换后： Tensor(shape=[3, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[2. , 4. , 8.],
[3. , 9. , 27.],
[4. , 16., 64.]])""", []),
    Excerpt("ch3_1_logistic_regression", "L3098", "X_train shape: [640, 2] y_train shape: [640, 1]", ["size"]),
    Excerpt("ch3_1_logistic_regression", "L3189-3192", """\
Output is: Tensor(shape=[3, 1], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[0.50000000],
 [0.50000000],
 [0.50000000]])""", []),
    Excerpt("ch3_1_logistic_regression", "L3257-3258", """\
Tensor(shape=[1], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[0.69314718])""", []),
    Excerpt("ch3_1_logistic_regression", "L3424-3425", """\
accuracy is: Tensor(shape=[1], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[0.50000000])""", ["accuracy_0d"]),
    Excerpt("ch3_2_softmax_regression", "L3802", "X_train shape: [320, 2] y_train shape: [320, 3]",
            ["multi1000_shapes", "size"]),
    Excerpt("ch3_2_softmax_regression", "L3817-3818", """\
Tensor(shape=[5], dtype=int32, place=CPUPlace, stop_gradient=True,
[0, 1, 2, 2, 0])""", []),
    Excerpt("ch3_2_softmax_regression", "L3926-3927", """\
Output is: Tensor(shape=[1, 3], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[[0.33333334, 0.33333334, 0.33333334]])""", []),
    Excerpt("ch3_2_softmax_regression", "L4000-4001", """\
Tensor(shape=[1], dtype=float32, place=CUDAPlace(0), stop_gradient=True,
[1.09861231])""", []),
    Excerpt("ch3_3_iris", "L4275", "X_train shape: [120, 4] y_train shape: [120]", ["size"]),
    Excerpt("ch3_3_iris", "L4288-4289", """\
Tensor(shape=[5], dtype=int32, place=CPUPlace, stop_gradient=True,
[0, 1, 1, 0, 1])""", []),
]

# Not compared: outputs of random draws the book made on a GPU (1.2.4's CUDA tensors, 3.1.2's
# `Input is:` randn, 3.2.2.2's `Input is:`; errata C4-13, O14), the GPU and pinned-memory places
# (L774-775: created only on a GPU), and 3.2.2.1's softmax row (the script prints a second,
# overflow row; the values are checked to 2e-8 by tests/test_ch3_classification.py).


def normalize(text):
    text = text.replace("\uff1a", ":")                             # the rendering's full-width colon
    text = re.sub(r"place=[A-Za-z]+(?:\([^)]*\))?", "place=<device>", text)
    return re.sub(r"\s+", "", text)


def active(rule):
    return rule.applies == "both" or bool(getattr(compat, rule.applies))


def expected(excerpt):
    """(what this paddle prints for the excerpt, normalized; the rules applied)."""
    text = normalize(excerpt.text)
    applied = []
    for name in excerpt.rules:
        rule = RULES[name]
        if active(rule):
            new = rule.apply(text)
            assert new != text, f"{excerpt.lines}: rule {name} changed nothing in {text!r}"
            text = new
            applied.append(name)
    return text, applied


def check(script, stdout):
    """Every excerpt of ``script``: the book's text, edited by its active differences, is in
    ``stdout``.  Returns the number of excerpts compared."""
    ours = normalize(stdout)
    problems = []
    excerpts = [e for e in EXCERPTS if e.script == script]
    assert excerpts, f"no book excerpts for {script}"
    for e in excerpts:
        want, applied = expected(e)
        if want not in ours:
            rows = ", ".join(f"{n} ({RULES[n].errata}, {RULES[n].applies})" for n in applied) or "none"
            problems.append(f"book {e.lines} (differences applied: {rows}):\n  expected {want!r}")
    assert not problems, f"{script} does not print the book's lines as expected on paddle " \
                         f"{compat.PADDLE_VERSION}:\n" + "\n".join(problems) + f"\nours: {ours[:3000]!r}"
    return len(excerpts)
