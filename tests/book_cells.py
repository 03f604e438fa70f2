"""The book's printed code blocks against the package: extract, repair, substitute, run, classify.

One harness for the whole book.  It reads the printed-book rendering
(``001_cea504e706142e10.txt``; found through ``$NNDL_BOOK`` or ``../shared/book`` beside the
clone; never shipped in the repository), takes the numbered code blocks of the chosen
chapters, and

1. **repairs mechanical extraction damage only**: strips the printed line numbers, joins a
   block cut at a page break with its continuation (the continuation's numbering goes on),
   re-indents lines whose indentation the rendering lost or shifted (a line after one ending
   in ``:`` is indented one level more; other lines take the open level nearest to their
   printed indentation), replaces full-width punctuation outside strings and comments, and
   applies the few line fixes in ``REPAIRS`` where the heuristics cannot tell (each says why);
   the book's logic, names and bugs stay;
2. **replaces the book's definitions by the package's**: every top-level ``class X`` /
   ``def f`` the package provides becomes ``from nndl... import X`` (the chapter's module for
   the names the book gives to two things, see ``definition_home``); the book's unprinted
   ``utils.data`` module is the package's loaders;
3. **runs** the blocks of one chapter in order in one namespace (the book's notebook per
   chapter: later sections use the chapter's earlier imports), in a temporary
   working directory that holds the small files the book reads from ``./`` (the Boston CSV,
   a 1000/200/200 ``mnist.json.gz``, a drawn ``number.jpg``), with the size substitutions of
   ``QUICK`` where the book's sizes take too long on a CPU (each is listed); after a failing
   statement the rest of the block still runs (the block counts by its first error), so that
   later blocks test the package rather than that error's cascade.  ``--correct-slips`` also
   corrects the book's misspelt names (``SLIPS``, each an errata row) and builds the data a
   section reuses from another chapter without printing them again (``SETUP``);
4. **classifies** every block: ``ok`` (ran), ``replaced`` (only definitions; the package's
   were imported), ``text`` (a shell command or a listing, not Python), ``gpu`` (needs a
   CUDA device: ``paddle.CUDAPlace(0)`` on a CPU build), ``fragment`` (needs a variable no
   earlier block of the chapter defines), ``data`` (needs CIFAR-10 / IMDB / LCQMC, which are
   not on the machine, or a variable only such a block defines), ``cascade`` (needs a
   variable only a failed block defines) and ``fail``.

``python tests/book_cells.py [--correct-slips] [--chapters 1,2,...] [--sections 3.1,...]
[--json FILE] [--show LINE]`` prints one line per block and the totals (``--show``: the repaired,
substituted source of the block at that book line); ``KNOWN_FAILURES`` lists what still fails
with the slips corrected, and why; ``tests/test_book_cells.py`` runs a fixed subset in
the default suite and the whole book under ``-m slow``.
"""
import argparse
import ast
import contextlib
import io
import json
import os
import re
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK_FILE = "001_cea504e706142e10.txt"

# Line ranges of the chapters in BOOK_FILE (1-based, end exclusive).
CHAPTERS = {1: (255, 1575), 2: (1575, 2924), 3: (2924, 4401), 4: (4401, 6388),
            5: (6388, 7942), 6: (7942, 9366), 7: (9366, 11975), 8: (11975, 14137)}
DEFAULT_CHAPTERS = (1, 2, 3, 4, 5, 6, 8)


def find_book():
    """Path of the whole-book text, or None: ``$NNDL_BOOK`` (the file or its folder), else
    ``../shared/book/`` beside the clone (where CI keeps its read-only copy)."""
    candidates = []
    env = os.environ.get("NNDL_BOOK")
    if env:
        p = Path(env)
        candidates.append(p / BOOK_FILE if p.is_dir() else p)
    candidates.append(ROOT.parent / "shared" / "book" / BOOK_FILE)
    for p in candidates:
        if p.is_file():
            return p
    return None


# --------------------------------------------------------------------------- extraction

@dataclass
class Block:
    line: int                 # book line of the block's first code line
    chapter: int
    section: str              # "x.y"
    heading: str              # the deepest heading above it
    raw: list                 # printed lines (numbers stripped, indentation as printed)
    raw_repaired: list = None
    stdout: str = ""
    source: str = ""          # repaired source
    status: str = ""
    detail: str = ""
    seconds: float = 0.0
    output: str = ""          # the printed output blocks that follow it
    replaced: list = field(default_factory=list)
    quick: list = field(default_factory=list)


_NUM = re.compile(r"^(?:\[\d*\]:\s*)?(\d+)((?: .*)?)$")
_HEADING = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)*\s+\S")


