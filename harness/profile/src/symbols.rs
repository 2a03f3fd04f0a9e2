//! Function names as they appear in perflab's folded stacks: demangled, without
//! the `::h0123456789abcdef` hash rustc appends to legacy-mangled symbols, and
//! safe to put between the `;` separators of a folded line.
//!
//! The hash changes whenever anything in the crate graph changes, so two builds
//! of the same code would otherwise never share a frame and a differential
//! flamegraph would show everything as new. This module does not resolve
//! addresses; pprof and `backtrace` do that.

use std::borrow::Cow;

/// Shown for a frame whose symbol could not be resolved or cleaned to nothing.
pub const UNKNOWN_FRAME: &str = "[unknown]";

/// Turns a symbol name (mangled or demangled, with or without hash) into the
/// form used in folded stacks.
///
/// - Rust legacy (`_ZN…E`) and v0 (`_R…`) symbols are demangled.
/// - A trailing `::h` + 16 hex digits hash is removed.
/// - `;` (the folded separator, which appears in Rust types such as
///   `[u8; 4]`) becomes `,`, and line breaks become spaces, so the name cannot
///   split a folded line.
///
/// ```
/// use perflab_profile::clean_frame;
/// assert_eq!(clean_frame("_ZN3foo3bar17h0123456789abcdefE"), "foo::bar");
/// assert_eq!(clean_frame("foo::bar::h0123456789abcdef"), "foo::bar");
/// assert_eq!(clean_frame("<[u8; 4] as Debug>::fmt"), "<[u8, 4] as Debug>::fmt");
/// ```
pub fn clean_frame(name: &str) -> String {
    let demangled = demangle(name.trim());
    safe_frame(strip_hash_suffix(&demangled))
}

/// Keeps a frame from breaking the folded line format (`;` separates
/// frames, a line is one stack) without demangling it; an empty name
/// becomes [`UNKNOWN_FRAME`].
pub(crate) fn safe_frame(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| match c {
            ';' => ',',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect();
    let name = name.trim();
    if name.is_empty() {
        UNKNOWN_FRAME.to_owned()
    } else {
        name.to_owned()
    }
}

/// Removes a trailing `::h` + 16 lowercase-or-uppercase hex digits, the hash
/// rustc puts on legacy-mangled symbols. Anything else is returned unchanged,
/// so a function really named `h0123` survives.
///
/// ```
/// use perflab_profile::strip_hash_suffix;
/// assert_eq!(strip_hash_suffix("std::rt::lang_start::h9f3c1b2a4d5e6f70"), "std::rt::lang_start");
/// assert_eq!(strip_hash_suffix("app::h1"), "app::h1");
/// ```
pub fn strip_hash_suffix(name: &str) -> &str {
    const HASH_LEN: usize = 16;
    let Some(idx) = name.rfind("::h") else {
        return name;
    };
    let hash = &name[idx + 3..];
    if hash.len() == HASH_LEN && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        &name[..idx]
    } else {
        name
    }
}

/// Demangles Rust symbols; leaves everything else (C, C++, already demangled
/// names) as it is.
fn demangle(name: &str) -> Cow<'_, str> {
    // The `#` (alternate) form omits the hash and v0 crate disambiguators.
    match rustc_demangle::try_demangle(name) {
        Ok(symbol) => Cow::Owned(format!("{symbol:#}")),
        Err(_) => Cow::Borrowed(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangles_legacy_symbols_without_hash() {
        assert_eq!(
            clean_frame("_ZN4core3ops8function6FnOnce9call_once17h5b2c8d1e0f9a7b63E"),
            "core::ops::function::FnOnce::call_once"
        );
    }

    #[test]
    fn demangles_v0_symbols_without_disambiguators() {
        // `_RNvCs1234_7mycrate3foo` is v0 for `mycrate[..]::foo`.
        assert_eq!(
            clean_frame("_RNvCsdDZcbsjqKJh_7mycrate3foo"),
            "mycrate::foo"
        );
    }

    #[test]
    fn strips_hash_from_already_demangled_names() {
        assert_eq!(
            clean_frame("perflab::burn::h00112233AABBccdd"),
            "perflab::burn"
        );
        assert_eq!(
            clean_frame("<alloc::vec::Vec<T> as core::ops::Drop>::drop::hffffffffffffffff"),
            "<alloc::vec::Vec<T> as core::ops::Drop>::drop"
        );
    }

    #[test]
    fn keeps_names_that_only_look_like_hashes() {
        // 15 and 17 hex digits, a non-hex letter, and no `::` before the `h`.
        assert_eq!(
            strip_hash_suffix("a::h012345678901234"),
            "a::h012345678901234"
        );
        assert_eq!(
            strip_hash_suffix("a::h01234567890123456"),
            "a::h01234567890123456"
        );
        assert_eq!(
            strip_hash_suffix("a::h0123456789abcdeg"),
            "a::h0123456789abcdeg"
        );
        assert_eq!(
            strip_hash_suffix("ah0123456789abcdef"),
            "ah0123456789abcdef"
        );
        assert_eq!(strip_hash_suffix("main"), "main");
    }

    #[test]
    fn leaves_c_and_cpp_names_alone() {
        assert_eq!(clean_frame("__libc_start_main"), "__libc_start_main");
        assert_eq!(
            clean_frame("_ZN3Foo3barEv"),
            "_ZN3Foo3barEv".to_owned().as_str()
        );
    }

    #[test]
    fn separators_and_line_breaks_cannot_split_a_folded_line() {
        assert_eq!(clean_frame("f<[u8; 8]>"), "f<[u8, 8]>");
        assert_eq!(clean_frame("a\nb\r"), "a b");
    }

    #[test]
    fn empty_names_become_unknown() {
        assert_eq!(clean_frame(""), UNKNOWN_FRAME);
        assert_eq!(clean_frame("  \n"), UNKNOWN_FRAME);
    }
}
