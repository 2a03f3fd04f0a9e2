//! Flamegraph and differential-flamegraph SVGs drawn by inferno from folded
//! stacks.
//!
//! Pure: text in, SVG text out. No sampling and no files here, so a kept
//! `.folded` file (ours or another tool's) can be redrawn at any time.
//!
//! Colours are chosen from a hash of the function name, so one function has
//! the same colour in every flamegraph perflab draws.
//!
//! # Reading a differential flamegraph
//!
//! - **Red: grew.** The frame has more samples after than before.
//! - **Blue: shrank.** Fewer samples after than before.
//! - Colour depth is the size of the change; near-white means unchanged.
//! - **Widths are the "after" profile** by default ([`DiffWidths::After`]).
//!   A function that disappeared has no width after, so it cannot be seen;
//!   draw with [`DiffWidths::Before`] to see what was removed (colours keep
//!   their meaning, only widths change).
//! - By default the "before" counts are scaled so both profiles have the same
//!   total ([`DiffOptions::normalize`]): two runs of different length compare
//!   by share of time, not by raw sample count, which otherwise paints
//!   everything red or everything blue.

use inferno::differential;
use inferno::flamegraph::{self, Options};

use crate::error::{ProfileError, Result};
use crate::folded::Folded;

/// Which profile gives the frames their widths in a differential flamegraph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiffWidths {
    /// Widths are the after profile: shows where time goes now.
    #[default]
    After,
    /// Widths are the before profile: shows what was removed or shrank.
    Before,
}

/// Options of [`diff_flamegraph_svg_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffOptions {
    /// Scale "before" to the same total as "after" before comparing.
    pub normalize: bool,
    /// Which profile gives the widths.
    pub widths: DiffWidths,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            normalize: true,
            widths: DiffWidths::After,
        }
    }
}

/// Draws a flamegraph of `folded` titled `title`.
///
/// Errors with [`ProfileError::EmptyProfile`] when there are no samples.
pub fn flamegraph_svg(folded: &Folded, title: &str) -> Result<String> {
    if folded.is_empty() {
        return Err(ProfileError::EmptyProfile {
            title: title.to_owned(),
        });
    }
    let text = folded.to_folded_string();
    draw(title, text.lines(), false)
}

/// Draws a differential flamegraph: red = grew, blue = shrank, widths from
/// `after` (see the module documentation).
pub fn diff_flamegraph_svg(before: &Folded, after: &Folded, title: &str) -> Result<String> {
    diff_flamegraph_svg_with(before, after, title, DiffOptions::default())
}

