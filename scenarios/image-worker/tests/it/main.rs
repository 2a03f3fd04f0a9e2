//! Integration tests of the image worker, by area: both variants against
//! each other, bad inputs, the memory cap and leaks, the store (SQLite, and
//! PostgreSQL when `IMAGE_WORKER_TEST_PG_URL` is set), the generator, the
//! CLI and its two binaries (system allocator and mimalloc).

mod agreement;
mod allocators;
mod bad_input;
mod cli;
mod common;
mod generator;
mod memory;
mod monitoring;
mod store;
