//! A table of records with sortable columns and pages, for thousands of rows: only the page
//! shown is sent to the browser, and sorting happens on the server.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::attrs::{Columns, Descending, Rows, SortBy};
use crate::widget::{EmitsChange, InputError, Widget};

impl_label!(Table);

/// Records in columns, sortable by clicking a column header, shown a page at a time. Emits
/// [`crate::Event::Change`] when the browser changes the page or the sort.
///
/// Attributes: `label`, `columns`, `rows` (rows per page, 20 by default), `sort_by` (the
/// column sorted by at the start) and `descending`. A row is one
/// [`Json`](crate::Json) value per column, made with [`numerous::json!`](crate::json); numbers
/// are aligned right.
///
/// ```
/// use numerous::json;
/// # use numerous::prelude::*;
/// let mut t = Table::new(["name", "score"]).with_rows((0..1000).map(|i| vec![json!(format!("p{i}")), json!(i % 7)]));
/// t.sort("score", true);
/// assert_eq!(t.len(), 1000);
/// assert_eq!(t.page_rows().next().unwrap()[1], json!(6));
/// t.push_row(vec![json!("new"), json!(9)]);
/// assert_eq!(t.page_rows().next().unwrap()[1], json!(9));
/// ```
///
/// In an app: `#[widget(columns = ["name", "score"], rows = 10, sort_by = "score", descending =
/// true)] scores: Table`: the highest score first until the user sorts by another column.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Table {
    /// The caption.
    pub label: String,
    /// The column names.
    pub columns: Vec<String>,
    /// The page shown, from 0.
    pub page: usize,
    /// Rows per page.
    pub page_size: usize,
    /// The column sorted by, if any.
    pub sort_by: Option<String>,
    /// Whether the sort is descending.
    pub descending: bool,
    #[serde(skip)]
    rows: Vec<Vec<Json>>,
    /// Row indices in display order.
    #[serde(skip)]
    order: Vec<usize>,
    /// Changes whenever the rows do (a session store keeps them).
    #[serde(skip)]
    revision: u64,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            label: String::new(),
            columns: Vec::new(),
            page: 0,
            page_size: 20,
            sort_by: None,
            descending: false,
            rows: Vec::new(),
            order: Vec::new(),
            revision: 0,
        }
    }
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            ..Table::default()
        }
    }

    /// The table with these rows (one JSON value per column).
    pub fn with_rows(mut self, rows: impl IntoIterator<Item = Vec<Json>>) -> Self {
        self.set_rows(rows);
        self
    }

    /// Replaces the rows, keeping the sort and the page (the last page if there are fewer now).
    pub fn set_rows(&mut self, rows: impl IntoIterator<Item = Vec<Json>>) {
        self.rows = rows.into_iter().collect();
        self.revision += 1;
        self.page = self.page.min(self.pages() - 1);
        self.reorder();
    }

    /// Adds one row, in its place in the sort; the page shown stays.
    pub fn push_row(&mut self, row: Vec<Json>) {
        self.rows.push(row);
        self.revision += 1;
        self.reorder();
    }

    /// All rows, in insertion order.
    pub fn all_rows(&self) -> &[Vec<Json>] {
        &self.rows
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Sorts by `column` (ignored if there is no such column).
    pub fn sort(&mut self, column: &str, descending: bool) {
        if self.columns.iter().any(|c| c == column) {
            self.sort_by = Some(column.to_owned());
            self.descending = descending;
            self.reorder();
        }
    }

    /// Every row as CSV (RFC 4180), in the order shown (the sort), with the column names as its
    /// first line: a cell with a comma, a quote or a line break is quoted, a string is its text
    /// (not JSON), a number and a boolean as JSON writes them, `null` an empty cell, an array or
    /// object its JSON. For a [`Download`](crate::widgets::Download):
    /// `self.download.send("table.csv", "text/csv", self.table.to_csv())`.
    pub fn to_csv(&self) -> Vec<u8> {
        // CRLF as RFC 4180 has it; a row with more cells than there are columns keeps them
        // (`flexible`), one with fewer gets empty cells, so every reader takes the file.
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(64 * (self.rows.len() + 1)));
        // Writing to memory cannot fail.
        let _ = out.write_record(&self.columns);
        let width = self.columns.len();
        for &i in &self.order {
            let row = &self.rows[i];
            let pad = width.saturating_sub(row.len());
            let cells = row.iter().map(|v| csv_cell(v).into_owned());
            let _ = out.write_record(cells.chain(std::iter::repeat_n(String::new(), pad)));
        }
        out.into_inner().unwrap_or_default()
    }

    /// How many pages there are (at least 1).
    pub fn pages(&self) -> usize {
        self.rows.len().div_ceil(self.page_size.max(1)).max(1)
    }

    /// The rows of the page shown, in display order.
    pub fn page_rows(&self) -> impl Iterator<Item = &Vec<Json>> {
        let size = self.page_size.max(1);
        self.order
            .iter()
            .skip(self.page * size)
            .take(size)
            .map(|&i| &self.rows[i])
    }

    fn reorder(&mut self) {
        self.order = (0..self.rows.len()).collect();
        let Some(col) = self
            .sort_by
            .as_ref()
            .and_then(|c| self.columns.iter().position(|x| x == c))
        else {
            return;
        };
        let rows = &self.rows;
        self.order.sort_by(|&a, &b| {
            let o = compare(rows[a].get(col), rows[b].get(col));
            if self.descending { o.reverse() } else { o }
        });
    }
}

