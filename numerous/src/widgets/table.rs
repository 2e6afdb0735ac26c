//! A table of records with sortable columns, a search box, selectable rows and pages, for
//! hundreds of thousands of rows: only the page shown is sent to the browser; sorting, searching
//! and paging happen on the server.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::attrs::{Columns, Descending, Formats, Key, Rows, Searchable, Select, SortBy};
use crate::widget::{EmitsChange, InputError, Widget};

impl_label!(Table);

/// The longest search the browser may send, in characters.
const MAX_SEARCH: usize = 256;

/// Records in columns, shown a page at a time: sortable by clicking a column header, searchable
/// when it has a search box, and with rows the user can select. Emits [`crate::Event::Change`]
/// when the browser changes the page, the sort, the search or the selection.
///
/// Attributes:
/// - `label`, `columns`, `rows` (rows per page, 20 by default);
/// - `sort_by` (the column sorted by at the start) and `descending`;
/// - `searchable = true`: a search box above the table; a row is shown when one of its cells
///   contains the text, ignoring case (the cells' values, not their formatted text);
/// - `select = "one"` or `"many"`: a box on each row; a handler reads the selected rows' keys
///   with [`Table::selected`] and the rows with [`Table::selected_rows`];
/// - `key = "id"`: the column whose value names a row (the first column unless set);
/// - `formats = [("amount", "currency:EUR"), ("date", "date")]`: how the browser shows a column
///   (see [`ColumnFormat`]); sorting, searching and [`Table::to_csv`] use the values themselves.
///
/// A row is one [`Json`](crate::Json) value per column, made with
/// [`numerous::json!`](crate::json); numbers are aligned right.
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
/// t.search("p99");
/// assert_eq!(t.shown(), 11); // p99, p990 .. p999
/// ```
///
/// In an app:
///
/// ```text
/// #[widget(columns = ["id", "what", "amount"], key = "id", select = "many", searchable = true,
///          formats = [("amount", "currency:EUR")], sort_by = "id", descending = true)]
/// expenses: Table,
///
/// #[on_click(delete)]
/// fn delete(&mut self) {
///     let ids: Vec<i64> = self.expenses.selected().iter().filter_map(|k| k.as_i64()).collect();
///     // delete them from the database, then `self.expenses.set_rows(..)` with what is left
/// }
/// ```
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
    /// Whether the table shows a search box.
    pub searchable: bool,
    /// How many rows the user may select.
    pub select: Selection,
    /// The column whose value names a row (the first column if `None`).
    pub key: Option<String>,
    /// How the browser shows each column named here.
    pub formats: BTreeMap<String, ColumnFormat>,
    /// The search typed in the search box (set it with [`Table::search`]).
    search: String,
    /// The keys of the selected rows, in the order they were selected.
    selected: Vec<Json>,
    #[serde(skip)]
    rows: Vec<Vec<Json>>,
    /// Every row's index, in the order of the sort.
    #[serde(skip)]
    sorted: Vec<usize>,
    /// The rows that match the search, in the order of the sort (`None`: no search).
    #[serde(skip)]
    found: Option<Vec<usize>>,
    /// Changes whenever the rows do (a session store keeps them).
    #[serde(skip)]
    revision: u64,
}

/// How many rows of a [`Table`] the user may select: `#[widget(select = "one")]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// None: no boxes (the default).
    #[default]
    None,
    /// At most one row.
    One,
    /// Any number of rows.
    Many,
}

impl Selection {
    /// `"none"`, `"one"` or `"many"`.
    pub fn parse(text: &str) -> Option<Selection> {
        match text {
            "none" => Some(Selection::None),
            "one" => Some(Selection::One),
            "many" => Some(Selection::Many),
            _ => None,
        }
    }
}

