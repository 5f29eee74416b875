"""`model.init_from`: a classifier that starts from a pretrained language-model run.

The classifier takes the run's tokenizer, its embedding and its LSTM weights: the forward
language model goes to the forward direction, the backward one to the backward direction (which
reads each text reversed within its own length, as the backward model read the stream). With
`model.embedding_per_direction` each direction reads its own model's embedding; otherwise both
read the forward model's. The head starts fresh. Anything that does not fit is refused with
both sizes named, and so is a run whose language models read this run's dev or test texts.
"""

from __future__ import annotations

import torch

from sentiment_rnn.config import ModelConfig
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.lm.corpus import contains
from sentiment_rnn.rnn.lm.rundir import LMRun


def check_fits(run: LMRun, model: ModelConfig) -> None:
    """Refuse a classifier config the language models cannot initialise, naming both sizes."""
    lm = run.config.model
    where = f"the language model at {run.path} (its config.yaml)"
    if model.init_lstm and model.cell != "lstm":
        raise UserError(f"model.cell is {model.cell!r} here; {where} is an LSTM (set model.cell: lstm)")
    sizes = ("embedding_dim", "hidden_size", "num_layers") if model.init_lstm else ("embedding_dim",)
    for key in sizes:  # the embedding alone (init_lstm: false) fits an encoder of any size
        mine, theirs = getattr(model, key), getattr(lm, key)
        if mine != theirs:
            raise UserError(f"model.{key} is {mine} here but {theirs} in {where}; make them equal")
    if not model.init_lstm:
        if model.embedding_per_direction and "backward" not in run.weights:
            raise UserError(
                f"model.embedding_per_direction needs the backward language model's embedding; "
                f"{where} has {', '.join(run.weights)} only (pretrain with pretrain.directions: both)"
            )
        return
    if model.bidirectional and model.num_layers > 1:
        raise UserError(
            f"model.num_layers {model.num_layers} with bidirectional: layer 2 of this classifier "
            f"reads {2 * model.hidden_size} inputs (both directions), layer 2 of {where} reads "
            f"{lm.hidden_size}; pretrained weights fit a bidirectional classifier of 1 layer, "
            "or a one-direction classifier of any depth"
        )
    needed = ["forward", "backward"] if model.bidirectional else ["forward"]
    missing = [d for d in needed if d not in run.weights]
    if missing:
        raise UserError(
            f"this classifier needs the {' and '.join(needed)} language model(s); {where} has "
            f"{', '.join(run.weights)} only (pretrain with pretrain.directions: both)"
        )


def check_no_leak(run: LMRun, held_out: dict[str, list[str]]) -> None:
    """Refuse when the language models read any of this run's dev or test texts."""
    for split, texts in held_out.items():
        found = contains(run.hashes, texts)
        if found:
            raise UserError(
                f"{len(found)} of this run's {split} texts were read by the language models at "
                f"{run.path} (the first: {texts[found[0]][:60]!r}); pretrain with the same data "
                "section and seed as this run, so that its dev and test texts stay unseen"
            )


@torch.no_grad()
def load_pretrained_weights(model: torch.nn.Module, run: LMRun) -> None:
    """Copy the embedding and (unless `model.init_lstm` is false) the LSTM weights into a
    SentimentRNN built with the run's tokenizer."""
    check_fits(run, model.config)
    forward = run.weights["forward"]
    width = model.config.embedding_dim
    embedding = model.embedding.weight  # (V, E) or (V, 2E) with one embedding per direction
    if embedding.shape[0] != forward["embedding.weight"].shape[0]:
        raise UserError(
            f"the embedding has {embedding.shape[0]} rows here, {forward['embedding.weight'].shape[0]} "
            f"in {run.path}: train must use the language model's tokenizer"
        )
    embedding[:, :width].copy_(forward["embedding.weight"])
    if embedding.shape[1] == 2 * width:
        embedding[:, width:].copy_(run.weights["backward"]["embedding.weight"])
    if not model.config.init_lstm:
        return  # the encoder keeps its fresh initialisation
    layers = {"forward": model.encoder.forward_layers, "backward": model.encoder.backward_layers}
    for direction, modules in layers.items():
        for k, lstm in enumerate(modules):
            for name, param in lstm.named_parameters():  # weight_ih_l0, weight_hh_l0, biases
                param.copy_(run.weights[direction][f"layers.{k}.{name}"])
