//! Baselines stored in git: save to the work tree, read from any git ref, history as a time series.
