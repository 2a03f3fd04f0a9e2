//! perflab's profiling stage: CPU profiles with pprof, flamegraphs and differential flamegraphs with inferno.
