//! The CI gate: perflab.toml rules over comparisons, rendered as a table, Markdown and GitHub annotations.
