//! A chart of Rust data, drawn in the browser by uPlot (embedded, MIT): lines, areas, bars and
//! points over numbers, times or categories; a legend that hides a series; values under the
//! pointer; zoom by dragging over a time or number axis; stacking; points appended live,
//! sending only the new points; and, for screen readers, a name and the data as a table.

use serde::{Deserialize, Serialize};

use crate::widget::{InputError, NoInput, Widget};

impl_label!(Chart);

/// How a [`Chart`] draws its series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Points joined by lines.
    #[default]
    Line,
    /// Lines with the area under them filled.
    Area,
    /// Bars from zero (side by side, or stacked).
    Bar,
    /// Points.
    Scatter,
}

/// What a [`Chart`]'s x axis holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum XAxis {
    /// Numbers.
    #[default]
    Number,
    /// Unix times in seconds, shown as dates and times in the reader's time zone.
    Time,
    /// The chart's [`categories`](Chart::categories): x is a category's index.
    Category,
}

/// One named series of `(x, y)` points.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// The points, `[x, y]`, in the order of x; a y of `NaN` is no value (a gap), sent as `null`.
    #[serde(deserialize_with = "points_or_gaps")]
    pub points: Vec<[f64; 2]>,
}

/// Points whose `null`s (gaps, as `NaN` is sent) read back as `NaN`.
fn points_or_gaps<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<[f64; 2]>, D::Error> {
    let points: Vec<[Option<f64>; 2]> = Deserialize::deserialize(d)?;
    Ok(points
        .into_iter()
        .map(|[x, y]| [x.unwrap_or(f64::NAN), y.unwrap_or(f64::NAN)])
        .collect())
}

/// A chart: lines, areas, bars or points, over numbers, times or categories, drawn in the
/// browser by [uPlot](https://github.com/leeoniya/uPlot) (embedded in numerous, no network).
///
/// - The legend hides and shows a series (click or keyboard); the values under the pointer show
///   in it.
/// - Dragging over a number or time axis zooms in; a double click zooms out.
/// - [`Chart::stacked`] stacks bars and areas.
/// - [`Chart::push`] appends a point to every series and sends the browser only the new points
///   (a live chart); [`Chart::window`] keeps the last n.
/// - A screen reader reads the chart's name (its label, kind and series) and a table of its
///   data, which sighted users can open too ("Data").
///
/// Attributes: `label` (the title).
///
/// ```
/// # use numerous::prelude::*;
/// // A bar per category, two series side by side.
/// let spend = Chart::new(ChartKind::Bar)
///     .label("Spent per category")
///     .categories(["Food", "Travel", "Office"])
///     .values("2025", [120.0, 300.0, 45.0])
///     .values("2026", [140.0, 210.0, 60.0])
///     .y_label("EUR");
/// assert_eq!(spend.series_list()[1].points[2], [2.0, 60.0]);
///
/// // A live time series: one point a second, the last hour kept.
/// let mut load = Chart::new(ChartKind::Line).time().window(3600).series("cpu", []);
/// load.push(1_767_225_600.0, [0.42]);
/// assert_eq!(load.series_list()[0].points.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Chart {
    /// The title.
    pub label: String,
    /// Lines, areas, bars or points.
    pub kind: ChartKind,
    /// What x holds.
    pub x: XAxis,
    /// The category names, for [`XAxis::Category`].
    pub categories: Vec<String>,
    /// Whether bars and areas are stacked.
    pub stacked: bool,
    /// The most points each series keeps ([`Chart::push`] drops the oldest beyond).
    pub window: Option<usize>,
    /// The x axis' title.
    pub x_label: String,
    /// The y axis' title.
    pub y_label: String,
    series: Vec<Series>,
    /// Names the chart's data since its last change other than appended points, unique in the
    /// process (a chart made again in a handler never has the one it replaced): a patch of new
    /// points is sent only when this is what the browser has.
    revision: u64,
    /// Counts the points [`Chart::push`] appended.
    appended: u64,
}

