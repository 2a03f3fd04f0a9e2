//! perflab scenario: a slow dashboard API (N+1 queries, missing indexes, no pool) made fast.
