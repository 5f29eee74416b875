"""Using finished runs: evaluate, minimal-pair probes, the RNN-against-baseline comparison, explain."""
