"""The recurrent model: batching, the network, the training loop, checkpoints, run files, prediction."""
