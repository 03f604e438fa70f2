"""Chapter 8's attention layers vs paddle's own, forward + backward, side by side.

* mhsa: ``nndl.MultiHeadSelfAttention(D, M)(X, valid_lens)`` vs
  ``paddle.nn.MultiHeadAttention(D, M)(X, attn_mask=<bool [B,1,1,L] from valid_lens>)``
  (the projections copied across, so both compute the same numbers; checked);
* block: ``nndl.TransformerBlock(D, H, F)(X, src_mask)`` (paddle's MultiHeadAttention with
  need_weights=True, two AddNorm, PositionwiseFFN) vs
  ``paddle.nn.TransformerEncoderLayer(D, H, F)(X, src_mask)`` (post-norm, ReLU), the same
  dropout rates (0.1, attention 0.1, FFN 0 as Model_Transformer's defaults), train mode.

One step = forward, ``(out * up).sum().backward()``, clear the gradients.  Variants are
interleaved; the figure of merit is the median step time ratio nndl / paddle (goal <= 1.5).

    python bench/bench_attention.py [--batch-size 16] [--seq-len 52] [--hidden 256] [--heads 8]
                                    [--block-hidden 256] [--block-heads 4] [--ffn 1024] [--repeats 7]
    python bench/bench_attention.py --book   # the book's sizes: 8.2 (B=128, L=256, D=256, M=8),
                                             # 8.3 (B=32, L=52, D=768, H=4, F=3072): for a GPU
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def _step(layer_call, X, up, params):
    def run():
        out = layer_call(X)
        (out * up).sum().backward()
        for p in params:
            p.clear_gradient()
    return run


def main(argv=None):
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seq-len", type=int, default=52)
    p.add_argument("--hidden", type=int, default=256, help="MultiHeadSelfAttention inputs_size")
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--block-hidden", type=int, default=256)
    p.add_argument("--block-heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=1024)
    p.add_argument("--steps", type=int, default=3, help="steps per timed repetition")
    p.add_argument("--book", action="store_true", help="the book's sizes (see the docstring)")
    args = p.parse_args(argv)
    if args.tiny:
        args.batch_size, args.seq_len, args.hidden, args.heads = 4, 12, 32, 4
        args.block_hidden, args.block_heads, args.ffn, args.steps = 32, 4, 64, 1
        args.repeats = args.repeats or 2
    repeats = args.repeats or 7
    device = common.setup_device(args.device)

    import numpy as np
    import paddle
    from nndl.attention import MultiHeadSelfAttention
    from nndl.transformer import TransformerBlock

    rng = np.random.default_rng(args.seed)
    paddle.seed(args.seed)
    out = {"benchmark": "attention", "env": common.env_info(device), "goal": "nndl/paddle median step <= 1.5"}
    configs = []
    if args.book:
        configs.append(("mhsa", dict(B=128, L=256, D=256, H=8)))
        configs.append(("block", dict(B=32, L=52, D=768, H=4, F=3072)))
    else:
        configs.append(("mhsa", dict(B=args.batch_size, L=args.seq_len, D=args.hidden, H=args.heads)))
        configs.append(("block", dict(B=args.batch_size, L=args.seq_len, D=args.block_hidden,
                                      H=args.block_heads, F=args.ffn)))

    for kind, c in configs:
        B, L, D, H = c["B"], c["L"], c["D"], c["H"]
        X = paddle.to_tensor(rng.standard_normal((B, L, D), dtype=np.float32))
        up = paddle.to_tensor(rng.standard_normal((B, L, D), dtype=np.float32))
        lens = paddle.to_tensor(rng.integers(max(1, L // 4), L + 1, size=B), dtype="int64")
        keep = paddle.arange(L).unsqueeze(0) < lens.unsqueeze(1)                      # [B, L]
        if kind == "mhsa":
            ours = MultiHeadSelfAttention(D, H)
            ref = paddle.nn.MultiHeadAttention(D, H)
            for a, b in ((ours.Q_proj, ref.q_proj), (ours.K_proj, ref.k_proj), (ours.V_proj, ref.v_proj),
                         (ours.out_proj, ref.out_proj)):
                b.weight.set_value(a.weight)
                b.bias.set_value(a.bias)
            bool_mask = keep.unsqueeze([1, 2])
            call_ours = lambda x: ours(x, lens)                                          # noqa: E731
            call_ref = lambda x: ref(x, attn_mask=bool_mask)                            # noqa: E731
            diff = float((call_ours(X) - call_ref(X)).abs().max())
        else:
            F = c["F"]
            ours = TransformerBlock(D, H, F, dropout=0.1, attn_dropout=0.1, act_dropout=0.0)
            ref = paddle.nn.TransformerEncoderLayer(D, H, F, dropout=0.1, attn_dropout=0.1, act_dropout=0.0)
            add_mask = ((~keep).astype("float32") * -1e9).unsqueeze([1, 2])
            call_ours = lambda x: ours(x, src_mask=add_mask)[0]                          # noqa: E731
            call_ref = lambda x: ref(x, src_mask=add_mask)                               # noqa: E731
            ours.eval(), ref.eval()
            diff = None   # different initial weights; parity is tests/test_ch8_transformer.py's
            ours.train(), ref.train()
        X.stop_gradient = False

        def many(fn):
            def run():
                for _ in range(args.steps):
                    fn()
            return run
        times = common.interleave({"nndl": many(_step(call_ours, X, up, ours.parameters() + [X])),
                                   "paddle": many(_step(call_ref, X, up, ref.parameters() + [X]))},
                                  repeats, device)
        entry = {"sizes": c, "steps_per_repeat": args.steps,
                 "nndl": common.summary(times["nndl"]), "paddle": common.summary(times["paddle"]),
                 "ratio": common.ratio(times["nndl"], times["paddle"])}
        if diff is not None:
            entry["max_abs_output_difference"] = diff
        out[kind] = entry
        common.log(f"{kind}: nndl/paddle = {entry['ratio']['ratio_of_medians']}")
    common.emit(out)


if __name__ == "__main__":
    main()
