//! Text tables: aligned columns for terminals and GitHub-flavoured Markdown.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table of already-formatted cells.
#[derive(Debug)]
pub(crate) struct Table {
    columns: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            columns: columns.iter().map(|(t, a)| ((*t).to_owned(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Columns padded to their widest cell (in characters, so `µ` counts
    /// once), two spaces apart, with a dashed rule under the header.
    pub(crate) fn to_text(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([self.columns[i].0.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.columns.len()).map(width).collect();
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                let pad = widths[i] - cell.chars().count();
                match self.columns[i].1 {
                    Align::Left => {
                        out.push_str(cell);
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                    Align::Right => {
                        out.extend(std::iter::repeat_n(' ', pad));
                        out.push_str(cell);
                    }
                }
            }
            out.trim_end().to_owned()
        };
        let header: Vec<String> = self.columns.iter().map(|c| c.0.clone()).collect();
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut out = String::new();
        for cells in [&header, &rule].into_iter().chain(&self.rows) {
            out.push_str(&line(cells));
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table; cells are escaped so a `|` or a
    /// newline in a benchmark name cannot break the table.
    pub(crate) fn to_markdown(&self) -> String {
        let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        let mut out = row(self.columns.iter().map(|c| c.0.clone()).collect());
        out.push_str(&row(self
            .columns
            .iter()
            .map(|c| match c.1 {
                Align::Left => ":--".to_owned(),
                Align::Right => "--:".to_owned(),
            })
            .collect()));
        for r in &self.rows {
            out.push_str(&row(r.iter().map(|c| escape_cell(c)).collect()));
        }
        out
    }
}

fn escape_cell(cell: &str) -> String {
    cell.replace('|', "\\|").replace(['\r', '\n'], " ")
}
