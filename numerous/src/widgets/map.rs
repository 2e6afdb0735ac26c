//! MapPicker: a point or a region picked on a map drawn by Leaflet, with tiles from a URL the
//! app configures.

use serde::{Deserialize, Serialize};

use crate::widget::{EmitsChange, InputError, Widget};

impl_label!(MapPicker);

/// What a [`MapPicker`] picks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PickMode {
    /// One point: a click (or the keyboard) puts it where the user wants.
    #[default]
    Point,
    /// A rectangle: a drag draws it, or the area in view becomes it.
    Region,
}

/// A point or a region picked on a map, drawn in the browser by
/// [Leaflet](https://leafletjs.com) (embedded in numerous, BSD-2-Clause; no network of its
/// own). The map's tiles come from `tiles`, a URL template the app chooses
/// (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`, with its `attribution`, and mind the tile
/// server's usage policy); without one the map shows a grid of latitudes and longitudes.
/// Emits [`crate::Event::Change`] when the user picks.
///
/// Pointer and keyboard alike: a click on the map puts the point there (a drag draws the region
/// in `region` mode); the arrow keys move the map and `+`/`-` zoom; the latitude and longitude
/// boxes under the map take a point typed in, and "Use the area in view" makes the region. A
/// handler reads [`MapPicker::point`] or [`MapPicker::region`] and may set them (and `center`
/// and `zoom`) itself.
///
/// ```
/// # use numerous::prelude::*;
/// let office = MapPicker::default()
///     .label("Where is the office?")
///     .centered(55.68, 12.57, 11)
///     .tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors");
/// assert_eq!(office.point, None);
/// let area = MapPicker::default().label("Delivery area").region_mode();
/// assert_eq!(area.mode, numerous::widgets::PickMode::Region);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MapPicker {
    /// The text shown above the map (and its name for screen readers).
    pub label: String,
    /// The tiles' URL template (`{z}`, `{x}`, `{y}`, optionally `{s}`); empty for none.
    pub tiles: String,
    /// The tiles' attribution, shown in a corner of the map (as text: `©` and names, no links).
    pub attribution: String,
    /// The map's centre, `[latitude, longitude]`, until the user moves it.
    pub center: [f64; 2],
    /// The zoom level, 0 (the world) to 19.
    pub zoom: u8,
    /// A point or a region.
    pub mode: PickMode,
    /// The point picked, `[latitude, longitude]`.
    pub point: Option<[f64; 2]>,
    /// The region picked: its south-west and north-east corners.
    pub region: Option<[[f64; 2]; 2]>,
}

impl Default for MapPicker {
    fn default() -> Self {
        MapPicker {
            label: String::new(),
            tiles: String::new(),
            attribution: String::new(),
            center: [20.0, 0.0],
            zoom: 2,
            mode: PickMode::Point,
            point: None,
            region: None,
        }
    }
}

impl MapPicker {
    /// Shows `[latitude, longitude]` at `zoom` to begin with.
    pub fn centered(mut self, latitude: f64, longitude: f64, zoom: u8) -> Self {
        self.center = [latitude, longitude];
        self.zoom = zoom.min(19);
        self
    }

    /// Draws the map with these tiles and their attribution.
    pub fn tiles(mut self, url: impl Into<String>, attribution: impl Into<String>) -> Self {
        self.tiles = url.into();
        self.attribution = attribution.into();
        self
    }

    /// Picks a region instead of a point.
    pub fn region_mode(mut self) -> Self {
        self.mode = PickMode::Region;
        self
    }
}

/// What the browser may change: the point or the region picked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapInput {
    /// The point, or `null` to take it away.
    #[serde(default, deserialize_with = "some")]
    pub point: Option<Option<[f64; 2]>>,
    /// The region, or `null` to take it away.
    #[serde(default, deserialize_with = "some")]
    pub region: Option<Option<[[f64; 2]; 2]>>,
}

/// A field that is there (even as `null`) is `Some`.
fn some<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `[latitude, longitude]` on the earth, or why not.
fn check_point([lat, lon]: [f64; 2]) -> Result<(), InputError> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(InputError::Rejected(format!(
            "[{lat}, {lon}] is not on the map: a latitude is from -90 to 90, a longitude from -180 to 180"
        )));
    }
    Ok(())
}

impl Widget for MapPicker {
    const KIND: &'static str = "map-picker";
    type Input = MapInput;

    fn apply(&mut self, input: MapInput) -> Result<(), InputError> {
        if let Some(Some(p)) = input.point {
            check_point(p)?;
        }
        if let Some(Some([sw, ne])) = input.region {
            check_point(sw)?;
            check_point(ne)?;
            if sw[0] > ne[0] || sw[1] > ne[1] {
                return Err(InputError::Rejected(
                    "a region is its south-west corner, then its north-east one".into(),
                ));
            }
        }
        if input.point.is_some_and(|p| p.is_some()) && self.mode != PickMode::Point {
            return Err(InputError::Rejected("this map picks a region".into()));
        }
        if input.region.is_some_and(|r| r.is_some()) && self.mode != PickMode::Region {
            return Err(InputError::Rejected("this map picks a point".into()));
        }
        if let Some(p) = input.point {
            self.point = p;
        }
        if let Some(r) = input.region {
            self.region = r;
        }
        Ok(())
    }
}
impl EmitsChange for MapPicker {}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> MapInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_point_or_region_on_the_earth_is_taken_and_nothing_else() {
        let mut m = MapPicker::default();
        m.apply(input(r#"{"point": [55.7, 12.6]}"#)).unwrap();
        assert_eq!(m.point, Some([55.7, 12.6]));
        assert!(m.apply(input(r#"{"point": [95, 0]}"#)).is_err());
        assert!(m.apply(input(r#"{"point": [0, 181]}"#)).is_err());
        assert!(
            m.apply(input(r#"{"region": [[0, 0], [1, 1]]}"#)).is_err(),
            "a point map"
        );
        assert_eq!(m.point, Some([55.7, 12.6]), "refused input changes nothing");
        m.apply(input(r#"{"point": null}"#)).unwrap();
        assert_eq!(m.point, None);
        assert!(serde_json::from_str::<MapInput>(r#"{"zoom": 3}"#).is_err());

        let mut r = MapPicker::default().region_mode();
        r.apply(input(r#"{"region": [[55, 12], [56, 13]]}"#))
            .unwrap();
        assert_eq!(r.region, Some([[55.0, 12.0], [56.0, 13.0]]));
        assert!(
            r.apply(input(r#"{"region": [[56, 12], [55, 13]]}"#))
                .is_err()
        );
        assert!(r.apply(input(r#"{"point": [1, 1]}"#)).is_err());
    }
}