def extract(text, chapters=DEFAULT_CHAPTERS):
    """The numbered code blocks of ``chapters`` in book order (continuations joined)."""
    lines = text.split("\n")
    blocks = []
    heading, section, last_num = "", "", None
    i = 0
    while i < len(lines):
        ln = i + 1
        chap = next((c for c, (a, b) in CHAPTERS.items() if a <= ln < b), None)
        s = lines[i]
        if not s.strip().startswith("```"):
            m = _HEADING.match(s)
            if m and chap is not None and int(m.group(1)) == chap:
                heading = s.strip()
                section = f"{m.group(1)}.{m.group(2)}"
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith("```"):
            j += 1
        body = lines[i + 1:j]
        i = j + 1
        if chap not in chapters:
            continue
        nonblank = [b for b in body if b.strip()]
        if not nonblank or not _NUM.match(nonblank[0].rstrip()):
            if blocks and blocks[-1].chapter == chap:     # an output block: the last code's
                blocks[-1].output += "\n".join(body) + "\n"
            continue
        nums, raw, first = [], [], None
        for b in body:
            m = _NUM.match(b.rstrip())
            if not m:
                if b.strip() and raw:      # an unnumbered line: printed wrap of the previous
                    raw[-1] = raw[-1] + " " + b.strip()
                continue
            n = int(m.group(1))
            first = n if first is None else first
            nums.append(n)
            # the code column is 2: a number of k digits leaves k - 1 spaces fewer
            rest = m.group(2)
            spaces = len(rest) - len(rest.lstrip(" "))
            indent = max(spaces + len(m.group(1)) - 2, 0)
            raw.append(" " * indent + rest.strip() if rest.strip() else "")
        if first is not None and first > 1 and blocks and last_num is not None \
                and last_num - 2 <= first - 1 <= last_num and blocks[-1].chapter == chap:
            blocks[-1].raw.extend(raw)     # continuation after a page break
        else:
            blocks.append(Block(line=ln + 1, chapter=chap, section=section or f"{chap}",
                                heading=heading, raw=raw))
        last_num = nums[-1] if nums else last_num
    return blocks


# --------------------------------------------------------------------------- repair

_FULLWIDTH = {"，": ",", "（": "(", "）": ")", "：": ":", "；": ";", "“": '"', "”": '"',
              "‘": "'", "’": "'", "【": "[", "】": "]", "＝": "=", "　": " "}


def _code_parts(line):
    """Yield (is_code, text) pieces of one line: string literals and comments are not code."""
    out, k, start = [], 0, 0
    while k < len(line):
        ch = line[k]
        if ch == "#":
            break
        if ch in "'\"":
            q = line[k:k + 3] if line[k:k + 3] in ("'''", '"""') else ch
            out.append((True, line[start:k]))
            end = line.find(q, k + len(q))
            end = len(line) if end < 0 else end + len(q)
            out.append((False, line[k:end]))
            k = start = end
            continue
        k += 1
    out.append((True, line[start:k]))
    out.append((False, line[k:]))
    return out


def fix_fullwidth(line):
    return "".join("".join(_FULLWIDTH.get(c, c) for c in t) if code else t
                   for code, t in _code_parts(line))


def _bracket_delta(line):
    d = 0
    for code, t in _code_parts(line):
        if code:
            d += sum(t.count(c) for c in "([{") - sum(t.count(c) for c in ")]}")
    return d


def _opens_triple(line, inside):
    """Whether the line leaves a triple-quoted string open (given ``inside`` before it)."""
    for q in ('"""', "'''"):
        if line.count(q) % 2:
            return not inside
    return inside


_BODY_ONLY = re.compile(r"^(return\b|self\.|super\()")
_CLASS_BODY = re.compile(r"^(def\s|async\s|class\s|@|#|pass\b|\"\"\"|''')")
_DEDENT_KW = re.compile(r"^(else|elif\b|except\b|except:|finally|case\b)")


