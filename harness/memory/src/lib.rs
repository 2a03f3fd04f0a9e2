//! perflab memory stage (being written).
