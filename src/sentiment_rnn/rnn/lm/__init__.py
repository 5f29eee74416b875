"""Language-model pretraining (`sentiment-rnn pretrain`): a forward and a backward LSTM language
model over a token stream of unlabelled text and the training split, whose embedding and LSTM
weights `train` can start from (`model.init_from`).

    corpus.py       the texts (train split + unlabelled, never dev or test), the held-out slice,
                    the tokenizer, the token streams, hashes of every text read
    model.py        LanguageModel: embedding -> LSTM layers -> adaptive (or full) softmax
    loop.py         one direction's training: truncated BPTT over batched streams, its state
    checkpoint.py   that state as checkpoint-<direction>.safetensors, atomically, no pickle
    directions.py   build or restore each direction's trainer, step them, checkpoint, report
    processes.py    pretrain.processes 2: a worker process per direction
    rundir.py       the language-model run directory: its files, saving, loading
    run.py          the `pretrain` command: run directory, one or two processes, resume
    transfer.py     `model.init_from`: checks, then the weights copied into a classifier
"""