/// How the browser shows a column's values, in the reader's locale (`Intl` in the browser).
/// Written as text in `#[widget(formats = [("amount", "currency:EUR")])]`:
///
/// | text | shows |
/// |---|---|
/// | `text` | the value as it is (the default) |
/// | `number`, `number:2` | a number with the locale's grouping, with that many decimals |
/// | `currency:EUR` | an amount in that ISO 4217 currency |
/// | `percent`, `percent:1` | a fraction as a percentage (`0.25` → 25 %) |
/// | `date` | an ISO 8601 date (`2026-12-07`) or a Unix time in seconds, as a date |
/// | `datetime` | the same, with the time of day, in the reader's time zone |
///
/// A value the format cannot show (text in a number column) is shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ColumnFormat {
    /// The value as it is.
    Text,
    /// A number, with this many decimals if set.
    Number(Option<u8>),
    /// An amount in this ISO 4217 currency (three capital letters).
    Currency(String),
    /// A fraction shown as a percentage, with this many decimals if set.
    Percent(Option<u8>),
    /// A date.
    Date,
    /// A date and a time of day.
    DateTime,
}

impl ColumnFormat {
    /// The format kinds, the text before a `:`.
    pub const KINDS: &'static [&'static str] =
        &["text", "number", "currency", "percent", "date", "datetime"];

    /// Parses `number:2`, `currency:EUR`, `date`...; the error says what was expected.
    pub fn parse(text: &str) -> Result<ColumnFormat, String> {
        let (kind, arg) = match text.split_once(':') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (text.trim(), None),
        };
        let decimals = |arg: Option<&str>| -> Result<Option<u8>, String> {
            arg.map(|a| {
                a.parse::<u8>()
                    .ok()
                    .filter(|d| *d <= 20)
                    .ok_or_else(|| format!("`{a}` is not a count of decimals from 0 to 20"))
            })
            .transpose()
        };
        let none = |f: ColumnFormat| match arg {
            None => Ok(f),
            Some(a) => Err(format!("`{kind}` takes nothing after it, found `:{a}`")),
        };
        match kind {
            "text" => none(ColumnFormat::Text),
            "date" => none(ColumnFormat::Date),
            "datetime" => none(ColumnFormat::DateTime),
            "number" => decimals(arg).map(ColumnFormat::Number),
            "percent" => decimals(arg).map(ColumnFormat::Percent),
            "currency" => match arg {
                Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                    Ok(ColumnFormat::Currency(c.to_owned()))
                }
                Some(c) => Err(format!(
                    "`{c}` is not an ISO 4217 currency code (three capital letters, e.g. EUR)"
                )),
                None => Err("`currency` needs its code, e.g. `currency:EUR`".to_owned()),
            },
            other => Err(format!(
                "unknown column format `{other}`; formats are {}",
                ColumnFormat::KINDS.join(", ")
            )),
        }
    }
}

impl fmt::Display for ColumnFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnFormat::Text => f.write_str("text"),
            ColumnFormat::Number(None) => f.write_str("number"),
            ColumnFormat::Number(Some(d)) => write!(f, "number:{d}"),
            ColumnFormat::Currency(c) => write!(f, "currency:{c}"),
            ColumnFormat::Percent(None) => f.write_str("percent"),
            ColumnFormat::Percent(Some(d)) => write!(f, "percent:{d}"),
            ColumnFormat::Date => f.write_str("date"),
            ColumnFormat::DateTime => f.write_str("datetime"),
        }
    }
}

impl TryFrom<String> for ColumnFormat {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        ColumnFormat::parse(&text)
    }
}

impl From<ColumnFormat> for String {
    fn from(f: ColumnFormat) -> String {
        f.to_string()
    }
}

