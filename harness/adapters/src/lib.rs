//! Adapters: pure functions from each benchmark tool's raw output to perflab's result format.