def reindent(raw, tie_deeper=True, use_offset=True):
    """Rebuild indentation from the printed lines (see the module docstring)."""
    out = []
    stack = [(0, "module")]            # open levels and what opened them
    depth, in_str, expect = 0, False, None
    offset = 0                         # true - printed indentation at the last forced line
    returned = None                    # the level of a `return` just placed
    fn_locals = set()                  # names assigned in the open module-level function
    fn_name = None                     # and its name
    for text in raw:
        stripped = text.strip()
        if not stripped:
            out.append("")
            continue
        printed = len(text) - len(text.lstrip(" "))
        if in_str:                         # inside a triple-quoted string: as printed
            out.append(text)
        elif depth > 0:                    # inside an open bracket: at least one level in
            out.append(" " * max(printed, stack[-1][0] + 4) + stripped)
        elif stripped.startswith("#"):      # a comment: any indentation compiles
            out.append(" " * (stack[-1][0] + (4 if expect else 0)) + stripped)
            continue
        else:
            if expect:
                level = stack[-1][0] + 4
                stack.append((level, expect))
                offset = level - printed
            else:
                levels = [lv for lv, _ in stack]
                want = printed + offset if use_offset else printed
                level = min(levels, key=lambda lv: (abs(lv - want), -lv if tie_deeper else lv))
                if _DEDENT_KW.match(stripped) and level == levels[-1] and len(levels) > 1 \
                        and printed < levels[-1]:
                    level = levels[-2]
                kind = dict(stack)[level]
                if _BODY_ONLY.match(stripped) and kind in ("module", "class"):
                    # `return` / `self.` belong in a function: the innermost open one
                    fn = [lv for lv, k in stack if k == "def" and lv >= level]
                    level = fn[-1] if fn else level
                elif re.match(r"def\s+\w+\s*\(\s*self\b", stripped) and kind != "class" \
                        and any(k == "class" for _, k in stack):
                    # a method (`def f(self, ...)`) goes into the open class, not a function
                    level = [lv for lv, k in stack if k == "class"][-1]
                    offset = level - printed
                elif kind == "class" and not _CLASS_BODY.match(stripped) \
                        and any(k == "def" and lv > level for lv, k in stack):
                    # a class body holds definitions: a statement goes into the open method
                    level = [lv for lv, k in stack if k == "def" and lv > level][-1]
                if level == 0 and len(stack) > 1 and stack[1][1] == "def" and fn_locals \
                        and re.search(r"\b(%s)\b" % "|".join(map(re.escape, fn_locals)), stripped) \
                        and not re.match(r"(def|class|@)\b", stripped):
                    # a script line cannot use the locals of the function above it: the
                    # rendering shifted the function's last lines (a page break)
                    level = 4
                    offset = level - printed
                if level > 0 and fn_name and re.match(rf"^(\w+\s*=\s*)?{fn_name}\(", stripped):
                    level = 0   # the script calls the function defined above it
                    offset = -printed
                if returned == level == 4 and stack[1][1] == "def" \
                        and not re.match(r"(def|class|@|elif|else|except|finally)\b", stripped):
                    level = 0   # code after a module-level function's `return`: the script's
                while stack[-1][0] > level:
                    stack.pop()
            out.append(" " * level + stripped)
            returned = level if re.match(r"return\b", stripped) else None
            if level == 0:
                fn_locals = set()
                m = re.match(r"def\s+(\w+)", stripped)
                fn_name = m.group(1) if m else None
            elif len(stack) > 1 and stack[1][1] == "def":
                m = re.match(r"^(?:for\s+)?([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?:=[^=]|in\b)",
                             stripped)
                if m:
                    fn_locals |= {n.strip() for n in m.group(1).split(",")}
        code_end = "".join(t for c, t in _code_parts(stripped) if c).rstrip()
        was_in_str = in_str
        in_str = _opens_triple(stripped, in_str)
        if not was_in_str and not in_str:
            depth = max(depth + _bracket_delta(stripped), 0)
        if not was_in_str and not in_str and depth == 0 and code_end.endswith(":"):
            first = out[-1].split("#")[0].strip()
            expect = ("class" if first.startswith("class ") else
                      "def" if re.match(r"(async\s+)?def\s", first) else "block")
        elif not in_str and depth == 0:
            expect = None
        elif was_in_str and not in_str:
            expect = None
    return out


def _compiles(src):
    try:
        compile(src, "<block>", "exec")
        return None
    except SyntaxError as exc:
        return exc


_MAGIC = re.compile(r"^\s*[%!]")


def _unterminated(line):
    for code, t in _code_parts(line):
        if not code and t and t[0] in "'\"" and t[:3] not in ("'''", '"""') \
                and (len(t) < 2 or t[-1] != t[0]):
            return True
    return False


def join_wrapped(raw):
    """Join a printed line wrapped onto the next numbered line: after a trailing ``.`` or
    inside an unterminated string, or before a line that starts with ``.`` / ``+``."""
    out = []
    for r in raw:
        s = r.strip()
        if out and s and out[-1].strip():
            prev = out[-1]
            code = "".join(t for c, t in _code_parts(prev.strip()) if c).rstrip()
            if re.search(r"[A-Za-z_)\]]\.$", code) or _unterminated(prev) \
                    or code.startswith("return ") and code.endswith(",") \
                    and _bracket_delta(prev.strip()) == 0 \
                    or re.match(r"^(\.[A-Za-z_]|\+ |:\.\d)", s):
                glue = "" if code.endswith(".") or s.startswith((".", ":")) else " "
                if code.endswith(".") and s.startswith("."):
                    s = s[1:]
                out[-1] = prev.rstrip() + glue + s
                continue
        out.append(r)
    return out