/// A cell's text in CSV: a string as it is, `null` empty, anything else as JSON.
fn csv_cell(v: &Json) -> std::borrow::Cow<'_, str> {
    match v {
        Json::String(s) => std::borrow::Cow::Borrowed(s),
        Json::Null => std::borrow::Cow::Borrowed(""),
        other => std::borrow::Cow::Owned(other.to_string()),
    }
}

/// Nulls first, then booleans, numbers (by value), strings, and anything else by its text.
fn compare(a: Option<&Json>, b: Option<&Json>) -> Ordering {
    fn rank(v: Option<&Json>) -> u8 {
        match v {
            None | Some(Json::Null) => 0,
            Some(Json::Bool(_)) => 1,
            Some(Json::Number(_)) => 2,
            Some(Json::String(_)) => 3,
            Some(_) => 4,
        }
    }
    match (a, b) {
        (Some(Json::Number(x)), Some(Json::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Json::String(x)), Some(Json::String(y))) => x.cmp(y),
        (Some(Json::Bool(x)), Some(Json::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) if rank(a) == rank(b) => x.to_string().cmp(&y.to_string()),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Serialize for Table {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Page<'a>(&'a Table);
        impl Serialize for Page<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.page_rows())
            }
        }
        let mut st = s.serialize_struct("Table", 8)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("columns", &self.columns)?;
        st.serialize_field("rows", &Page(self))?;
        st.serialize_field("total", &self.rows.len())?;
        st.serialize_field("page", &self.page)?;
        st.serialize_field("page_size", &self.page_size)?;
        st.serialize_field("sort_by", &self.sort_by)?;
        st.serialize_field("descending", &self.descending)?;
        st.end()
    }
}

/// What the browser may change: the page and the sort.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInput {
    page: Option<usize>,
    #[serde(default, with = "serde_with_option")]
    sort_by: Option<Option<String>>,
    descending: Option<bool>,
}

/// Distinguishes a missing `sort_by` (no change) from `null` (unsorted).
mod serde_with_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

impl Columns for Table {
    fn columns(mut self, columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.columns = columns.into_iter().map(Into::into).collect();
        self.reorder();
        self
    }
}

impl Widget for Table {
    const KIND: &'static str = "table";
    type Input = TableInput;
    const ECHO_INPUT: bool = true;

    fn apply(&mut self, input: TableInput) -> Result<(), InputError> {
        if let Some(Some(col)) = &input.sort_by
            && !self.columns.contains(col)
        {
            return Err(InputError::Rejected(format!(
                "no column {col:?} to sort by"
            )));
        }
        if let Some(page) = input.page
            && page >= self.pages()
        {
            return Err(InputError::Rejected(format!(
                "page {page} does not exist; there are {} pages",
                self.pages()
            )));
        }
        let resort = input.sort_by.is_some() || input.descending.is_some();
        if let Some(sort_by) = input.sort_by {
            self.sort_by = sort_by;
            self.page = 0;
        }
        if let Some(d) = input.descending {
            self.descending = d;
        }
        if let Some(page) = input.page {
            self.page = page;
        }
        if resort {
            self.reorder();
        }
        Ok(())
    }

    fn saved_revision(&self) -> Option<u64> {
        Some(self.revision)
    }

