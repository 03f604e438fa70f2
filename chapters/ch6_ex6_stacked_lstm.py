# %% [markdown]
# # 动手练习 6.6 多层 LSTM 的情感分析
#
# LSTM 在实际应用中可以叠加多层：第 $l$ 层双向 LSTM 读第 $l-1$ 层所有时刻的输出 `[B, L, 2D]`。把 6.4 模型中的
# 双向 LSTM 换成 1、2、3 层（`Model_BiLSTM_FC(..., num_layers=n)`，即 `paddle.nn.LSTM(num_layers=n,
# direction='bidirectional')`，每层都传入真实长度），其余设置与 6.4 相同（Adam，学习率 0.001，批大小 128，
# 3 个回合，词向量与隐状态 256 维），观察模型性能随深度的变化。
#
# 如何改进：更深的循环网络更难训练、更容易过拟合。常用的办法有层间暂退法（`paddle.nn.LSTM` 的 `dropout`
# 参数）、层间残差连接、按验证集提前停止（这里保存验证集上最好的模型）以及更小的学习率。
#
# 快速模式：词向量与隐状态 32 维、批大小 32；没有 IMDB 时在生成的同格式小型数据上运行并如实说明，数据太
# 简单，看不出深度的影响。完整模式下没有数据则在任何计算之前停止。

# %%
from nndl.app.script import setup
S = setup("ch6_ex6_stacked_lstm")

from functools import partial

import numpy as np
import paddle
import matplotlib.pyplot as plt

from nndl import Accuracy, RunnerV3, Model_BiLSTM_FC
from nndl.datasets.imdb import IMDBDataset, build_vocab, collate_fn, load_imdb_data, make_miniature

# %%
NUM_LAYERS = (1, 2, 3)
NUM_EPOCHS = 3
LEARNING_RATE = 0.001
MAX_SEQ_LEN = 256
BATCH_SIZE = S.pick(128, 32)
INPUT_SIZE = S.pick(256, 32)
HIDDEN_SIZE = S.pick(256, 32)
EVAL_STEPS = 10
LOG_STEPS = S.pick(10, 0)
MINIATURE = dict(n_train=400, n_test=200, seed=0)
QUICK_SAMPLE = (2000, 500, 500)    # quick mode on the real data: a fixed sample of each split

# %%
(train_data, dev_data, test_data), standin = S.data(
    load_imdb_data,
    lambda: load_imdb_data(make_miniature(S.path("imdb_miniature"), **MINIATURE), verify=False),
    "IMDB (aclImdb_v1.tar.gz)", sample=QUICK_SAMPLE)
word2id_dict = build_vocab(train_data)
print(f"训练集 / 验证集 / 测试集: {len(train_data)} / {len(dev_data)} / {len(test_data)}, 词表大小 {len(word2id_dict)}")
collate = partial(collate_fn, pad_val=word2id_dict["[PAD]"], max_seq_len=MAX_SEQ_LEN)
loaders = [paddle.io.DataLoader(IMDBDataset(d, word2id_dict), batch_size=BATCH_SIZE, shuffle=shuffle,
                                collate_fn=collate)
           for d, shuffle in ((train_data, True), (dev_data, False), (test_data, False))]

# %%
results, runners, num_params = {}, {}, {}
S.path("checkpoints").mkdir(parents=True, exist_ok=True)
for n in NUM_LAYERS:
    paddle.seed(0)
    np.random.seed(0)      # the shuffled training loader draws from numpy's generator
    model = Model_BiLSTM_FC(len(word2id_dict), INPUT_SIZE, HIDDEN_SIZE, num_layers=n)
    optimizer = paddle.optimizer.Adam(learning_rate=LEARNING_RATE, parameters=model.parameters())
    runner = RunnerV3(model, optimizer, paddle.nn.CrossEntropyLoss(), Accuracy())
    save_path = str(S.path("checkpoints") / f"best_{n}_layers.pdparams")
    print(f"\n====> {n} 层双向 LSTM")
    runner.train(loaders[0], loaders[1], num_epochs=NUM_EPOCHS, eval_steps=EVAL_STEPS, log_steps=LOG_STEPS,
                 save_path=save_path)
    runner.load_model(save_path)
    accuracy, _ = runner.evaluate(loaders[2])
    print(f"num_layers={n}: Evaluate on test set, Accuracy: {accuracy:.5f}")
    results[n], runners[n] = accuracy, runner
    num_params[n] = sum(int(np.prod(p.shape)) for p in model.lstm_layer.parameters())

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for n, color in zip(NUM_LAYERS, ("#f19ec2", "#e4007f", "#7b2d8e")):
    dev = np.array([(step, loss) for step, loss in runners[n].dev_losses if step >= 0])
    axes[0].plot(dev[:, 0], dev[:, 1], "-o", color=color, label=f"{n} layer(s)")
axes[0].set_xlabel("step")
axes[0].set_ylabel("dev loss")
axes[0].legend()
axes[1].plot(NUM_LAYERS, [results[n] for n in NUM_LAYERS], "-o", color="#e4007f", label="Test Accuracy")
axes[1].plot(NUM_LAYERS, [runners[n].best_score for n in NUM_LAYERS], "--s", color="#f19ec2", label="best Dev Accuracy")
axes[1].set_xticks(NUM_LAYERS)
axes[1].set_xlabel("num_layers")
axes[1].set_ylabel("accuracy")
axes[1].legend()
fig.tight_layout()
S.savefig(fig, "ex6-6-stacked-lstm.pdf")
plt.close(fig)

# %%
S.record(standin=standin, sizes=[len(train_data), len(dev_data), len(test_data)], hidden_size=HIDDEN_SIZE,
         test_accuracy={f"num_layers={n}": results[n] for n in NUM_LAYERS},
         best_dev_accuracy={f"num_layers={n}": runners[n].best_score for n in NUM_LAYERS},
         lstm_parameters={f"num_layers={n}": num_params[n] for n in NUM_LAYERS})
S.claim(book="练习 6.6: 使用多层 LSTM 进行情感分析，观察模型性能随深度的变化（6.4 单层: 0.86064）",
        measured=", ".join(f"{n} 层 {results[n]:.5f}" for n in NUM_LAYERS) +
                 " (LSTM parameters " + ", ".join(f"{num_params[n]}" for n in NUM_LAYERS) + ")",
        supported=None,
        note="an exercise without a printed answer; one seed" +
             ("; ran on a generated miniature, not IMDB" if standin else
              f"; quick mode: {len(train_data)} training reviews, {HIDDEN_SIZE}-d" if S.quick else ""))
S.save()