_CODE_LIKE = re.compile(r"^\s*(self\.|return\b|super\(|[A-Za-z_][\w.\[\]']*\s*(,\s*\w+\s*)*=[^=]"
                        r"|(if|for|while|with)\s.*:$)")


def close_docstrings(raw):
    """Put back the closing quotes of a docstring the rendering lost: a triple-quoted string
    still open where a code line follows a blank line is closed before that blank line."""
    out, inside, quote, opened_at = [], False, None, None
    for k, r in enumerate(raw):
        if inside and not r.strip() and k + 1 < len(raw) and _CODE_LIKE.match(raw[k + 1]) \
                and quote not in raw[k + 1]:
            out.append(" " * (len(raw[opened_at]) - len(raw[opened_at].lstrip())) + quote)
            inside = False
        out.append(r)
        for q in ('"""', "'''"):
            if r.count(q) % 2:
                if not inside:
                    inside, quote, opened_at = True, q, k
                elif q == quote:
                    inside = False
    return out


def repair(block):
    """Set ``block.source``: the first candidate that compiles (printed, re-indented)."""
    text = "\n".join(fix_fullwidth(r) for r in block.raw)
    for old, new in REPAIRS.get(block.line, ()):
        if old not in text:
            raise AssertionError(f"REPAIRS: {old!r} is not in the block at L{block.line}")
        text = text.replace(old, new)
    raw = close_docstrings(join_wrapped(text.split("\n")))
    raw = ["# " + r if _MAGIC.match(r) else r for r in raw]
    block.raw_repaired = raw
    dedented = [r[1:] if r.startswith(" ") and not r.startswith("  ") else r for r in raw]
    cands = ["\n".join(reindent(raw, t, o)) for o in (True, False) for t in (True, False)]
    cands += ["\n".join(raw), "\n".join(dedented)]
    for c in cands:
        if _compiles(c) is None:
            block.source = c
            return True
    block.source = cands[0]
    return False


# Line fixes where re-indentation cannot tell (book line of the block -> (printed, fixed)).
# Mechanical damage only: lost indentation of a body, a cut line; never the book's logic.
REPAIRS = {
    4571: (('label="" LeakyReLU Function"', 'label="LeakyReLU Function"'),),  # a doubled quote
    1787: (("Tensor\n 的值为", "Tensor 的值为"),),                       # a wrapped comment
    5613: (("w_init(m.weight) b_init(m.bias)", "w_init(m.weight)\n                b_init(m.bias)"),),
    7070: (("mode='train'):br/>6 ", "mode='train'):\n        "),),     # a page artefact
    7118: ((" def forward(self, x): #", "\n\n    def forward(self, x):\n        #"),),
}

# Blocks that are not Python (book line -> what they are); shell commands are found by _SHELL.
NOT_PYTHON = {
    1020: "a table of operators and their method names (`x + y -> x.add(y)`)",
    5315: "the signature of paddle.nn.Linear", 7363: "the signature of paddle.nn.Conv2D",
    8348: "the signature of paddle.nn.Linear", 13459: "the signature of paddle.nn.Embedding",
    5845: "pseudo-code of mini-batch gradient descent (algorithm 4.1)",
    8966: "the IMDB folder tree",
}

_SHELL = re.compile(r"^(python3?|pip3?|uname|cd|wget|unzip|tar|ls|mkdir)\s+(?![=(.\[])")


# --------------------------------------------------------------------------- substitution

_LOCAL_HOMES = {   # the names the book gives to two things: the chapter's module
    ("Linear", 2): "nndl.regression", ("plot", 3): "nndl.classification",
    ("plot", 4): "nndl.mlp", ("plot", 5): "nndl.mlp", ("load_data", 3): "nndl.datasets.iris",
    ("load_data", 6): "nndl.datasets.digitsum", ("collate_fn", 6): "nndl.datasets.imdb",
    ("collate_fn", 8): "nndl.datasets.lcqmc", ("load_vocab", 6): "nndl.datasets.imdb",
    ("load_vocab", 8): "nndl.datasets.lcqmc", ("custom_print_log", 6): "nndl.rnn",
}


def definition_home(name, chapter):
    """The module of the package's ``name`` for a definition in ``chapter``, or None."""
    if (name, chapter) in _LOCAL_HOMES:
        return _LOCAL_HOMES[(name, chapter)]
    import nndl
    if name in nndl._load_exports():
        return "nndl"
    return None