/// A revision no chart of this process had before.
fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Chart {
    /// An empty chart of this kind.
    pub fn new(kind: ChartKind) -> Self {
        Chart {
            kind,
            revision: next_revision(),
            ..Chart::default()
        }
    }

    /// Adds a series of `[x, y]` points.
    pub fn series(
        mut self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = [f64; 2]>,
    ) -> Self {
        self.set_series(name, points);
        self
    }

    /// Adds a series of one value per category (x is the category's index).
    pub fn values(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = f64>,
    ) -> Self {
        self.set_values(name, values);
        self
    }

    /// Categories on the x axis: a bar (or point) per category, x being its index.
    pub fn categories(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.set_categories(names);
        self
    }

    /// Times on the x axis (Unix seconds), shown as dates in the reader's time zone.
    pub fn time(mut self) -> Self {
        self.x = XAxis::Time;
        self
    }

    /// Stacks bars and areas.
    pub fn stacked(mut self, stacked: bool) -> Self {
        self.stacked = stacked;
        self
    }

    /// Keeps the last `points` points of each series when [`Chart::push`] adds more.
    pub fn window(mut self, points: usize) -> Self {
        self.window = Some(points.max(1));
        self
    }

    /// The x axis' title.
    pub fn x_label(mut self, title: impl Into<String>) -> Self {
        self.x_label = title.into();
        self
    }

    /// The y axis' title.
    pub fn y_label(mut self, title: impl Into<String>) -> Self {
        self.y_label = title.into();
        self
    }

    /// The series, in the order added.
    pub fn series_list(&self) -> &[Series] {
        &self.series
    }

    /// Replaces the points of the series named `name`, or adds it.
    pub fn set_series(
        &mut self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = [f64; 2]>,
    ) {
        let name = name.into();
        let points = points.into_iter().collect();
        self.revision = next_revision();
        match self.series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points = points,
            None => self.series.push(Series { name, points }),
        }
    }

    /// Replaces the values of the series named `name` (one per category), or adds it.
    pub fn set_values(&mut self, name: impl Into<String>, values: impl IntoIterator<Item = f64>) {
        let points = values.into_iter().enumerate().map(|(i, y)| [i as f64, y]);
        self.set_series(name, points);
    }

    /// Replaces the categories (and makes the x axis one of categories).
    pub fn set_categories(&mut self, names: impl IntoIterator<Item = impl Into<String>>) {
        self.categories = names.into_iter().map(Into::into).collect();
        self.x = XAxis::Category;
        self.revision = next_revision();
    }

    /// Removes every series' points (the series stay, empty).
    pub fn clear(&mut self) {
        self.revision = next_revision();
        for s in &mut self.series {
            s.points.clear();
        }
    }

    /// Appends one point at `x` to every series, `ys` in the order of the series (a series
    /// without a value gets none); beyond the [`window`](Chart::window) the oldest go. The
    /// browser is sent only the new points.
    pub fn push(&mut self, x: f64, ys: impl IntoIterator<Item = f64>) {
        let mut ys = ys.into_iter();
        for s in &mut self.series {
            let y = ys.next().unwrap_or(f64::NAN);
            s.points.push([x, y]);
            if let Some(w) = self.window
                && s.points.len() > w
            {
                let extra = s.points.len() - w;
                s.points.drain(..extra);
            }
        }
        self.appended += 1;
    }

    /// The state up to the value of `appended`: what a patch must find unchanged.
    fn head(&self, out: &mut Vec<u8>) {
        #[derive(Serialize)]
        struct Head<'a> {
            revision: u64,
            label: &'a str,
            kind: ChartKind,
            x: XAxis,
            categories: &'a [String],
            stacked: bool,
            window: Option<usize>,
            x_label: &'a str,
            y_label: &'a str,
            names: Vec<&'a str>,
        }
        let head = Head {
            revision: self.revision,
            label: &self.label,
            kind: self.kind,
            x: self.x,
            categories: &self.categories,
            stacked: self.stacked,
            window: self.window,
            x_label: &self.x_label,
            y_label: &self.y_label,
            names: self.series.iter().map(|s| s.name.as_str()).collect(),
        };
        // A struct of strings, numbers and enums always serializes.
        let _ = serde_json::to_writer(&mut *out, &head);
        out.pop(); // its `}`
        out.extend_from_slice(b",\"appended\":");
    }
}

