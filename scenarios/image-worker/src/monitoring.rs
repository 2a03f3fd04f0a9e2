//! Runtime monitoring of the worker (being written).
