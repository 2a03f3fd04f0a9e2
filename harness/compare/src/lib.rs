//! Statistics and comparisons: verdicts between runs and speedups between variants. Pure functions.
