"""Chapter 6 循环神经网络: Embedding, SRN, LSTM, Model_RNN4SeqClass, AveragePooling, Model_BiLSTM_FC."""

__all__ = []
__local__ = ()