def substitute(block):
    """Replace top-level definitions the package provides by imports of the package's."""
    src = block.source
    src = re.sub(r"^(\s*)from utils\.data import (.*)$",
                 lambda m: f"{m.group(1)}from {_utils_home(block.chapter)} import {m.group(2)}",
                 src, flags=re.M)
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return _substitute_unparsed(block, src)
    lines = src.split("\n")
    for node in sorted(tree.body, key=lambda n: -n.lineno):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            home = definition_home(node.name, block.chapter)
            if home:
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                lines[first - 1:node.end_lineno] = [f"from {home} import {node.name}"]
                block.replaced.append(node.name)
    block.replaced.reverse()
    block.source = "\n".join(lines)


def _utils_home(chapter):
    return "nndl.datasets.lcqmc" if chapter == 8 else "nndl.datasets.imdb"


_TOPDEF = re.compile(r"^(?:class|def)\s+([A-Za-z_]\w*)")


def _substitute_unparsed(block, src):
    """A block that does not compile: cut out the regions of the provided definitions by the
    printed indentation (a region ends at the next unindented line that is not a definition,
    decorator or comment), import those instead, and keep the rest if it compiles."""
    raw = block.raw_repaired or block.raw
    keep, names, inside = [], [], False
    for r in raw:
        m = _TOPDEF.match(r)
        if m and definition_home(m.group(1), block.chapter):
            names.append(m.group(1))
            inside = True
            continue
        if inside and (not r.strip() or r.startswith((" ", "\t", "#", ")"))):
            continue
        inside = False
        keep.append(r)
    if not names:
        block.source = src
        return False
    rest = "\n".join(reindent(keep))
    if _compiles(rest) is not None:
        block.source = src
        return False
    block.source = "\n".join(f"from {definition_home(n, block.chapter)} import {n}"
                             for n in names) + "\n" + rest
    block.replaced.extend(names)
    return True


# The book's own slips (typos of a name the book defines elsewhere), each an errata row:
# corrected only with ``--correct-slips`` / ``run_blocks(..., correct_slips=True)``, so that
# the blocks after them test the package instead of the slip's cascade.
SLIPS = {
    1877: ("C2-2", (("from nnad import Op", "from nndl.op import Op"),)),
    2106: ("C2-9", (("model(x_test.", "model(X_test."),)),
    3532: ("C3-13", (("model_LR(", "Model_LR("),)),
    4083: ("C3-13", (("model_SR(", "Model_SR("),)),
    4312: ("C3-18", (("optimizer_GD(learning_rate=lr", "Optimizer_GD(init_lr=lr"),
                     ("loss_fn = multi_cross_entropy_loss", "loss_fn = MultiCrossEntropyLoss()"))),
    4663: ("C4-1", (("from nnndl.op import Op", "from nndl.op import Op"),)),
    5225: ("C4-1", (("from nnnd import accuracy", "from nndl import accuracy"),)),
    7519: ("C5-16", (("Resnet18(", "Model_ResNet18("),)),
    7581: ("C5-16", (("Resnet18(", "Model_ResNet18("),)),
    7831: ("C5-12", (("metric = metric.Accuracy(is_logist=True)",
                      "from nndl import metric\nmetric = metric.Accuracy(is_logist=True)"),)),
    8399: ("C6-2", (("from nnlib import", "from nndl import"),)),
    12691: ("C8-3", (("from nndl import QKVAAttention",
                      "from nndl import QKVAAttention\nQKVAttention = QKVAAttention"),)),
}

# With ``correct_slips``: the data a section's text says to reuse from another chapter (and
# does not print again), built with the package (chapter -> code run before its first block).
SETUP = {
    # 4.2-4.4 train on 3.1.1's Moon1000 ("使用第3.1.1节中构建的二分类数据集")
    4: """
from nndl import make_moons
X, y = make_moons(n_samples=1000, shuffle=True, noise=0.5)
X_train, y_train = X[:640], y[:640].reshape([-1, 1])
X_dev, y_dev = X[640:800], y[640:800].reshape([-1, 1])
X_test, y_test = X[800:], y[800:].reshape([-1, 1])
""",
}

# Blocks not run (book line -> why): they would take minutes on any machine.
NOT_RUN = {
    5577: "plt.hist of a 1-D paddle tensor makes one data set per element (300 elements: 80 s; "
          "the book's 10,000: hours); paddle/matplotlib, not the package",
}

