"""Smoke runs of the 7.3 chapter scripts (quick mode): printed lines, results, figures."""
import numpy as np


def test_ch7_3_1(chapter_run):
    out, res, d = chapter_run("ch7_3_1_setup")
    assert "x1 initiate: [3.], x2 initiate: [4.]" in out
    assert "input data shape:  [1000, 3]" in out
    assert "model1 parameter W after train step:  [[-3.196255 ]" in out
    assert "model2 parameter W after train step:  [[-3.196255 ]" in out
    np.testing.assert_allclose(res["one_step_W_nndl"], res["one_step_W_book"], rtol=1e-6)
    np.testing.assert_allclose(res["one_step_W_nndl"], res["one_step_W_paddle"], rtol=1e-6)
    assert res["fit_final_epoch_loss"] < 1e-2
    for f in ("opti-vis-para.pdf", "opti-loss.pdf", "opti-loss.png"):
        assert (d / f).stat().st_size > 0


def test_ch7_3_2_and_3(chapter_run):
    for name, figs in (("ch7_3_2_lr_adjust", ["opti-vis-para2.pdf", "opti-loss2.pdf", "opti-vis-para3.pdf",
                                              "opti-loss3.pdf"]),
                       ("ch7_3_3_grad_estimate", ["opti-vis-para4.pdf", "opti-loss4.pdf", "opti-vis-para5.pdf",
                                                  "opti-loss5.pdf"])):
        out, res, d = chapter_run(name)
        assert out.count("x1 initiate: [3.], x2 initiate: [4.]") == 2
        for f in figs:
            assert (d / f).exists(), f
        losses = [v for k, v in res.items() if k.endswith("final_epoch_loss")]
        assert len(losses) == 2 and all(l < 0.05 for l in losses)


def test_ch7_3_4(chapter_run):
    out, res, d = chapter_run("ch7_3_4_3d_compare")
    assert "Hessian eigenvalues at (0, 0): [1. 3.] -> local minimum" in out
    assert "at (0.25, -0.5)" in out and "saddle point" in out
    assert min(res["hessian_eigs_saddle"]) < 0 < min(res["hessian_eigs_origin"])
    assert res["finals"]["Momentum"]["diverged"]
    for k in ("SGD", "AdaGrad", "RMSprop", "Adam"):
        assert res["finals"][k]["dist_to_min"] < 0.2
    assert (d / "opti-3d-anim.gif").read_bytes()[:3] == b"GIF"
    assert (d / "opti-3d-anim.html").stat().st_size > 0
    assert (d / "opti-f-3d.pdf").exists() and (d / "opti-3d-trajectories.pdf").exists()


def test_exercises(chapter_run):
    out, res, d = chapter_run("ch7_ex3_lr_decay")
    assert set(res["final_epoch_loss_fit"]) == {"constant", "piecewise", "inverse_time", "exponential",
                                                "cosine", "warmup", "cyclic"}
    assert (d / "opti-lr-decay-2d.pdf").exists() and (d / "opti-lr-decay-fit.pdf").exists()
    out, res, d = chapter_run("ch7_ex4_adadelta")
    assert res["adadelta"]["eps=0.01"]["f_final_2d"] < res["adadelta"]["eps=1e-06"]["f_final_2d"]
    assert all(v["fit_final_epoch_loss"] < 0.01 for v in res["adadelta"].values())


def _verdicts(results):
    return [c["supported"] for c in results["claims"]]


def test_ch7_3_claims(chapter_run):
    """The book's 7.3 claims that quick mode shows, and the two it gets wrong (errata O9, O10)."""
    _, res, _ = chapter_run("ch7_3_1_setup")
    assert _verdicts(res) == [True, True]
    _, res, _ = chapter_run("ch7_3_4_3d_compare")
    assert _verdicts(res) == [False, False, True]      # (0,0) is no saddle; Momentum diverges; one x_init
    assert res["x_init_after"] == [2.0, 3.0]
