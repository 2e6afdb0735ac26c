//! More input widgets: TextArea, RangeSlider, Toggle, MultiSelect, RadioGroup, DatePicker.

use serde::{Deserialize, Serialize};

use super::{check_choice, check_range, set_choices};
use crate::attrs::{OptionList, Placeholder, Rows};
use crate::widget::{EmitsChange, InputError, ValueInput, Widget};

impl_label!(
    TextArea,
    RangeSlider,
    Toggle,
    MultiSelect,
    RadioGroup,
    DatePicker
);

impl_value!(TextArea => String, RangeSlider => [f64; 2], Toggle => bool, MultiSelect => Vec<String>,
    RadioGroup => String, DatePicker => String);
impl EmitsChange for TextArea {}
impl EmitsChange for RangeSlider {}
impl EmitsChange for Toggle {}
impl EmitsChange for MultiSelect {}
impl EmitsChange for RadioGroup {}
impl EmitsChange for DatePicker {}

/// Several lines of text. Emits [`crate::Event::Change`] (sent as the user types, at most every
/// 150 ms).
///
/// Attributes: `label`, `value`, `placeholder`, `rows`.
///
/// ```
/// # use numerous::prelude::*;
/// let notes = TextArea::default().label("Notes").rows(6);
/// assert_eq!(notes.rows, 6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextArea {
    /// The text shown above the input.
    pub label: String,
    /// The text.
    pub value: String,
    /// The hint shown while the input is empty.
    pub placeholder: String,
    /// Visible lines.
    pub rows: usize,
}

impl Default for TextArea {
    fn default() -> Self {
        TextArea {
            label: String::new(),
            value: String::new(),
            placeholder: String::new(),
            rows: 4,
        }
    }
}

impl Widget for TextArea {
    const KIND: &'static str = "text-area";
    type Input = ValueInput<String>;
    const DEBOUNCE_MS: u32 = 150;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = input.value;
        Ok(())
    }
}

impl Placeholder for TextArea {
    fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = placeholder.into();
        self
    }
}

impl Rows for TextArea {
    fn rows(mut self, rows: usize) -> Self {
        self.rows = rows;
        self
    }
}

/// A slider with two handles selecting a range `[low, high]`. Emits [`crate::Event::Change`].
///
/// Attributes: `label`, `value`, `min`, `max`, `step`.
///
/// ```
/// # use numerous::prelude::*;
/// let years = RangeSlider::default().min(1990).max(2030).value([2000.0, 2020.0]);
/// assert_eq!(years.value, [2000.0, 2020.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RangeSlider {
    /// The text shown with the slider.
    pub label: String,
    /// `[low, high]`, with `low <= high`.
    pub value: [f64; 2],
    /// The left end.
    pub min: f64,
    /// The right end.
    pub max: f64,
    /// The distance between two positions.
    pub step: f64,
}

impl Default for RangeSlider {
    fn default() -> Self {
        RangeSlider {
            label: String::new(),
            value: [0.0, 100.0],
            min: 0.0,
            max: 100.0,
            step: 1.0,
        }
    }
}

impl Widget for RangeSlider {
    const KIND: &'static str = "range-slider";
    type Input = ValueInput<[f64; 2]>;
    const DEBOUNCE_MS: u32 = 50;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        let [low, high] = input.value;
        let low = check_range(low, Some(self.min), Some(self.max))?;
        let high = check_range(high, Some(self.min), Some(self.max))?;
        if low > high {
            return Err(InputError::Rejected(format!(
                "the range is reversed: {low} > {high}"
            )));
        }
        self.value = [low, high];
        Ok(())
    }
}

impl_bounds!(RangeSlider);

/// An on/off switch. Emits [`crate::Event::Change`].
///
/// Attributes: `label`, `value`.
///
/// ```
/// # use numerous::prelude::*;
/// let dark = Toggle::default().label("Dark mode").value(true);
/// assert!(dark.value);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Toggle {
    /// The text shown next to the switch.
    pub label: String,
    /// Whether it is on.
    pub value: bool,
}

impl Widget for Toggle {
    const KIND: &'static str = "toggle";
    type Input = ValueInput<bool>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = input.value;
        Ok(())
    }
}

/// A drop-down of several choices among `options`. Emits [`crate::Event::Change`].
///
/// Attributes: `label`, `options`, `value`.
///
/// ```
/// # use numerous::prelude::*;
/// let tags = MultiSelect::default().options(["a", "b", "c"]).value(vec!["b".to_string()]);
/// assert_eq!(tags.value, ["b"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MultiSelect {
    /// The text shown next to the selection.
    pub label: String,
    /// The choices.
    pub options: Vec<String>,
    /// The selected choices, in the order of `options`.
    pub value: Vec<String>,
}

