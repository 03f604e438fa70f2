"""Hand-written nndl.LSTM (and SRN) against paddle.nn.LSTM (SimpleRNN): forward + backward (issue 15, goal <= 2x).

For each shape the variants hold the same weights and compute the last hidden state ``h_L`` of a
[B, L, M] batch, then ``(h_L * up).sum().backward()`` (what a training step costs):

- ``nndl``: ``nndl.LSTM()`` as the book's scripts build it (``impl='auto'``: the one-operator
  numpy BPTT at 6.3's shapes on the CPU, the fused step loop otherwise; ``nndl_impl`` says which);
- ``nndl_loop``: ``nndl.LSTM(impl='loop')`` (fused gates, one addmm per step, autograd), timed
  where ``auto`` chose the BPTT operator; ``nndl_bptt``: ``impl='bptt'`` where ``auto`` chose the
  loop (not at 6.4's size);
- ``paddle``: ``paddle.nn.LSTM`` (one fused C++ rnn operator), ``h_n[0]``;
- ``book``: the loop exactly as printed in 6.3.1.1 (eight matmuls per step), for reference.

Shapes: 6.3's DigitSum (B=8, M=D=32, the seven lengths 5-35), 6.3's quick mode (B=32, L=20) and
6.4's IMDB batch (B=128, L=256, M=D=256; unidirectional here, the BiLSTM runs it twice; 6.4 and 8.1
use paddle.nn.LSTM itself); ``--shapes auto``: four shapes around the limit of ``impl='auto'``.
Variants are timed interleaved; medians compared.

    python bench/bench_lstm.py [--device cpu] [--repeats 15] [--shapes 6.3,6.4] [--no-book]

``--sweep-epochs N`` instead times the 6.1/6.3 sweep itself: for each of the book's seven lengths
and both models, RunnerV3 trains ``Model_RNN4SeqClass`` on the book's DigitSum data with the book's
settings (batch 8, Adam 0.001, eval every 100 steps) for N epochs, and the full mode's 500 epochs
are extrapolated linearly from the measured seconds per epoch.

    python bench/bench_lstm.py --sweep-epochs 5
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SHAPES = {**{f"6.3-L{L}": dict(B=8, L=L, M=32, D=32) for L in (5, 10, 15, 20, 25, 30, 35)},
          "6.3-quick-L20": dict(B=32, L=20, M=32, D=32),
          "6.4": dict(B=128, L=256, M=256, D=256),
          # where impl='auto' stops choosing the numpy operator (not a book shape; --shapes auto)
          **{f"auto-B{B}-D{D}": dict(B=B, L=20, M=D, D=D) for B, D in ((64, 32), (128, 32), (32, 64), (16, 128))}}
TINY = {"tiny": dict(B=4, L=5, M=8, D=8)}


def make_variants(shape, with_book, kind="lstm"):
    import numpy as np
    import paddle
    from nndl.rnn import LSTM, SRN, lstm_book_loop
    B, L, M, D = shape["B"], shape["L"], shape["M"], shape["D"]
    x = paddle.randn([B, L, M])
    up = paddle.randn([B, D])
    if kind == "lstm":
        ours = LSTM(M, D)
        ref = paddle.nn.LSTM(M, D)
        order = ("i", "f", "a", "o")   # paddle's gate order
        ref.weight_ih_l0.set_value(np.concatenate([getattr(ours, f"W_{g}").numpy() for g in order], 1).T)
        ref.weight_hh_l0.set_value(np.concatenate([getattr(ours, f"U_{g}").numpy() for g in order], 1).T)
        ref.bias_ih_l0.set_value(np.concatenate([getattr(ours, f"b_{g}").numpy() for g in order], 1)[0])
        ref.bias_hh_l0.set_value(np.zeros(4 * D, "float32"))
        ref_last = lambda: ref(x)[1][0][0]
    else:
        ours = SRN(M, D)
        ref = paddle.nn.SimpleRNN(M, D)
        ref.weight_ih_l0.set_value(ours.W.numpy().T)
        ref.weight_hh_l0.set_value(ours.U.numpy().T)
        ref.bias_ih_l0.set_value(ours.b.numpy()[0])
        ref.bias_hh_l0.set_value(np.zeros(D, "float32"))
        ref_last = lambda: ref(x)[1][0]
    diff = float(np.abs(ours(x).numpy() - ref_last().numpy()).max())
    other = None
    if kind == "lstm" and (ours._use_bptt(x) or with_book):      # with_book: not the 6.4 size
        other = LSTM(M, D, impl="loop" if ours._use_bptt(x) else "bptt")
        other.set_state_dict(ours.state_dict())
        diff = max(diff, float(np.abs(other(x).numpy() - ref_last().numpy()).max()))

    def step(fn, layer):
        def run():
            (fn() * up).sum().backward()
            layer.clear_gradients()
        return run

    variants = {"nndl": step(lambda: ours(x), ours), "paddle": step(ref_last, ref)}
    if other is not None:
        variants[f"nndl_{other.impl}"] = step(lambda: other(x), other)
    if with_book and kind == "lstm":
        variants["book"] = step(lambda: lstm_book_loop(ours, x), ours)
    impl = ("bptt" if ours._use_bptt(x) else "loop") if kind == "lstm" else "loop"
    return variants, diff, impl


def ratio(a, b):
    """common.ratio plus the ratio of the minimums (the least-disturbed runs on a loaded machine)."""
    return {**common.ratio(a, b), "ratio_of_minimums": round(min(a) / min(b), 4)}


def sweep(epochs, device, lengths=(5, 10, 15, 20, 25, 30, 35)):
    """Seconds per epoch of the book's 6.1.3 / 6.3.2 training, per model and length."""
    import tempfile
    import time
    import paddle
    from nndl import Accuracy, LSTM, Model_RNN4SeqClass, RunnerV3, SRN
    from nndl.datasets.digitsum import DigitSumDataset, load_data, make_digitsum
    root = make_digitsum(tempfile.mkdtemp(prefix="nndl-digitsum-"))
    out = {}
    for name, make in (("SRN", SRN), ("LSTM", LSTM)):
        for length in lengths:
            paddle.seed(0)
            tr, dv, _ = load_data(root / str(length))
            train = list(paddle.io.DataLoader(DigitSumDataset(tr), batch_size=8))
            dev = list(paddle.io.DataLoader(DigitSumDataset(dv), batch_size=8))
            model = Model_RNN4SeqClass(make(32, 32), 10, 32, 32, 19)
            opt = paddle.optimizer.Adam(learning_rate=0.001, parameters=model.parameters())
            runner = RunnerV3(model, opt, paddle.nn.CrossEntropyLoss(), Accuracy())
            t0 = time.perf_counter()
            runner.train(train, dev, num_epochs=epochs, eval_steps=100, log_steps=0,
                         save_path=str(root / "best.pdparams"))
            per_epoch = (time.perf_counter() - t0) / epochs
            out[f"{name}:{length}"] = {"s_per_epoch": round(per_epoch, 4), "full_500_epochs_s": round(500 * per_epoch, 1)}
            common.log(f"{name} length {length}: {per_epoch:.3f} s/epoch")
    total = {m: round(sum(v["full_500_epochs_s"] for k, v in out.items() if k.startswith(m + ":")), 1)
             for m in ("SRN", "LSTM")}
    return {"epochs_timed": epochs, "per_run": out, "full_mode_extrapolated_s": total,
            "full_mode_extrapolated_total_s": round(sum(total.values()), 1)}


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--sweep-epochs", type=int, default=0, help="time the 6.1/6.3 sweep instead (epochs per run)")
    p.add_argument("--shapes", default="6.3,6.4", help="prefixes of " + ", ".join(SHAPES))
    p.add_argument("--no-book", action="store_true", help="skip the printed per-gate loop")
    p.add_argument("--no-srn", action="store_true", help="skip SRN vs SimpleRNN")
    args = p.parse_args(argv)
    device = common.setup_device(args.device)
    import paddle
    paddle.seed(args.seed)
    if args.sweep_epochs:
        common.emit({"benchmark": "lstm_sweep", **sweep(args.sweep_epochs, device), "env": common.env_info(device)})
        return
    if args.tiny:
        shapes, repeats = TINY, args.repeats or 3
    else:
        want = [s.strip() for s in args.shapes.split(",") if s.strip()]
        shapes = {k: v for k, v in SHAPES.items() if any(k.startswith(w) for w in want)}
        repeats = args.repeats or 15
    results = {}
    for kind in ("lstm",) + (() if args.no_srn else ("srn",)):
        for name, shape in shapes.items():
            # the heavy IMDB shape: fewer repeats, and the printed loop only when asked for 6.4 alone
            big = shape["B"] * shape["L"] * shape["D"] > 1_000_000
            reps = max(2, repeats // 5) if big else repeats
            variants, diff, impl = make_variants(shape, with_book=not args.no_book and not big, kind=kind)
            common.log(f"{kind} {name} {shape}: {reps} interleaved repeats")
            times = common.interleave(variants, reps, device=device)
            entry = {"shape": shape, "nndl_impl": impl, "max_abs_diff_vs_paddle": diff,
                     **{v: common.summary(t) for v, t in times.items()},
                     "nndl_over_paddle": ratio(times["nndl"], times["paddle"])}
            for other in ("nndl_loop", "nndl_bptt"):
                if other in times:
                    entry[f"{other}_over_paddle"] = ratio(times[other], times["paddle"])
            if "book" in times:
                entry["book_over_nndl"] = ratio(times["book"], times["nndl"])
            results[f"{kind}:{name}"] = entry
    book = [v for k, v in results.items() if k.startswith("lstm:") and not k.startswith("lstm:auto")] or \
        [v for k, v in results.items() if k.startswith("lstm:")]     # the goal is about the book's shapes
    lstm_ratios = [v["nndl_over_paddle"]["ratio_of_medians"] for v in book]
    common.log("nndl/paddle, ratio of medians (of minimums): " + ", ".join(
        f"{k} {v['nndl_over_paddle']['ratio_of_medians']:.2f} ({v['nndl_over_paddle']['ratio_of_minimums']:.2f}, "
        f"{v['nndl_impl']})" for k, v in results.items()))
    min_ratios = [v["nndl_over_paddle"]["ratio_of_minimums"] for v in book]
    common.emit({"benchmark": "lstm", "goal": "nndl.LSTM forward+backward <= 2x paddle.nn.LSTM",
                 "worst_lstm_ratio": max(lstm_ratios), "goal_met": max(lstm_ratios) <= 2.0,
                 "worst_lstm_ratio_of_minimums": max(min_ratios),
                 "results": results, "env": common.env_info(device)})


if __name__ == "__main__":
    main()
