//! The image-worker scenario (being written).
