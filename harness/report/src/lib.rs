//! perflab HTML reports (being written).
