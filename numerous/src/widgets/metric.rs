//! Metric: a read-only value to show (a count, a price, a status), with its change.

use serde::{Deserialize, Serialize};

use crate::attrs::Unit;
use crate::widget::{InputError, NoInput, Widget};

impl_label!(Metric);
impl_value!(Metric => MetricValue);

/// A value shown large under its label, with a unit and how it changed (like Streamlit's
/// `metric`). Read-only: for a count, a total, a price, a status.
///
/// Attributes: `label`, `value`, `unit`.
///
/// ```
/// # use numerous::prelude::*;
/// let mut users = Metric::default().label("Users").value(1200).unit("people");
/// users.delta = Some(35.0); // shown as ▲ 35, in green
/// users.value = "n/a".into(); // text works too
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metric {
    /// The text above the value.
    pub label: String,
    /// A number or a text.
    pub value: MetricValue,
    /// Shown after the value.
    pub unit: String,
    /// The change since before, shown with an arrow; `None` shows none.
    pub delta: Option<f64>,
    /// A decrease is good news (costs, errors, latency): down is green, up is red.
    pub lower_is_better: bool,
}

/// What a [`Metric`] shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetricValue {
    /// Formatted for the reader's locale.
    Number(f64),
    /// Shown as it is.
    Text(String),
}

impl MetricValue {
    /// The number shown, if it is one.
    ///
    /// ```
    /// # use numerous::widgets::MetricValue;
    /// assert_eq!(MetricValue::from(3).as_f64(), Some(3.0));
    /// assert_eq!(MetricValue::from("n/a").as_f64(), None);
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetricValue::Number(n) => Some(*n),
            MetricValue::Text(_) => None,
        }
    }
}

impl Default for MetricValue {
    fn default() -> Self {
        MetricValue::Number(0.0)
    }
}

macro_rules! number_into_metric {
    ($($t:ty),*) => {$(
        impl From<$t> for MetricValue {
            fn from(v: $t) -> Self {
                MetricValue::Number(f64::from(v))
            }
        }
    )*};
}
number_into_metric!(f64, f32, i32, u32, i16, u16, i8, u8);

impl From<usize> for MetricValue {
    fn from(v: usize) -> Self {
        MetricValue::Number(v as f64)
    }
}

impl From<i64> for MetricValue {
    fn from(v: i64) -> Self {
        MetricValue::Number(v as f64)
    }
}

impl From<u64> for MetricValue {
    fn from(v: u64) -> Self {
        MetricValue::Number(v as f64)
    }
}

impl From<&str> for MetricValue {
    fn from(v: &str) -> Self {
        MetricValue::Text(v.to_owned())
    }
}

impl From<String> for MetricValue {
    fn from(v: String) -> Self {
        MetricValue::Text(v)
    }
}

impl Unit for Metric {
    fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }
}

impl Widget for Metric {
    const KIND: &'static str = "metric";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Label, Value};

    #[test]
    fn numbers_and_text() {
        let m = Metric::default().label("Users").value(1200).unit("people");
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"label":"Users","value":1200.0,"unit":"people","delta":null,"lower_is_better":false}"#
        );
        let t = Metric::default().value("ok");
        assert_eq!(t.value, MetricValue::Text("ok".into()));
        let back: Metric = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }
}