impl std::str::FromStr for ColumnFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        ColumnFormat::parse(text)
    }
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
            searchable: false,
            select: Selection::None,
            key: None,
            formats: BTreeMap::new(),
            search: String::new(),
            selected: Vec::new(),
            rows: Vec::new(),
            sorted: Vec::new(),
            found: None,
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

    /// Replaces every row (a list read again from the database), keeping the sort, the search,
    /// the page (the last page if there are fewer now) and the selection of the rows whose keys
    /// are still there.
    pub fn set_rows(&mut self, rows: impl IntoIterator<Item = Vec<Json>>) {
        self.rows = rows.into_iter().collect();
        self.revision += 1;
        self.resort();
        self.page = self.page.min(self.pages() - 1);
        if !self.selected.is_empty() {
            let keys = self.key_set(self.selected.iter());
            let present: HashSet<String> = self
                .rows
                .iter()
                .filter_map(|r| self.row_key(r))
                .map(key_text)
                .filter(|k| keys.contains(k))
                .collect();
            self.selected.retain(|k| present.contains(&key_text(k)));
        }
    }

    /// Keeps only the rows `keep` says yes to (as [`Table::set_rows`] with the rest).
    pub fn retain_rows(&mut self, keep: impl FnMut(&Vec<Json>) -> bool) {
        let mut rows = std::mem::take(&mut self.rows);
        rows.retain(keep);
        self.set_rows(rows);
    }

    /// Adds one row, in its place in the sort; the page shown stays. Each call moves the
    /// indices after the new row: to load many rows, use [`Table::set_rows`] once.
    pub fn push_row(&mut self, row: Vec<Json>) {
        let index = self.rows.len();
        let matches = matches(&Needle::new(&self.search), &row, &mut String::new());
        self.rows.push(row);
        self.revision += 1;
        // The new row goes after every row that sorts before or with it (as a stable sort
        // would place it): no sort of the whole table.
        let at = self.place(&self.sorted, index);
        self.sorted.insert(at, index);
        if matches && let Some(found) = &self.found {
            let at = self.place(found, index);
            if let Some(found) = &mut self.found {
                found.insert(at, index);
            }
        }
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

    /// How many rows the search shows (all of them without a search).
    pub fn shown(&self) -> usize {
        self.visible().len()
    }

    /// Sorts by `column` (ignored if there is no such column).
    pub fn sort(&mut self, column: &str, descending: bool) {
        if self.columns.iter().any(|c| c == column) {
            self.sort_by = Some(column.to_owned());
            self.descending = descending;
            self.resort();
        }
    }

    /// The search in the search box: the rows with a cell containing it, ignoring case.
    pub fn search_text(&self) -> &str {
        &self.search
    }

    /// Shows only the rows with a cell containing `text` (ignoring case), from the first page;
    /// an empty text shows every row.
    pub fn search(&mut self, text: impl Into<String>) {
        self.search = text.into();
        self.page = 0;
        self.refind();
    }

    /// The keys of the selected rows (the values of the [`key`](Table::key) column), in the
    /// order they were selected.
    pub fn selected(&self) -> &[Json] {
        &self.selected
    }

    /// The selected rows, in insertion order.
    pub fn selected_rows(&self) -> impl Iterator<Item = &Vec<Json>> {
        let keys = self.key_set(self.selected.iter());
        self.rows.iter().filter(move |r| {
            !keys.is_empty() && self.row_key(r).is_some_and(|k| keys.contains(&key_text(k)))
        })
    }

    /// Selects the rows with these keys (a key no row has is left out), as a handler would
    /// after adding a row; the table's [`select`](Table::select) mode is not checked.
    pub fn set_selected(&mut self, keys: impl IntoIterator<Item = Json>) {
        let wanted: Vec<Json> = keys.into_iter().collect();
        self.selected = self.existing(wanted);
    }

    /// Selects nothing (after deleting the selected rows, say).
    pub fn clear_selection(&mut self) {
        self.selected.clear();
    }

    /// Every row as CSV (RFC 4180), in the order shown (the sort and the search), with the
    /// column names as its first line: a cell with a comma, a quote or a line break is quoted, a
    /// string is its text (not JSON), a number and a boolean as JSON writes them, `null` an empty
    /// cell, an array or object its JSON. Formats are not applied: a spreadsheet gets the values.
    /// For a [`Download`](crate::widgets::Download):
    /// `self.download.send("table.csv", "text/csv", self.table.to_csv())`.
    pub fn to_csv(&self) -> Vec<u8> {
        // CRLF as RFC 4180 has it; a row with more cells than there are columns keeps them
        // (`flexible`), one with fewer gets empty cells, so every reader takes the file.
        let mut out = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(64 * (self.shown() + 1)));
        // Writing to memory cannot fail.
        let _ = out.write_record(&self.columns);
        let width = self.columns.len();
        for &i in self.visible() {
            let row = &self.rows[i];
            let pad = width.saturating_sub(row.len());
            let cells = row.iter().map(|v| csv_cell(v).into_owned());
            let _ = out.write_record(cells.chain(std::iter::repeat_n(String::new(), pad)));
        }
        out.into_inner().unwrap_or_default()
    }

    /// How many pages the rows shown take (at least 1).
    pub fn pages(&self) -> usize {
        self.shown().div_ceil(self.page_size.max(1)).max(1)
    }

    /// The rows of the page shown, in display order.
    pub fn page_rows(&self) -> impl Iterator<Item = &Vec<Json>> {
        let size = self.page_size.max(1);
        self.visible()
            .iter()
            .skip(self.page * size)
            .take(size)
            .map(|&i| &self.rows[i])
    }

    /// The indices of the rows shown, in display order.
    fn visible(&self) -> &[usize] {
        self.found.as_deref().unwrap_or(&self.sorted)
    }

    /// The key column's index.
    fn key_column(&self) -> usize {
        self.key
            .as_ref()
            .and_then(|k| self.columns.iter().position(|c| c == k))
            .unwrap_or(0)
    }

    fn row_key<'r>(&self, row: &'r [Json]) -> Option<&'r Json> {
        row.get(self.key_column())
    }

    /// Keys as text ([`key_text`]), to compare without walking the rows once per key.
    fn key_set<'k>(&self, keys: impl Iterator<Item = &'k Json>) -> HashSet<String> {
        keys.map(key_text).collect()
    }

    /// The rows' own keys for the keys among `wanted` that a row has, each once, in the order
    /// given (a key the browser sent as `1` names the row whose key is `1.0`).
    fn existing(&self, wanted: Vec<Json>) -> Vec<Json> {
        if wanted.is_empty() {
            return wanted;
        }
        let present: std::collections::HashMap<String, &Json> = {
            let wanted = self.key_set(wanted.iter());
            self.rows
                .iter()
                .filter_map(|r| self.row_key(r))
                .map(|k| (key_text(k), k))
                .filter(|(text, _)| wanted.contains(text))
                .collect()
        };
        let mut seen = HashSet::new();
        wanted
            .iter()
            .filter_map(|k| {
                let text = key_text(k);
                let own = present.get(&text)?;
                seen.insert(text).then(|| (*own).clone())
            })
            .collect()
    }

    /// The sort column's index, if the table is sorted by a column it has.
    fn sort_column(&self) -> Option<usize> {
        self.sort_by
            .as_ref()
            .and_then(|c| self.columns.iter().position(|x| x == c))
    }

    /// Orders rows `a` and `b` as the table shows them.
    fn order(&self, col: usize, a: usize, b: usize) -> Ordering {
        let o = compare(self.rows[a].get(col), self.rows[b].get(col));
        if self.descending { o.reverse() } else { o }
    }

    /// Where row `index` goes in `list` (a list in sort order): after every row that sorts
    /// before it or with it.
    fn place(&self, list: &[usize], index: usize) -> usize {
        match self.sort_column() {
            Some(col) => list.partition_point(|&i| self.order(col, i, index) != Ordering::Greater),
            None => list.len(),
        }
    }

    /// Sorts every row again, then searches.
    fn resort(&mut self) {
        let mut sorted = std::mem::take(&mut self.sorted);
        sorted.clear();
        sorted.extend(0..self.rows.len());
        if let Some(col) = self.sort_column() {
            // Each row's sort key is read once, not at each of the n·log n comparisons.
            let mut keyed: Vec<(SortKey<'_>, usize)> = sorted
                .iter()
                .map(|&i| (SortKey::of(self.rows[i].get(col)), i))
                .collect();
            if self.descending {
                keyed.sort_by(|(a, _), (b, _)| b.cmp(a));
            } else {
                keyed.sort_by(|(a, _), (b, _)| a.cmp(b));
            }
            sorted.clear();
            sorted.extend(keyed.into_iter().map(|(_, i)| i));
        }
        self.sorted = sorted;
        self.refind();
    }

    /// Searches the sorted rows again (no sort: the search keeps their order).
    fn refind(&mut self) {
        self.found = self.find(&self.search);
    }

    /// The sorted rows that contain `search` (`None`: an empty search, every row).
    fn find(&self, search: &str) -> Option<Vec<usize>> {
        if search.is_empty() {
            return None;
        }
        let mut buf = String::new();
        let needle = Needle::new(search);
        Some(
            self.sorted
                .iter()
                .copied()
                .filter(|&i| matches(&needle, &self.rows[i], &mut buf))
                .collect(),
        )
    }
}

