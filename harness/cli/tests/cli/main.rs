//! Integration tests: the real `perflab` binary against temporary git
//! repositories holding a tiny cargo workspace, fixture runs and baselines.
//! Benchmarks themselves are not run here (that is the CI smoke run's job).

mod baseline;
mod fixture;
mod gate;
mod misc;
mod report;
