//! perflab's load stage: drive an HTTP service with goose and record latency percentiles, throughput and errors.
