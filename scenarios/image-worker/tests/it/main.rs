//! Integration tests of the image worker, by area: both variants against
//! each other, bad inputs, the memory cap and leaks, the store (SQLite, and
//! PostgreSQL when `IMAGE_WORKER_TEST_PG_URL` is set), the generator and the
//! CLI.

mod agreement;
mod bad_input;
mod cli;
mod common;
mod generator;
mod memory;
mod monitoring;
mod store;
