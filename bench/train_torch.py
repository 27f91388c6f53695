#!/usr/bin/env python3
"""PyTorch reference for bench/train.mjs: the design's MLP on Fashion-MNIST, timed like train-model.

Usage: python3 bench/train_torch.py SOURCE_DIR [train_rows=53330] [val_rows=6670] [epochs=1] [batch=64]
Threads: torch.set_num_threads(nproc), or $TORCH_THREADS.

Loads the IDX gz training files with gzip/numpy, scales by 255, takes the first train_rows rows
for training and the next val_rows for validation (the same counts as preprocess-data's split,
not the same rows), and trains flatten -> dense 128 relu -> dense 10 softmax with adam lr 0.001,
categorical cross-entropy, shuffled batches. Like train-model's samples-per-second, the timed part
is each epoch's training plus its validation pass, not data loading; samples/s counts train rows.
Prints one JSON line: {samples_per_second, max_rss_mb, torch_version, threads, ...}.
"""
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    source = sys.argv[1]
    train_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 53330
    val_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 6670
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 64

    threads = int(os.environ.get('TORCH_THREADS') or 0) or (len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count())
    torch.set_num_threads(threads)
    torch.manual_seed(42)

    images = read_idx(os.path.join(source, 'train-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(source, 'train-labels-idx1-ubyte.gz'))
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    x_train, y_train = x[:train_rows], y[:train_rows]
    x_val, y_val = x[train_rows:train_rows + val_rows], y[train_rows:train_rows + val_rows]

    # Softmax output + categorical cross-entropy on one-hot labels == log_softmax + NLL on indices.
    model = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(28 * 28, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()

    seconds = 0.0
    loss_sum = 0.0
    val_accuracy = 0.0
    for _ in range(epochs):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(train_rows)
        loss_sum = 0.0
        for i in range(0, train_rows, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            correct = 0
            for i in range(0, val_rows, 1024):
                correct += (model(x_val[i:i + 1024]).argmax(1) == y_val[i:i + 1024]).sum().item()
        seconds += time.perf_counter() - started
        val_accuracy = correct / max(1, val_rows)

    print(json.dumps({
        'samples_per_second': train_rows * epochs / seconds,
        'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'torch_version': torch.__version__,
        'threads': torch.get_num_threads(),
        'train_rows': train_rows,
        'val_rows': val_rows,
        'epochs': epochs,
        'seconds': seconds,
        'final_loss': loss_sum / train_rows,
        'final_val_accuracy': val_accuracy,
    }))


if __name__ == '__main__':
    main()