/// A search, prepared once for every row it is tried on.
struct Needle<'a> {
    text: &'a str,
    /// An ASCII search compares bytes (no text is lowercased per row); any other is compared
    /// lowercased, itself lowercased here once.
    lower: Option<String>,
}

impl<'a> Needle<'a> {
    fn new(text: &'a str) -> Self {
        Needle {
            text,
            lower: (!text.is_ascii()).then(|| text.to_lowercase()),
        }
    }

    fn found_in(&self, text: &str) -> bool {
        match &self.lower {
            None => text
                .as_bytes()
                .windows(self.text.len())
                .any(|w| w.eq_ignore_ascii_case(self.text.as_bytes())),
            Some(lower) => text.to_lowercase().contains(lower.as_str()),
        }
    }
}

/// Whether a cell of `row` contains `needle`, ignoring case (`buf`: a number's text).
fn matches(needle: &Needle<'_>, row: &[Json], buf: &mut String) -> bool {
    if needle.text.is_empty() {
        return true;
    }
    let contains = |text: &str| needle.found_in(text);
    row.iter().any(|cell| match cell {
        Json::Null => false,
        Json::String(s) => contains(s),
        Json::Number(n) => {
            buf.clear();
            let _ = write!(buf, "{n}");
            contains(buf)
        }
        Json::Bool(b) => contains(if *b { "true" } else { "false" }),
        other => contains(&other.to_string()),
    })
}

