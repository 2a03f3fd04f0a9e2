//! Stable, safe file names for pages and copied files.
//!
//! A page name is derived only from the names it shows, so links from
//! elsewhere (the gate's Markdown, bookmarks) keep working across runs.
//! Names are slugged to `[a-z0-9-]` for every file system and URL, and a hash
//! of the exact original names is appended, so `a/b` and `a-b` (which slug
//! alike) never share a file.

use perflab_schema::MeasurementKey;

/// Longest readable part of a slug, before the hash.
const MAX_READABLE: usize = 60;

/// `text` lowered to `[a-z0-9]` runs joined by single dashes.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > MAX_READABLE {
        out.truncate(MAX_READABLE);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// perflab-seeded's FNV-1a over the parts, a 0xFF byte between them (it
/// cannot occur inside UTF-8, so `["ab", "c"]` and `["a", "bc"]` differ):
/// stable across platforms and Rust versions, which page names need.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash = perflab_seeded::Fnv1a::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash = hash.write(&[0xff]);
        }
        hash = hash.write(part.as_bytes());
    }
    hash.finish()
}

/// A slug of `parts` joined, followed by a hash of the exact parts.
pub fn unique_slug(parts: &[&str]) -> String {
    let readable = slugify(&parts.join("-"));
    let hash = fnv1a(parts);
    if readable.is_empty() {
        format!("{hash:016x}")
    } else {
        format!("{readable}-{:08x}", hash >> 32)
    }
}

/// The page of a scenario, relative to the site root.
pub fn scenario_page(scenario: &str) -> String {
    format!("scenario/{}.html", unique_slug(&[scenario]))
}

/// The page of a benchmark (all its variants and metrics), relative to the
/// site root.
pub fn bench_slug(scenario: &str, benchmark: &str) -> String {
    unique_slug(&[scenario, benchmark])
}

/// The page of a benchmark, relative to the site root.
pub fn bench_page(scenario: &str, benchmark: &str) -> String {
    format!("bench/{}.html", bench_slug(scenario, benchmark))
}

/// The anchor of one variant's metric on its benchmark page.
pub fn metric_anchor(variant: &str, metric: &str) -> String {
    format!("m-{}", unique_slug(&[variant, metric]))
}

/// Where a key's report lives, relative to the site root, anchor included:
/// what the gate's Markdown links to.
pub fn page_for_key(key: &MeasurementKey) -> String {
    format!(
        "{}#{}",
        bench_page(&key.scenario, &key.benchmark),
        metric_anchor(&key.variant, key.metric.name())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_readable() {
        assert_eq!(
            slugify("complete/terms_1M prefix=2"),
            "complete-terms-1m-prefix-2"
        );
        assert_eq!(
            slugify("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(slugify("../../etc"), "etc");
        assert_eq!(slugify("日本"), "");
    }

    #[test]
    fn names_that_slug_alike_get_different_pages() {
        assert_ne!(bench_page("a", "b/c"), bench_page("a", "b-c"));
        assert_ne!(bench_page("a-b", "c"), bench_page("a", "b-c"));
        assert_ne!(bench_page("日本", "x"), bench_page("中国", "x"));
    }

    #[test]
    fn pages_are_stable() {
        // Links in old pull-request comments depend on this staying put.
        assert_eq!(bench_page("s", "b"), bench_page("s", "b"));
        let page = bench_page("autocomplete", "complete/terms_1m");
        assert!(page.starts_with("bench/autocomplete-complete-terms-1m-"));
        assert!(page.ends_with(".html"));
        let only_hash = unique_slug(&["日本"]);
        assert_eq!(only_hash.len(), 16);
    }

    #[test]
    fn long_names_are_truncated_before_the_hash() {
        let long = "x".repeat(500);
        let slug = unique_slug(&[&long]);
        assert!(slug.len() <= MAX_READABLE + 9);
    }
}