# The blocks that still fail with the book's slips corrected, and why (each an errata row; none
# is the package's fault).  The tests fail on any other failing block.
KNOWN_FAILURES = {
    1787: "C2-21: paddle 2.6 only: plt.plot of a paddle Tensor (copy.copy: cannot pickle 'Tensor')",
    2166: "C2-21: paddle 2.6 only (plt.plot of a Tensor)",
    2267: "C2-21: paddle 2.6 only (plt.plot of a Tensor)",
    2373: "C2-21: paddle 2.6 only (plt.plot of a Tensor)",
    2652: "C2-15: pandas 3 returns read-only .values; the clipping writes into them",
    4502: "C4-20: spines set_position((0, 0)): matplotlib >= 3.? wants ('data', 0)",
    5577: "C4-21: plt.hist of a paddle tensor, one data set per element (not run)",
    5789: "C4-8: log_epochps (typo) is a TypeError in the package, ignored by the book's runner",
    6258: "C4-10: 4.5.5 trains a runner it never creates (the previous section's RunnerV2_2)",
    6280: "C4-10: plots that runner's (empty) step history",
    6337: "C4-10: evaluates that runner on a DataLoader",
    6355: "C4-10: predicts with that runner's model (4.4's Model_MLP_L5 on Iris)",
    7288: "C5-13: label[1][0] on a 0-D tensor (paddle >= 2.5)",
    12527: "C8-26: seaborn is not a dependency (figure 8.6)",
}

# Sections whose data are not on the machine (CIFAR-10, IMDB, LCQMC): a block there that
# needs a name the data blocks define, or a checkpoint only their training writes, is 'data'.
DATA_SECTIONS = {"5.5": "CIFAR-10", "6.4": "IMDB", "8.1": "IMDB", "8.2": "IMDB", "8.3": "LCQMC"}
DATA_NAMES = {"word2id_dict", "vocab_size", "train_loader", "dev_loader", "test_loader",
              "train_dataset", "dev_dataset", "test_dataset", "train_data", "dev_data",
              "test_data", "runner", "train_set", "dev_set", "test_set", "lcqmc"}


# --------------------------------------------------------------------------- quick sizes

# Size substitutions where the book's sizes take too long on a CPU: book line of the block ->
# ((printed, substituted), ...).  Each is a training length or data size, never a setting.
QUICK = {
    # 5.4: ResNet18 on 1,000 MNIST images, 5 epochs: ~8 min per model on a 2-core CPU
    7519: (("num_epochs=5", "num_epochs=1"),),
    7581: (("num_epochs=5", "num_epochs=1"),),
    # 6.1 / 6.3: SRN and LSTM on seven lengths, 500 epochs each: hours on a CPU
    8399: (("num_epochs = 500", "num_epochs = 2"),),
    8830: (("num_epochs = 500", "num_epochs = 2"),),
}


# --------------------------------------------------------------------------- running

DATA_WORDS = re.compile(r"cifar|imdb|lcqmc|aclImdb|vocab\.txt|DataNotFound", re.I)


# The imports every chapter's notebook has before its first printed block (chapter 8 prints
# none of them): the book's customary names, nothing of the package.
PRELUDE = """
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import matplotlib.pyplot as plt
"""


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def prepare_workdir(path, sections=None):
    """The files the book reads from ``./``, small: the Boston CSV (2.5), a 1000/200/200
    ``mnist.json.gz`` (5.3, 5.4) and a drawn ``number.jpg`` (5.1.5); ``sections``: the
    sections to run (None: all)."""
    import gzip
    import numpy as np
    path = Path(path)
    (path / "datasets").mkdir(exist_ok=True)
    wanted = (lambda s: True) if sections is None else (lambda s: s in sections)
    if wanted("2.5"):
        _boston(path)
    if wanted("5.1"):
        _number_jpg(path)
    if not (wanted("5.3") or wanted("5.4")):
        return
    try:
        from nndl.datasets.mnist import load_mnist_split
        parts = load_mnist_split(1000, 200, 200)
        obj = [[p[0].astype(np.uint8).astype(float).tolist(), p[1].tolist()] for p in parts]
        with gzip.open(path / "datasets" / "mnist.json.gz", "wt") as f:
            json.dump(obj, f)
    except Exception:
        pass


def _number_jpg(path):
    from PIL import Image, ImageDraw
    img = Image.new("L", (256, 256), 255)
    ImageDraw.Draw(img).line([(60, 50), (200, 50), (110, 220)], fill=0, width=18)
    img.save(path / "datasets" / "number.jpg")


def _boston(path):
    try:
        from nndl.datasets.boston import load_boston
        load_boston().to_csv(path / "boston_house_prices.csv", index=False)
    except Exception:          # no Boston data: the blocks that read it say so
        pass