/// A row key as text, equal for equal values however they were written: a whole number is its
/// integer (`1.0` and `1` are one key, as the browser has them), a string is JSON-quoted (so
/// `"1"` and `1` differ). Keys above 2^53 are not exact in a browser: use strings for them.
fn key_text(key: &Json) -> String {
    match key {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                format!("{}", f as i64)
            }
            _ => n.to_string(),
        },
        other => other.to_string(),
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

/// A cell as the sort sees it, read once per row: the order of [`compare`].
#[derive(PartialEq)]
enum SortKey<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(&'a str),
    Other(String),
}

impl<'a> SortKey<'a> {
    fn of(v: Option<&'a Json>) -> Self {
        match v {
            None | Some(Json::Null) => SortKey::Null,
            Some(Json::Bool(b)) => SortKey::Bool(*b),
            Some(Json::Number(n)) => SortKey::Number(n.as_f64().unwrap_or(f64::NAN)),
            Some(Json::String(s)) => SortKey::Text(s),
            Some(other) => SortKey::Other(other.to_string()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Bool(_) => 1,
            SortKey::Number(_) => 2,
            SortKey::Text(_) => 3,
            SortKey::Other(_) => 4,
        }
    }

    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Number(x), SortKey::Number(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
            (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
            (SortKey::Bool(x), SortKey::Bool(y)) => x.cmp(y),
            (SortKey::Other(x), SortKey::Other(y)) => x.cmp(y),
            _ => self.rank().cmp(&other.rank()),
        }
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
        let mut st = s.serialize_struct("Table", 15)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("columns", &self.columns)?;
        st.serialize_field("rows", &Page(self))?;
        st.serialize_field("total", &self.shown())?;
        st.serialize_field("all", &self.rows.len())?;
        st.serialize_field("page", &self.page)?;
        st.serialize_field("page_size", &self.page_size)?;
        st.serialize_field("sort_by", &self.sort_by)?;
        st.serialize_field("descending", &self.descending)?;
        st.serialize_field("searchable", &self.searchable)?;
        st.serialize_field("search", &self.search)?;
        st.serialize_field("select", &self.select)?;
        st.serialize_field("key", &self.key)?;
        st.serialize_field("selected", &self.selected)?;
        st.serialize_field("formats", &self.formats)?;
        st.end()
    }
}

/// What the browser may change: the page, the sort, the search and the selection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInput {
    page: Option<usize>,
    #[serde(default, with = "serde_with_option")]
    sort_by: Option<Option<String>>,
    descending: Option<bool>,
    search: Option<String>,
    selected: Option<Vec<Json>>,
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
        self.resort();
        self
    }
}

