"""For people: tables, the comparison report, the explain table, plots, training progress. No torch."""