/// [`diff_flamegraph_svg`] with explicit options.
///
/// Errors with [`ProfileError::EmptyProfile`] when the profile that gives the
/// widths has no samples, since there would be nothing to draw.
pub fn diff_flamegraph_svg_with(
    before: &Folded,
    after: &Folded,
    title: &str,
    options: DiffOptions,
) -> Result<String> {
    // inferno draws widths from the second column and colours by
    // second − first. For "before" widths, swap the columns and negate the
    // difference, which keeps red meaning "grew".
    let (first, second, negate) = match options.widths {
        DiffWidths::After => (before, after, false),
        DiffWidths::Before => (after, before, true),
    };
    if second.is_empty() {
        return Err(ProfileError::EmptyProfile {
            title: title.to_owned(),
        });
    }
    let render_err = |source| ProfileError::Render {
        title: title.to_owned(),
        source,
    };
    let mut columns = Vec::new();
    let diff_options = differential::Options {
        normalize: options.normalize,
        strip_hex: false,
    };
    differential::from_readers(
        diff_options,
        first.to_folded_string().as_bytes(),
        second.to_folded_string().as_bytes(),
        &mut columns,
    )
    .map_err(render_err)?;
    let columns = String::from_utf8(columns)
        .map_err(|e| render_err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    // inferno's differential output is unsorted (hash order); from_lines
    // sorts it again because `no_sort` stays off.
    draw(title, columns.lines(), negate)
}

fn draw<'a>(title: &str, lines: impl IntoIterator<Item = &'a str>, negate: bool) -> Result<String> {
    let mut options = Options::default();
    options.title = title.to_owned();
    options.hash = true;
    options.negate_differentials = negate;
    let mut svg = Vec::new();
    flamegraph::from_lines(&mut options, lines, &mut svg).map_err(|source| {
        ProfileError::Render {
            title: title.to_owned(),
            source,
        }
    })?;
    String::from_utf8(svg).map_err(|e| ProfileError::Render {
        title: title.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> Folded {
        Folded::parse(text).unwrap()
    }

    /// The `<g>` element whose `<title>` starts with `name (`.
    fn frame_element<'a>(svg: &'a str, name: &str) -> &'a str {
        let start = svg
            .find(&format!("<title>{name} ("))
            .unwrap_or_else(|| panic!("no frame `{name}` in svg"));
        let end = start + svg[start..].find("</g>").unwrap();
        &svg[start..end]
    }

    #[test]
    fn flamegraph_contains_title_and_functions() {
        let svg = flamegraph_svg(&folded("main;parse 3\nmain;render 1\n"), "my title").unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..50]);
        assert!(svg.contains("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("my title"));
        assert!(frame_element(&svg, "parse").contains("3 samples"));
    }

    #[test]
    fn names_are_escaped() {
        let svg = flamegraph_svg(&folded("main;<T as Trait>::f&g 3\n"), "t").unwrap();
        assert!(svg.contains("&lt;T as Trait&gt;::f&amp;g"));
    }

    #[test]
    fn empty_profile_is_an_error_not_an_error_picture() {
        let err = flamegraph_svg(&Folded::new(), "nothing").unwrap_err();
        assert!(matches!(err, ProfileError::EmptyProfile { .. }));
        assert!(err.to_string().contains("nothing"));
    }

    #[test]
    fn diff_paints_growth_red_and_shrinkage_blue() {
        let before = folded("main;grows 10\nmain;shrinks 30\n");
        let after = folded("main;grows 30\nmain;shrinks 10\n");
        let svg = diff_flamegraph_svg(&before, &after, "diff").unwrap();
        assert!(svg.starts_with("<?xml"));
        let grows = frame_element(&svg, "grows");
        let shrinks = frame_element(&svg, "shrinks");
        // Widths are "after": grows has 30 samples.
        assert!(grows.contains("30 samples"), "{grows}");
        assert!(grows.contains("+50.00%"), "{grows}");
        assert!(grows.contains("fill=\"rgb(255,"), "{grows}");
        assert!(shrinks.contains("-50.00%"), "{shrinks}");
        assert!(shrinks.contains(",255)\""), "{shrinks}");
    }

    #[test]
    fn diff_normalizes_run_length_by_default() {
        // Same shape, twice as many samples: nothing really changed.
        let before = folded("main;a 10\nmain;b 10\n");
        let after = folded("main;a 20\nmain;b 20\n");
        let svg = diff_flamegraph_svg(&before, &after, "same").unwrap();
        assert!(frame_element(&svg, "a").contains("fill=\"rgb(250,250,250)\""));
        let raw = DiffOptions {
            normalize: false,
            ..DiffOptions::default()
        };
        let svg = diff_flamegraph_svg_with(&before, &after, "raw", raw).unwrap();
        assert!(frame_element(&svg, "a").contains("fill=\"rgb(255,"));
    }

    #[test]
    fn before_widths_show_removed_functions_still_red_for_growth() {
        let before = folded("main;removed 10\nmain;grows 10\n");
        let after = folded("main;grows 20\n");
        let opts = DiffOptions {
            normalize: false,
            widths: DiffWidths::Before,
        };
        let svg = diff_flamegraph_svg_with(&before, &after, "t", opts).unwrap();
        let removed = frame_element(&svg, "removed");
        assert!(removed.contains("10 samples"), "{removed}");
        assert!(removed.contains(",255)\""), "{removed}");
        let grows = frame_element(&svg, "grows");
        assert!(grows.contains("fill=\"rgb(255,"), "{grows}");
        // With "after" widths the removed function is not drawn at all.
        let after_widths = DiffOptions {
            normalize: false,
            widths: DiffWidths::After,
        };
        let svg = diff_flamegraph_svg_with(&before, &after, "t", after_widths).unwrap();
        assert!(!svg.contains("<title>removed ("));
    }

    #[test]
    fn diff_of_empty_after_is_an_error() {
        let err = diff_flamegraph_svg(&folded("a 1\n"), &Folded::new(), "t").unwrap_err();
        assert!(matches!(err, ProfileError::EmptyProfile { .. }));
    }
}