impl Widget for Table {
    const KIND: &'static str = "table";
    type Input = TableInput;
    const ECHO_INPUT: bool = true;

    fn apply(&mut self, input: TableInput) -> Result<(), InputError> {
        let refuse = |msg: String| Err(InputError::Rejected(msg));
        if let Some(Some(col)) = &input.sort_by
            && !self.columns.contains(col)
        {
            return refuse(format!("no column {col:?} to sort by"));
        }
        if let Some(search) = &input.search {
            if !self.searchable {
                return refuse("this table has no search box".to_owned());
            }
            if search.chars().count() > MAX_SEARCH {
                return refuse(format!("a search is at most {MAX_SEARCH} characters"));
            }
        }
        let selected = match input.selected {
            None => None,
            Some(keys) => {
                match self.select {
                    Selection::None => return refuse("this table selects no rows".to_owned()),
                    Selection::One if keys.len() > 1 => {
                        return refuse("this table selects one row at a time".to_owned());
                    }
                    _ if keys.len() > self.rows.len() => {
                        return refuse(format!(
                            "{} keys selected, the table has {} rows",
                            keys.len(),
                            self.rows.len()
                        ));
                    }
                    _ => {}
                }
                let count = keys.len();
                let existing = self.existing(keys);
                if existing.len() != count {
                    return refuse(format!(
                        "a selected key is not the key of a row of this table (the key column is {:?}), or is repeated",
                        self.columns
                            .get(self.key_column())
                            .map_or("", String::as_str)
                    ));
                }
                Some(existing)
            }
        };
        // A page is checked against the rows the new search shows; nothing changes before
        // every part of the input is accepted.
        let found = input.search.as_ref().map(|s| self.find(s));
        if let Some(page) = input.page {
            let shown = match &found {
                Some(found) => found.as_ref().map_or(self.rows.len(), Vec::len),
                None => self.shown(),
            };
            let pages = shown.div_ceil(self.page_size.max(1)).max(1);
            if page >= pages {
                return refuse(format!(
                    "page {page} does not exist; there are {pages} pages"
                ));
            }
        }
        if let (Some(search), Some(found)) = (input.search, found) {
            self.search = search;
            self.found = found;
            self.page = 0;
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
        if let Some(selected) = selected {
            self.selected = selected;
        }
        if resort {
            self.resort();
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

    /// The rows stay; the page, sort, search and selection go back to what the browser was
    /// last sent.
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        let last: Table = serde_json::from_slice(state)?;
        let resort = last.sort_by != self.sort_by || last.descending != self.descending;
        let refind = last.search != self.search;
        self.label = last.label;
        self.columns = last.columns;
        self.page = last.page;
        self.page_size = last.page_size;
        self.sort_by = last.sort_by;
        self.descending = last.descending;
        self.searchable = last.searchable;
        self.select = last.select;
        self.key = last.key;
        self.formats = last.formats;
        self.search = last.search;
        self.selected = last.selected;
        if resort {
            self.resort();
        } else if refind {
            self.refind();
        }
        // After a failed handler the rows stay as it left them: the selection keeps the keys
        // still there and the page one that exists. (Restored from a session store, the rows
        // come after, through `restore_saved`, which does the same.)
        if !self.rows.is_empty() {
            let selected = std::mem::take(&mut self.selected);
            self.selected = self.existing(selected);
            self.page = self.page.min(self.pages() - 1);
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
        self.resort();
        self
    }
}

impl Descending for Table {
    /// `#[widget(sort_by = "date", descending = true)]`: newest first.
    fn descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self.resort();
        self
    }
}

impl Rows for Table {
    fn rows(mut self, rows: usize) -> Self {
        self.page_size = rows.max(1);
        self
    }
}

impl Searchable for Table {
    /// `#[widget(searchable = true)]`: a search box above the table.
    fn searchable(mut self, searchable: bool) -> Self {
        self.searchable = searchable;
        self
    }
}

impl Select for Table {
    /// `#[widget(select = "one")]` or `"many"`: a box on each row (a text other than `none`,
    /// `one` and `many` fails the build when written in `#[widget]`, and selects nothing in
    /// code, with a warning in the log).
    fn select(mut self, mode: impl Into<String>) -> Self {
        let mode = mode.into();
        self.select = Selection::parse(&mode).unwrap_or_else(|| {
            tracing::warn!("a table's select is \"none\", \"one\" or \"many\", not {mode:?}");
            Selection::None
        });
        self
    }
}

impl Key for Table {
    /// `#[widget(key = "id")]`: the column whose value names a row.
    fn key(mut self, column: impl Into<String>) -> Self {
        self.key = Some(column.into());
        self
    }
}

impl Formats for Table {
    /// `#[widget(formats = [("amount", "currency:EUR")])]` (see [`ColumnFormat`]); in
    /// `#[widget]` a format that does not parse fails the build; in code it shows the column as
    /// text, with a warning in the log.
    fn formats(
        mut self,
        formats: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Self {
        for (column, format) in formats {
            let (column, format) = (column.into(), format.into());
            let format = ColumnFormat::parse(&format).unwrap_or_else(|e| {
                tracing::warn!("column {column:?} of a table: {e}");
                ColumnFormat::Text
            });
            self.formats.insert(column, format);
        }
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
    fn searches_ignoring_case_in_the_sorted_order() {
        let mut t = Table::new(["n", "city"])
            .with_rows([
                vec![json!(1), json!("Berlin")],
                vec![json!(2), json!("Espoo")],
                vec![json!(3), json!("BERN")],
                vec![json!(12), json!("Zürich")],
            ])
            .searchable(true)
            .rows(1);
        t.sort("n", true);
        t.apply_json(r#"{"search": "ber"}"#).unwrap();
        let shown: Vec<_> = t.visible().iter().map(|&i| t.rows[i][0].clone()).collect();
        assert_eq!(shown, [json!(3), json!(1)]);
        assert_eq!((t.pages(), t.len()), (2, 4));
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!((v["total"].clone(), v["all"].clone()), (json!(2), json!(4)));
        // Numbers match by their text; non-ASCII ignores case too.
        t.search("2");
        assert_eq!(t.shown(), 2);
        t.search("ZÜR");
        assert_eq!(t.shown(), 1);
        // A new row lands in the search's place, sorted.
        t.search("ber");
        t.push_row(vec![json!(7), json!("Bergen")]);
        t.push_row(vec![json!(8), json!("Oslo")]);
        let shown: Vec<_> = t.visible().iter().map(|&i| t.rows[i][0].clone()).collect();
        assert_eq!(shown, [json!(7), json!(3), json!(1)]);
        // The page is checked against the rows the new search shows, and a refused input
        // changes nothing.
        assert!(t.apply_json(r#"{"search": "oslo", "page": 1}"#).is_err());
        assert_eq!(t.search_text(), "ber");
        t.apply_json(r#"{"search": ""}"#).unwrap();
        assert_eq!(t.shown(), 6);
        let long = format!(r#"{{"search": "{}"}}"#, "x".repeat(MAX_SEARCH + 1));
        assert!(t.apply_json(&long).is_err());
        // A table without a search box takes no search.
        let mut plain = Table::new(["n"]);
        assert!(plain.apply_json(r#"{"search": "x"}"#).is_err());
    }

    #[test]
    fn selects_rows_by_their_key() {
        let rows = |ids: &[i64]| {
            ids.iter()
                .map(|&i| vec![json!(format!("row {i}")), json!(i)])
                .collect::<Vec<_>>()
        };
        let mut t = Table::new(["name", "id"])
            .key("id")
            .select("many")
            .with_rows(rows(&[1, 2, 3, 4]));
        t.apply_json(r#"{"selected": [3, 1]}"#).unwrap();
        assert_eq!(t.selected(), [json!(3), json!(1)]);
        let picked: Vec<_> = t.selected_rows().map(|r| r[1].clone()).collect();
        assert_eq!(picked, [json!(1), json!(3)]);
        // Keys no row has, and repeated keys, are refused; so is more than one for "one".
        assert!(t.apply_json(r#"{"selected": [9]}"#).is_err());
        assert!(t.apply_json(r#"{"selected": [1, 1]}"#).is_err());
        assert!(t.apply_json(r#"{"selected": ["3"]}"#).is_err());
        assert_eq!(t.selected(), [json!(3), json!(1)]);
        // New rows keep the selection of the keys still there.
        t.set_rows(rows(&[2, 3, 4]));
        assert_eq!(t.selected(), [json!(3)]);
        t.clear_selection();
        assert!(t.selected().is_empty());
        t.set_selected([json!(4), json!(40)]);
        assert_eq!(t.selected(), [json!(4)]);

        // A key written `1.0` is the browser's `1`.
        let mut floats = Table::new(["id"])
            .select("many")
            .with_rows([vec![json!(1.0)], vec![json!(2.5)]]);
        floats.apply_json(r#"{"selected": [1, 2.5]}"#).unwrap();
        assert_eq!(floats.selected(), [json!(1.0), json!(2.5)]);

        // A failed handler that removed rows: the rollback keeps the selection of the keys
        // still there, and a page that exists.
        let mut t = Table::new(["id"])
            .select("many")
            .rows(1)
            .with_rows((1..=4).map(|i| vec![json!(i)]));
        t.apply_json(r#"{"selected": [2, 4], "page": 3}"#).unwrap();
        let mut sent = Vec::new();
        t.write_state(&mut sent).unwrap();
        t.retain_rows(|r| r[0] != json!(4));
        DynWidget::restore(&mut t, &sent).unwrap();
        assert_eq!((t.selected(), t.page), (&[json!(2)][..], 2));

        let mut one = Table::new(["id"]).select("one").with_rows(rows(&[1, 2]));
        assert!(
            one.apply_json(r#"{"selected": ["row 1", "row 2"]}"#)
                .is_err()
        );
        one.apply_json(r#"{"selected": ["row 2"]}"#).unwrap();
        assert_eq!(one.selected(), [json!("row 2")]);
        let mut none = Table::new(["id"]).with_rows(rows(&[1]));
        assert!(none.apply_json(r#"{"selected": []}"#).is_err());
        assert_eq!(Table::new(["id"]).select("some").select, Selection::None);
    }

    #[test]
    fn formats_parse_and_travel_as_text() {
        for text in [
            "text",
            "number",
            "number:2",
            "currency:EUR",
            "percent:1",
            "date",
            "datetime",
        ] {
            assert_eq!(ColumnFormat::parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "currency",
            "currency:eur",
            "number:x",
            "number:21",
            "date:1",
            "money",
        ] {
            assert!(ColumnFormat::parse(bad).is_err(), "{bad}");
        }
        let t = Table::new(["amount", "when"]).formats([
            ("amount", "currency:EUR"),
            ("when", "date"),
            ("x", "nope"),
        ]);
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(
            v["formats"],
            json!({"amount": "currency:EUR", "when": "date", "x": "text"})
        );
        let back: Table = serde_json::from_value(v).unwrap();
        assert_eq!(back.formats, t.formats);
    }

    #[test]
    fn restore_brings_back_search_and_selection() {
        let mut t = table().searchable(true).select("many");
        t.apply_json(r#"{"search": "row 1", "selected": [3]}"#)
            .unwrap();
        let mut snap = Vec::new();
        t.write_state(&mut snap).unwrap();
        t.apply_json(r#"{"search": "", "selected": []}"#).unwrap();
        DynWidget::restore(&mut t, &snap).unwrap();
        assert_eq!((t.search_text(), t.shown()), ("row 1", 10));
        assert_eq!(t.selected(), [json!(3)]);
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
