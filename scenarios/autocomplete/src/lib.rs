//! Autocomplete scenario (being written).