impl Serialize for Chart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(256);
        self.write_json(&mut out)
            .map_err(serde::ser::Error::custom)?;
        let raw: &serde_json::value::RawValue =
            serde_json::from_slice(&out).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl Widget for Chart {
    const KIND: &'static str = "chart";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        self.head(out);
        out.extend_from_slice(self.appended.to_string().as_bytes());
        out.extend_from_slice(b",\"series\":");
        serde_json::to_writer(&mut *out, &self.series)?;
        out.push(b'}');
        Ok(())
    }

    /// Only the points [`Chart::push`] appended since `previous`, when nothing else changed.
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        let start = out.len();
        self.head(out);
        let before = crate::widget::count_after_head(previous, &out[start..]);
        out.truncate(start);
        let Some(before) = before else {
            return false;
        };
        let added = self.appended.saturating_sub(before) as usize;
        if added == 0 || self.series.iter().any(|s| s.points.len() < added) {
            return false;
        }
        out.extend_from_slice(b"{\"$append\":{");
        for (i, s) in self.series.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(format!("\"series.{i}.points\":").as_bytes());
            let _ = serde_json::to_writer(&mut *out, &s.points[s.points.len() - added..]);
        }
        out.push(b'}');
        if let Some(w) = self.window {
            out.extend_from_slice(b",\"$keep\":{");
            for i in 0..self.series.len() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(format!("\"series.{i}.points\":{w}").as_bytes());
            }
            out.push(b'}');
        }
        out.extend_from_slice(b",\"appended\":");
        out.extend_from_slice(self.appended.to_string().as_bytes());
        out.push(b'}');
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::DynWidget;
    use serde_json::{Value, json};

    fn state(c: &Chart) -> Vec<u8> {
        let mut out = Vec::new();
        c.write_state(&mut out).unwrap();
        out
    }

    #[test]
    fn categories_are_indices_with_names() {
        let c = Chart::new(ChartKind::Bar)
            .categories(["Food", "Travel"])
            .values("2026", [12.0, 30.0])
            .stacked(true);
        let v: Value = serde_json::from_slice(&state(&c)).unwrap();
        assert_eq!(v["x"], "category");
        assert_eq!(v["categories"], json!(["Food", "Travel"]));
        assert_eq!(v["series"][0]["points"], json!([[0.0, 12.0], [1.0, 30.0]]));
        assert_eq!(v["stacked"], true);
    }

    #[test]
    fn pushed_points_travel_alone_and_the_window_keeps_the_last() {
        let mut c = Chart::new(ChartKind::Line)
            .time()
            .window(3)
            .series("a", [])
            .series("b", []);
        for t in 0..3 {
            c.push(f64::from(t), [1.0, 2.0]);
        }
        let before = state(&c);
        c.push(3.0, [5.0, 6.0]);
        c.push(4.0, [7.0]);
        let mut patch = Vec::new();
        assert!(Widget::write_patch(&c, &before, &mut patch));
        let p: Value = serde_json::from_slice(&patch).unwrap();
        assert_eq!(
            p["$append"]["series.0.points"],
            json!([[3.0, 5.0], [4.0, 7.0]])
        );
        // A missing value is no value (NaN travels as null).
        assert_eq!(
            p["$append"]["series.1.points"],
            json!([[3.0, 6.0], [4.0, null]])
        );
        assert_eq!(p["$keep"]["series.0.points"], 3);
        assert_eq!(p["appended"], 5);
        assert_eq!(c.series_list()[0].points.len(), 3);
        assert_eq!(c.series_list()[0].points[0], [2.0, 1.0]);

        // A chart made again and pushed to in one handler sends its whole state, even when it
        // counts as many changes as the one it replaced.
        let make = || {
            Chart::new(ChartKind::Line)
                .series("a", [[0.0, 1.0]])
                .series("b", [[0.0, 1.0]])
        };
        let mut c = make();
        let before = state(&c);
        c = make();
        c.push(1.0, [2.0, 2.0]);
        assert!(!Widget::write_patch(&c, &before, &mut Vec::new()));

        // Any other change sends the whole state.
        let before = state(&c);
        c.set_series("a", [[0.0, 0.0]]);
        c.push(5.0, [1.0, 1.0]);
        assert!(!Widget::write_patch(&c, &before, &mut Vec::new()));
        let before = state(&c);
        c.label = "load".into();
        c.push(6.0, [1.0, 1.0]);
        assert!(!Widget::write_patch(&c, &before, &mut Vec::new()));
    }

    #[test]
    fn restores_what_it_sent() {
        let mut c = Chart::new(ChartKind::Area)
            .series("s", [[1.0, 2.0]])
            .x_label("t");
        c.push(2.0, [3.0]);
        let sent = state(&c);
        let mut back = Chart::default();
        DynWidget::restore(&mut back, &sent).unwrap();
        assert_eq!(state(&back), sent);
        // A gap (NaN, sent as null) comes back as a gap.
        c.push(3.0, []);
        DynWidget::restore(&mut back, &state(&c)).unwrap();
        assert!(back.series_list()[0].points[2][1].is_nan());
    }
}