impl Widget for MultiSelect {
    const KIND: &'static str = "multi-select";
    type Input = ValueInput<Vec<String>>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        let mut chosen = Vec::with_capacity(input.value.len());
        for v in input.value {
            chosen.push(check_choice(v, &self.options, "options")?);
        }
        self.value = self
            .options
            .iter()
            .filter(|o| chosen.contains(o))
            .cloned()
            .collect();
        Ok(())
    }
}

impl OptionList for MultiSelect {
    fn options(mut self, options: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.options = options.into_iter().map(Into::into).collect();
        let options = &self.options;
        self.value.retain(|v| options.contains(v));
        self
    }
}

/// One of `options`, shown as radio buttons. Emits [`crate::Event::Change`].
///
/// Attributes: `label`, `options`, `value`.
///
/// ```
/// # use numerous::prelude::*;
/// let size = RadioGroup::default().label("Size").options(["Small", "Medium", "Large"]);
/// assert_eq!(size.value, "Small");
/// let size = size.value("Large");
/// assert_eq!(size.value, "Large");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RadioGroup {
    /// The text shown above the choices.
    pub label: String,
    /// The choices.
    pub options: Vec<String>,
    /// The selected choice.
    pub value: String,
}

impl Widget for RadioGroup {
    const KIND: &'static str = "radio-group";
    type Input = ValueInput<String>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = check_choice(input.value, &self.options, "options")?;
        Ok(())
    }
}

impl OptionList for RadioGroup {
    fn options(mut self, options: impl IntoIterator<Item = impl Into<String>>) -> Self {
        set_choices(&mut self.options, &mut self.value, options);
        self
    }
}

/// A date, as `YYYY-MM-DD` (empty for none). Emits [`crate::Event::Change`].
///
/// Attributes: `label`, `value`, and `min`/`max` through [`DatePicker::between`].
///
/// ```
/// # use numerous::prelude::*;
/// let day = DatePicker::default().value("2026-11-22").between("2026-01-01", "2026-12-31");
/// assert_eq!(day.value, "2026-11-22");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatePicker {
    /// The text shown next to the date.
    pub label: String,
    /// The date, `YYYY-MM-DD`, or empty.
    pub value: String,
    /// The earliest date allowed, or empty.
    pub min: String,
    /// The latest date allowed, or empty.
    pub max: String,
}

impl DatePicker {
    /// Limits the dates the browser may pick (`YYYY-MM-DD`, inclusive).
    pub fn between(mut self, min: impl Into<String>, max: impl Into<String>) -> Self {
        self.min = min.into();
        self.max = max.into();
        self
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

impl Widget for DatePicker {
    const KIND: &'static str = "date-picker";
    type Input = ValueInput<String>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        let v = input.value;
        if v.is_empty() {
            self.value = v;
            return Ok(());
        }
        if !is_date(&v) {
            return Err(InputError::Rejected(format!(
                "{v:?} is not a date written YYYY-MM-DD"
            )));
        }
        // ISO dates compare correctly as strings.
        if (!self.min.is_empty() && v < self.min) || (!self.max.is_empty() && v > self.max) {
            return Err(InputError::Rejected(format!(
                "{v} is outside {}..{}",
                self.min, self.max
            )));
        }
        self.value = v;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::DynWidget;

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-13-01"));
        assert!(!is_date("23-01-01"));
        let mut d = DatePicker::default().between("2026-01-01", "2026-12-31");
        assert!(d.apply_json(r#"{"value":"2027-01-01"}"#).is_err());
        assert!(d.apply_json(r#"{"value":"not a date"}"#).is_err());
        d.apply_json(r#"{"value":"2026-05-01"}"#).unwrap();
        assert_eq!(d.value, "2026-05-01");
    }

    #[test]
    fn ranges_stay_ordered_and_in_bounds() {
        let mut r = RangeSlider::default();
        assert!(r.apply_json(r#"{"value":[60, 40]}"#).is_err());
        assert!(r.apply_json(r#"{"value":[-1, 40]}"#).is_err());
        r.apply_json(r#"{"value":[10, 40]}"#).unwrap();
        assert_eq!(r.value, [10.0, 40.0]);
    }

    #[test]
    fn multi_select_takes_only_options() {
        let mut m = MultiSelect::default().options(["a", "b", "c"]);
        assert!(m.apply_json(r#"{"value":["a","z"]}"#).is_err());
        m.apply_json(r#"{"value":["c","a"]}"#).unwrap();
        assert_eq!(m.value, ["a", "c"]);
    }
}