def _assigned_names(src):
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set(re.findall(r"^([A-Za-z_]\w*)\s*=", src, flags=re.M))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def run_blocks(blocks, timeout=240, log=None, correct_slips=False):
    """Run the blocks section by section; sets each block's status/detail/seconds."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import paddle
    old_cwd, old_device = os.getcwd(), paddle.get_device()
    # the blocks set rcParams (2.2) and the device (5.5): both are restored afterwards
    with tempfile.TemporaryDirectory(prefix="nndl-book-") as work, matplotlib.rc_context():
        prepare_workdir(work, {b.section for b in blocks})
        os.chdir(work)
        old = signal.signal(signal.SIGALRM, _alarm)
        try:
            ns, chapter, owners = None, None, {}
            for b in blocks:
                if b.chapter != chapter:
                    chapter, ns, owners = b.chapter, {"__name__": "__main__"}, {}
                    exec(PRELUDE, ns)
                    if correct_slips and chapter in SETUP:
                        exec(SETUP[chapter], ns)
                    plt.close("all")
                _run_one(b, ns, owners, timeout, correct_slips)
                if log:
                    log(b)
        finally:
            signal.signal(signal.SIGALRM, old)
            os.chdir(old_cwd)
            plt.close("all")
            paddle.set_device(old_device)
    return blocks


def _run_one(b, ns, owners, timeout, correct_slips=False):
    first = next((r.strip() for r in b.raw if r.strip()), "")
    if _SHELL.match(first) or b.line in NOT_PYTHON:
        b.status, b.detail = "text", NOT_PYTHON.get(b.line, "a shell command: " + first[:50])
        return
    if "CUDAPlace" in "\n".join(b.raw) and not _has_cuda():
        # paddle 2.6 aborts the process on CUDAPlace(0) in a CPU build; 3.x raises ValueError
        b.status, b.detail = "gpu", "uses paddle.CUDAPlace(0): this paddle has no CUDA"
        repair(b)
        _own(b, ns, owners, "gpu")
        return
    if b.line in NOT_RUN:
        b.status, b.detail = "fail", "not run: " + NOT_RUN[b.line]
        repair(b)
        _own(b, ns, owners, "fail")
        return
    ok = repair(b)
    if not ok:
        exc = _compiles(b.source)
        if not _substitute_unparsed(b, b.source):
            b.status, b.detail = "fail", f"SyntaxError: {exc.msg} (block line {exc.lineno})"
            _own(b, ns, owners, "fail")
            return
    else:
        substitute(b)
    src = b.source
    if correct_slips and b.line in SLIPS:
        errata, pairs = SLIPS[b.line]
        for old, new in pairs:
            if old not in src:
                raise AssertionError(f"SLIPS: {old!r} not in the block at L{b.line}")
            src = src.replace(old, new)
        b.quick.append(f"slip corrected (errata {errata})")
    for old, new in QUICK.get(b.line, ()):
        if old not in src:
            raise AssertionError(f"QUICK substitution {old!r} not in the block at L{b.line}")
        src = src.replace(old, new)
        b.quick.append(f"{old} -> {new}")
    t0 = time.time()
    buf = io.StringIO()
    tree = ast.parse(src)
    first_exc, later = None, 0
    signal.alarm(timeout)
    try:
        with contextlib.redirect_stdout(buf):
            # statement by statement: after the first error the rest of the block still runs,
            # so that later blocks test the package rather than the first error's cascade
            for stmt in tree.body:
                try:
                    exec(compile(ast.Module([stmt], []), f"<book L{b.line}>", "exec"), ns)
                except _Timeout:
                    raise
                except BaseException as exc:      # noqa: BLE001 - classified below
                    if first_exc is None:
                        first_exc = exc
                    else:
                        later += 1
    except _Timeout:
        first_exc = first_exc or _Timeout()
    finally:
        signal.alarm(0)
        b.seconds = time.time() - t0
    b.stdout = buf.getvalue()
    _classify(b, first_exc, ns, owners, timeout)
    if later:
        b.detail += f" (and {later} later statement(s) failed)"
    if b.status in ("fail", "data", "cascade", "fragment", "gpu"):
        _own(b, ns, owners, "data" if b.status == "data" else
             ("fail" if b.status in ("fail", "cascade") else "fragment"))


def _classify(b, exc, ns, owners, timeout):
    if exc is None:
        b.status = "replaced" if b.replaced and not _has_statements(b.source) else "ok"
        return
    if isinstance(exc, _Timeout):
        b.status, b.detail = "fail", f"timeout after {timeout} s"
        return
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or (re.findall(r"'(\w+)'", str(exc)) or ["?"])[0]
        kind = owners.get(name)
        if kind is None and b.section in DATA_SECTIONS and name in DATA_NAMES:
            kind = "data"
        if kind == "data":
            b.status, b.detail = "data", f"needs '{name}' from a data block"
        elif kind in ("fail", "gpu"):
            b.status, b.detail = "cascade", f"needs '{name}' from a failed block"
        else:
            b.status, b.detail = "fragment", f"needs undefined '{name}'"
        return
    msg = f"{type(exc).__name__}: {exc}".split("\n")[0][:300]
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                  if "nndl" in f.filename), None)
    if type(exc).__name__ == "DataNotFoundError" or \
            isinstance(exc, (FileNotFoundError, ModuleNotFoundError, OSError)) and DATA_WORDS.search(msg):
        b.status, b.detail = "data", msg[:160]
    elif b.section in DATA_SECTIONS and re.search(r"load_model|to load model not exists", msg):
        b.status, b.detail = "data", f"no checkpoint: the {DATA_SECTIONS[b.section]} training did not run"
    elif b.section in DATA_SECTIONS and any(owners.get(n) == "data" for n in _used_names(b.source)) \
            or b.section in DATA_SECTIONS and "data" in owners.values() \
            and _used_names(b.source) & DATA_NAMES:
        b.status, b.detail = "data", f"uses what the {DATA_SECTIONS[b.section]} blocks define: " + msg[:120]
    elif re.search(rf"\b{type(exc).__name__}\b", b.output):
        b.status, b.detail = "ok", f"raises {type(exc).__name__}, as the book prints"
    elif re.search(r"CUDA|GPU|wrong place", msg):
        b.status, b.detail = "gpu", msg[:160]
    else:
        b.status, b.detail = "fail", msg + (f" [{where}]" if where else "")


def _has_cuda():
    import paddle
    return paddle.device.is_compiled_with_cuda()


def _has_statements(src):
    tree = ast.parse(src)
    return any(not isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body)


def _used_names(src):
    try:
        return {n.id for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Name)}
    except SyntaxError:
        return set()


def _own(b, ns, owners, kind):
    for n in _assigned_names(b.source):
        if n not in ns:
            owners.setdefault(n, kind)


# --------------------------------------------------------------------------- reporting

STATUSES = ("ok", "replaced", "text", "fragment", "data", "gpu", "cascade", "fail")


def summary(blocks):
    counts = {s: 0 for s in STATUSES}
    for b in blocks:
        counts[b.status] += 1
    counts["total"] = len(blocks)
    return counts


def load_blocks(chapters=DEFAULT_CHAPTERS, sections=None, book=None):
    book = book or find_book()
    if book is None:
        raise FileNotFoundError(
            f"the book's text {BOOK_FILE} is not here: set NNDL_BOOK to it (or its folder), "
            f"or put it in {ROOT.parent / 'shared' / 'book'}")
    blocks = extract(Path(book).read_text(encoding="utf-8"), chapters)
    if sections:
        blocks = [b for b in blocks if b.section in sections]
    return blocks


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--chapters", default=",".join(map(str, DEFAULT_CHAPTERS)))
    p.add_argument("--sections", default="")
    p.add_argument("--timeout", type=int, default=240)
    p.add_argument("--json", default="")
    p.add_argument("--correct-slips", action="store_true",
                   help="correct the book's name typos listed in SLIPS (each an errata row)")
    p.add_argument("--show", default="", help="print the repaired source of the block at this line")
    a = p.parse_args(argv)
    chapters = tuple(int(c) for c in a.chapters.split(",") if c)
    sections = set(s for s in a.sections.split(",") if s) or None
    blocks = load_blocks(chapters, sections)
    if a.show:
        for b in blocks:
            if b.line == int(a.show):
                repair(b)
                substitute(b)
                print(b.source)
        return 0

    def log(b):
        extra = f" [{', '.join(b.replaced)}]" if b.replaced else ""
        print(f"L{b.line:5d} {b.section:5s} {b.status:8s} {b.seconds:6.1f}s{extra} {b.detail}",
              file=sys.__stdout__, flush=True)

    run_blocks(blocks, timeout=a.timeout, log=log, correct_slips=a.correct_slips)
    counts = summary(blocks)
    print(json.dumps(counts), file=sys.__stdout__)
    if a.json:
        Path(a.json).write_text(json.dumps({"counts": counts, "blocks": [
            {"line": b.line, "section": b.section, "status": b.status, "detail": b.detail,
             "seconds": round(b.seconds, 2), "replaced": b.replaced, "quick": b.quick}
            for b in blocks]}, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