    /// The rows, in insertion order.
    fn write_saved(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, &self.rows)
    }

    fn restore_saved(&mut self, saved: &[u8]) -> serde_json::Result<()> {
        let rows: Vec<Vec<Json>> = serde_json::from_slice(saved)?;
        self.set_rows(rows);
        Ok(())
    }

    /// The rows stay; the page and sort go back to what the browser was last sent.
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        let last: Table = serde_json::from_slice(state)?;
        let resort = last.sort_by != self.sort_by || last.descending != self.descending;
        self.label = last.label;
        self.columns = last.columns;
        self.page = last.page;
        self.page_size = last.page_size;
        self.sort_by = last.sort_by;
        self.descending = last.descending;
        if resort {
            self.reorder();
        }
        Ok(())
    }
}
impl EmitsChange for Table {}

impl SortBy for Table {
    /// `#[widget(sort_by = "date")]`: the starting sort (a column the table lacks sorts
    /// nothing).
    fn sort_by(mut self, column: impl Into<String>) -> Self {
        self.sort_by = Some(column.into());
        self.reorder();
        self
    }
}

impl Descending for Table {
    /// `#[widget(sort_by = "date", descending = true)]`: newest first.
    fn descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self.reorder();
        self
    }
}

impl Rows for Table {
    fn rows(mut self, rows: usize) -> Self {
        self.page_size = rows.max(1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::DynWidget;
    use serde_json::json;

    fn table() -> Table {
        Table::new(["n", "name"])
            .with_rows((0..45).map(|i| vec![json!(i), json!(format!("row {i:02}"))]))
            .rows(20)
    }

    #[test]
    fn sends_only_the_page() {
        let mut t = table();
        t.apply_json(r#"{"page": 2}"#).unwrap();
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["rows"].as_array().unwrap().len(), 5);
        assert_eq!(v["rows"][0][0], 40);
        assert_eq!(v["total"], 45);
        assert!(t.apply_json(r#"{"page": 3}"#).is_err());
    }

    #[test]
    fn new_rows_keep_the_page() {
        use crate::attrs::Columns;
        let rows = |n: usize| (0..n).map(|i| vec![serde_json::json!(i)]);
        let mut t = Table::default().columns(["n"]).with_rows(rows(100));
        t.page = 3;
        t.set_rows(rows(100));
        assert_eq!(t.page, 3);
        t.set_rows(rows(30)); // two pages now: the last one
        assert_eq!(t.page, 1);
        t.push_row(vec![serde_json::json!(1000)]);
        assert_eq!((t.page, t.len()), (1, 31));
    }

    #[test]
    fn sorts_on_the_server() {
        let mut t = table();
        t.apply_json(r#"{"sort_by": "n", "descending": true}"#)
            .unwrap();
        assert_eq!(t.page_rows().next().unwrap()[0], json!(44));
        assert!(t.apply_json(r#"{"sort_by": "nope"}"#).is_err());
        t.apply_json(r#"{"sort_by": null}"#).unwrap();
        assert_eq!(t.page_rows().next().unwrap()[0], json!(0));
    }

    #[test]
    fn csv_is_every_row_in_the_order_shown_and_quoted_where_it_must() {
        let mut t = Table::new(["name", "amount", "note"]).with_rows([
            vec![json!("Smith, Ann"), json!(12.5), json!("said \"hi\"")],
            vec![json!("Bo"), json!(3), json!("two\nlines")],
            vec![json!("Cy"), json!(null), json!(true)],
            vec![json!("Di")],
        ]);
        t.sort("name", true);
        let csv = String::from_utf8(t.to_csv()).unwrap();
        assert_eq!(
            csv,
            "name,amount,note\r\n\"Smith, Ann\",12.5,\"said \"\"hi\"\"\"\r\nDi,,\r\nCy,,true\r\nBo,3,\"two\nlines\"\r\n"
        );
        // A strict CSV reader gets every cell back as it was written (a short row padded).
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(rows[0], ["Smith, Ann", "12.5", "said \"hi\""]);
        assert_eq!(rows[1], ["Di", "", ""]);
        assert_eq!(rows[3], ["Bo", "3", "two\nlines"]);
    }

    #[test]
    fn restore_keeps_rows() {
        let mut t = table();
        let mut snap = Vec::new();
        t.write_state(&mut snap).unwrap();
        t.apply_json(r#"{"page": 1, "sort_by": "name", "descending": true}"#)
            .unwrap();
        DynWidget::restore(&mut t, &snap).unwrap();
        assert_eq!(t.len(), 45);
        assert_eq!((t.page, t.sort_by.as_deref()), (0, None));
        assert_eq!(t.page_rows().next().unwrap()[0], json!(0));
    }
}
