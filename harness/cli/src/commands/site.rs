//! Where `perflab report` puts the HTML site by default, and the links into
//! it that `perflab gate`'s Markdown carries. The pages' own paths are
//! `perflab_render::html`'s; this module only puts a base in front.

use perflab_schema::MeasurementKey;

/// Where the site goes without `--out`, relative to the workspace root.
pub const DEFAULT_OUT: &str = "reports/site";

/// The link to a key's page for the gate's Markdown: under `base` when the
/// site is published, else relative to the workspace root.
pub fn page_link(base: Option<&str>, key: &MeasurementKey) -> String {
    format!(
        "{}{}",
        site_base(base),
        perflab_render::html::page_for_key(key)
    )
}

/// The site's root URL with a trailing slash.
pub fn site_base(base: Option<&str>) -> String {
    match base.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => format!("{}/", b.trim_end_matches('/')),
        None => format!("{DEFAULT_OUT}/"),
    }
}
