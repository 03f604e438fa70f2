# %% [markdown]
# # 动手练习 8.6 叠加多层 Transformer 组块
#
# 在 8.3 节的文本语义匹配实验中叠加 1、2、3 个 Transformer 组块（`Model_Transformer` 的
# `n_block`），其余设置与 8.3 节相同（AdamW，学习率 5e-5，3 个回合，4 个头），比较测试准确率。

# %%
from nndl.app.script import setup
S = setup("ch8_ex6_stack_blocks")

import paddle
import paddle.nn as nn
from paddle.io import DataLoader

from nndl import Accuracy, RunnerV3, Model_Transformer
from nndl.mlp import plot
from nndl.datasets import lcqmc
from nndl.datasets.lcqmc import LCQMCDataSet, collate_fn, load_lcqmc_data, load_or_build_vocab

# %%
N_BLOCKS = (1, 2, 3)
EPOCHS = 3
BATCH_SIZE = 32
LEARNING_RATE = S.pick(5e-5, 5e-4)
HEADS_NUM = 4
HIDDEN_SIZE = S.pick(768, 64)
INTERMEDIATE_SIZE = S.pick(3072, 128)
MAX_SEQ_LEN = 512
EVAL_STEPS = S.pick(500, 10)
MINIATURE = dict(num_train=192, num_dev=64, num_test=64)
QUICK_SAMPLE = (192, 64, 64)      # quick mode: a fixed sample of each split (train / dev / test)


# %%
data_dir = None


def lcqmc_standin():
    global data_dir
    data_dir = lcqmc.make_miniature(S.path("lcqmc_miniature"), **MINIATURE)
    return load_lcqmc_data(data_dir)


(train_data, dev_data, test_data), _ = S.data(load_lcqmc_data, lcqmc_standin, "LCQMC", sample=QUICK_SAMPLE)
word2id_dict, built = load_or_build_vocab(
    train_data, None if data_dir is None else data_dir / lcqmc.LCQMC_VOCAB.filename, S.path("vocab.txt"))
if built:
    print("no bert-base-chinese vocabulary file: a character vocabulary built from the training pairs")
loaders = [DataLoader(LCQMCDataSet(d, word2id_dict), batch_size=BATCH_SIZE, collate_fn=collate_fn, shuffle=False)
           for d in (train_data, dev_data, test_data)]

# %%
results, runners = {}, {}
for n_block in N_BLOCKS:
    paddle.seed(2021)
    model = Model_Transformer(vocab_size=len(word2id_dict), n_block=n_block, num_classes=2, heads_num=HEADS_NUM,
                              hidden_size=HIDDEN_SIZE, intermediate_size=INTERMEDIATE_SIZE,
                              position_size=MAX_SEQ_LEN)
    decay_params = [p.name for n, p in model.named_parameters() if not any(nd in n for nd in ["bias", "norm"])]
    optimizer = paddle.optimizer.AdamW(learning_rate=LEARNING_RATE, parameters=model.parameters(),
                                       weight_decay=0.0, apply_decay_param_fun=lambda x: x in decay_params)
    runner = RunnerV3(model, optimizer, nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path(f"checkpoint/model_best_{n_block}.pdparams"))
    runner.train(loaders[0], loaders[1], num_epochs=EPOCHS, log_steps=0, eval_steps=EVAL_STEPS, save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(loaders[2])
    print(f"n_block={n_block}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[n_block], runners[n_block] = accuracy, runner
S.savefig(plot(runners[N_BLOCKS[-1]], sample_every=S.pick(100, 1)), "ex8-6_stacked_blocks_loss_acc.pdf")

# %%
S.record(test_accuracy={f"n_block={k}": v for k, v in results.items()}, hidden_size=HIDDEN_SIZE,
         train_size=len(train_data))
S.claim(book="练习 8.6: 叠加多层 Transformer 组块，观察对比实验效果（书中 1 个组块: 0.66485）",
        measured=", ".join(f"{k} 个组块 {v:.5f}" for k, v in results.items()),
        supported=None,
        note="an exercise without a printed answer; one seed" +
             ("; quick mode: a small model on a generated miniature or a sample" if S.quick else ""))
S.save()
