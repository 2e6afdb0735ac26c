//! A gallery of every built-in widget, each wired to a handler that shows it works: the log
//! at the top says what the last event did.
//!
//! Run with: `cargo run -p example-widgets` and open <http://127.0.0.1:8000>.

use std::collections::HashSet;

use numerous::ToastLevel;
use numerous::prelude::*;
use numerous::widgets::MetricValue;
use serde_json::json;

const LOGO: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#6366f1"/><path d="M18 46V18h6l16 19V18h6v28h-6L24 27v19z" fill="#fff"/></svg>"##;

fn table() -> Table {
    let cities = [
        "Aarhus", "Berlin", "Cairo", "Delhi", "Espoo", "Fukuoka", "Graz", "Hanoi",
    ];
    Table::new(["id", "city", "measured", "temperature", "visitors"])
        .label("Measurements (5,000 rows, sorted, searched and paged on the server)")
        .rows(10)
        .with_rows((0..5000u32).map(|i| {
            vec![
                json!(i),
                json!(cities[(i as usize * 7) % cities.len()]),
                // One a day from 2026-01-01 (Unix time, shown as a date in the reader's locale).
                json!(1_767_225_600 + i64::from(i) * 86_400),
                json!((f64::from((i * 37) % 400) - 50.0) / 10.0),
                json!((i * 7919) % 10_000),
            ]
        }))
}

fn chart(scale: f64) -> Chart {
    Chart::new(ChartKind::Line)
        .label("Growth")
        .x_label("month")
        .y_label("units")
        .series(
            "scaled",
            (0..12).map(|m| [f64::from(m), scale * f64::from(m * m) / 10.0]),
        )
        .series(
            "linear",
            (0..12).map(|m| [f64::from(m), f64::from(m) * 2.0]),
        )
}

/// A bar per category, the two years stacked.
fn spending() -> Chart {
    Chart::new(ChartKind::Bar)
        .label("Spent per category")
        .categories(["Food", "Travel", "Office", "Training"])
        .values("2025", [120.0, 300.0, 45.0, 80.0])
        .values("2026", [140.0, 210.0, 60.0, 150.0])
        .stacked(true)
        .y_label("EUR")
}

/// What "Order" submits: the Choices tab read at once, each field checked, each refused one
/// with its message under its widget.
#[derive(Debug, numerous::Form)]
pub struct Order {
    /// A `String` from a drop-down with a placeholder: refused while nothing is chosen.
    pub colour: String,
    #[form(min_len = 1, max_len = 3, message = "Pick one to three toppings.")]
    pub toppings: Vec<String>,
    pub size: String,
}

/// Every built-in widget.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Gallery {
    #[widget(tabs = ["Inputs", "Choices", "Display", "Data", "Files"])]
    tabs: Tabs,
    #[widget(content = "Use any widget: this log says what its handler saw.")]
    log: Markdown,
    /// How many events the handlers saw: a read-only value with its change.
    #[widget(label = "Events handled", value = 0)]
    events: Metric,
    /// Everything the log said, newest first: a `Feed` sends each new line alone.
    #[widget(label = "History", init = Feed::default().cap(20).markdown(true).newest_first(true))]
    history: Feed,
    #[widget(label = "Notify me", variant = "secondary")]
    notify: Button,
    #[widget(label = "Reset", variant = "danger")]
    reset: Button,

    #[widget(label = "Weight", unit = "kg", min = 0, max = 500, step = 0.5)]
    number: Number,
    #[widget(label = "Name", placeholder = "Ada Lovelace")]
    text: TextInput,
    #[widget(label = "Notes", rows = 3, placeholder = "Several lines…")]
    area: TextArea,
    #[widget(label = "Volume")]
    slider: Slider,
    #[widget(label = "Price range", min = 0, max = 1000, step = 10, value = [100.0, 600.0])]
    range: RangeSlider,
    #[widget(label = "Day", value = "2026-11-22")]
    date: DatePicker,
    #[widget(label = "I agree")]
    checkbox: Checkbox,
    #[widget(label = "Dark mode")]
    toggle: Toggle,

    #[widget(label = "Colour", placeholder = "Pick a colour", options = ["Red", "Green", "Blue"])]
    dropdown: DropDown,
    #[widget(label = "Toppings", options = ["Cheese", "Olives", "Basil", "Chili"])]
    multi: MultiSelect,
    #[widget(label = "Size", options = ["Small", "Medium", "Large"])]
    radio: RadioGroup,
    /// Reads the three choices above at once ([`Order`]).
    #[widget(label = "Order")]
    order: Button,
    /// A point on a map (no tiles here: the gallery runs without a network, so the map shows
    /// its grid; an app gives a tile URL with `MapPicker::tiles`).
    #[widget(label = "Where are you?", init = MapPicker::default().centered(48.0, 10.0, 3))]
    place: MapPicker,
    /// A region: a drag draws it.
    #[widget(label = "Delivery area", init = MapPicker::default().centered(48.0, 10.0, 3).region_mode())]
    zone: MapPicker,

    #[widget(
        content = "**Markdown**, rendered on the server: `code`, [links](https://example.org), lists:\n\n- one\n- two"
    )]
    markdown: Markdown,
    #[widget(content = "<b>Escaped</b>: this HTML came from a user, so it shows as text.")]
    html: Html,
    #[widget(init = Image::from_bytes("image/svg+xml", LOGO).label("An image from bytes"))]
    image: Image,
    #[widget(label = "Volume, as progress")]
    progress: ProgressBar,
    #[widget(init = chart(1.0))]
    chart: Chart,
    #[widget(init = spending())]
    spending: Chart,
    #[widget(label = "Add a month", variant = "secondary")]
    grow: Button,
    /// The growth chart's scale (the weight's tenth once it is set).
    #[state]
    scale: Option<f64>,
    #[widget(init = Accordion::new(["What is this?", "More"]).opened("What is this?"))]
    accordion: Accordion,
    /// A conversation with the gallery: what you send, and its answer.
    #[widget(
        label = "Talk to the gallery",
        placeholder = "Write a message (Enter sends, Shift+Enter a new line)",
        init = Chat::default().me("you").empty("No messages yet: say hello.")
    )]
    talk: Chat,

    #[widget(
        init = table(),
        key = "id",
        select = "many",
        searchable = true,
        formats = [("measured", "date"), ("temperature", "number:1"), ("visitors", "number")]
    )]
    table: Table,
    #[widget(label = "Remove the selected rows", variant = "danger")]
    remove: Button,
    /// Asks before the rows go: a dialog holding template markup and two buttons.
    #[widget(label = "Remove the selected rows?")]
    confirm: Modal,
    #[widget(content = "The selected rows will be removed from the table.")]
    confirm_text: Markdown,
    #[widget(label = "Remove them", variant = "danger")]
    confirm_remove: Button,
    #[widget(label = "Keep them", variant = "secondary")]
    keep: Button,

    #[widget(
        label = "Upload small text files (at most 2 KB each)",
        accept = ".txt,.csv,text/plain",
        max_bytes = 2048,
        multiple = true
    )]
    upload: FileUpload,
    #[widget(label = "Download the table as CSV")]
    download: Download,
}

impl Gallery {
    fn say(&mut self, what: String) {
        let n = match self.events.value {
            MetricValue::Number(n) => n,
            MetricValue::Text(_) => 0.0,
        };
        self.events.value = (n + 1.0).into();
        self.events.delta = Some(1.0);
        self.history.push(what.clone());
        self.log.content = what;
    }
}

#[numerous::handlers]
impl Gallery {
    #[on_click(notify)]
    fn notify(&mut self, ctx: &Session) {
        ctx.toast_level(ToastLevel::Success, "Hello from a handler");
        self.say("**Notify me** clicked: a toast was sent.".into());
    }

    #[on_click(reset)]
    fn reset(&mut self) {
        self.number.value = 0.0;
        self.slider.value = 0.0;
        self.progress.value = 0.0;
        self.chart = chart(1.0);
        self.scale = None;
        self.say("Everything was reset.".into());
    }

    /// A point appended to each series: the browser is sent the new points alone.
    #[on_click(grow)]
    fn grow(&mut self) {
        let month = self.chart.series_list()[0].points.len() as f64;
        let scale = self.scale.unwrap_or(1.0);
        self.chart
            .push(month, [scale * month * month / 10.0, month * 2.0]);
        self.say(format!("Month **{month}** added to the chart."));
    }

    #[on_change(number)]
    fn number(&mut self) {
        let scale = self.number.value.max(1.0) / 10.0;
        self.scale = Some(scale);
        self.chart = chart(scale);
        self.say(format!(
            "Weight is **{} kg**; the chart scales with it.",
            self.number.value
        ));
    }

    /// A message under the field, without failing the handler: it goes when the value changes.
    #[on_change(text)]
    fn text(&mut self, ctx: &Session) {
        if self.text.value.chars().any(|c| c.is_ascii_digit()) {
            ctx.field_error(self, &self.text, "A name has no digits.");
            return;
        }
        self.say(format!("Hello, **{}**!", self.text.value));
    }

    #[on_change(area)]
    fn area(&mut self) {
        let lines = self.area.value.lines().count();
        self.say(format!("The notes have {lines} line(s)."));
    }

    #[on_change(slider)]
    fn slider(&mut self) {
        self.progress.value = self.slider.value / 100.0;
        self.say(format!(
            "Volume **{}**, shown by the progress bar.",
            self.slider.value
        ));
    }

    #[on_change(range)]
    fn range(&mut self) {
        let [lo, hi] = self.range.value;
        self.say(format!("Price range **{lo} – {hi}**."));
    }

    #[on_change(date)]
    fn date(&mut self) {
        self.say(format!("Day: **{}**.", self.date.value));
    }

    #[on_change(checkbox)]
    fn checkbox(&mut self) {
        self.say(format!("Agreed: **{}**.", self.checkbox.value));
    }

    #[on_change(toggle)]
    fn toggle(&mut self) {
        self.say(format!("Dark mode: **{}**.", self.toggle.value));
    }

    #[on_change(dropdown)]
    fn dropdown(&mut self) {
        self.say(format!("Colour: **{}**.", self.dropdown.value));
    }

    #[on_change(multi)]
    fn multi(&mut self) {
        self.say(format!("Toppings: **{}**.", self.multi.value.join(", ")));
    }

    #[on_change(place)]
    fn place(&mut self) {
        if let Some([lat, lon]) = self.place.point {
            self.say(format!("You are at **{lat:.3}, {lon:.3}**."));
        }
    }

    #[on_change(zone)]
    fn zone(&mut self) {
        if let Some([[s, w], [n, e]]) = self.zone.region {
            self.say(format!(
                "Delivery area: latitudes **{s:.2} to {n:.2}**, longitudes **{w:.2} to {e:.2}**."
            ));
        }
    }

    /// A form: the handler gets an [`Order`] only when every field passed its checks.
    #[on_click(order)]
    fn order(&mut self, ctx: &Session) {
        let fields = OrderFields {
            colour: &self.dropdown,
            toppings: &self.multi,
            size: &self.radio,
        };
        match Order::read(ctx, self, fields) {
            Ok(o) => self.say(format!(
                "Ordered: a **{}** {} with {}.",
                o.size.to_lowercase(),
                o.colour.to_lowercase(),
                o.toppings.join(", ").to_lowercase()
            )),
            Err(e) => self.say(format!(
                "Not ordered: {} field(s) to fix.",
                e.fields().len()
            )),
        }
    }

    #[on_change(radio)]
    fn radio(&mut self) {
        self.say(format!("Size: **{}**.", self.radio.value));
    }

    /// What the user sent is theirs to show, then the gallery answers.
    #[on_submit(talk)]
    fn talk(&mut self) {
        let Some(text) = self.talk.take_sent() else {
            return;
        };
        let words = text.split_whitespace().count();
        self.talk.push("you", text);
        self.talk.push(
            "gallery",
            format!("You wrote {words} word(s). Messages are shown as text: <b> stays <b>."),
        );
        self.say(format!(
            "The chat has **{}** messages.",
            self.talk.messages().len()
        ));
    }

    #[on_change(accordion)]
    fn accordion(&mut self) {
        self.say(format!(
            "Open sections: **{}**.",
            self.accordion.open.join(", ")
        ));
    }

    #[on_change(table)]
    fn table(&mut self) {
        let sort = self
            .table
            .sort_by
            .clone()
            .unwrap_or_else(|| "nothing".into());
        self.say(format!(
            "Table: page **{}** of {}, sorted by {sort}, {} rows shown, {} selected.",
            self.table.page + 1,
            self.table.pages(),
            self.table.shown(),
            self.table.selected().len()
        ));
    }

    /// Asks first: the dialog says how many rows would go.
    #[on_click(remove)]
    fn remove(&mut self) {
        let n = self.table.selected().len();
        if n == 0 {
            self.say("Select rows first: the box at the start of each row.".into());
            return;
        }
        self.confirm_text.content =
            format!("**{n}** selected rows will be removed from the table.");
        self.confirm.open = true;
    }

    #[on_click(keep)]
    fn keep(&mut self) {
        self.confirm.open = false;
    }

    #[on_click(confirm_remove)]
    fn confirm_remove(&mut self) {
        // Only from the open dialog: a closed dialog's buttons hide in the page, but a tab (or
        // the HTTP API) can still send their clicks.
        if !self.confirm.open {
            return;
        }
        self.confirm.open = false;
        let picked: HashSet<u64> = self
            .table
            .selected()
            .iter()
            .filter_map(|k| k.as_u64())
            .collect();
        self.table
            .retain_rows(|row| !row[0].as_u64().is_some_and(|id| picked.contains(&id)));
        let gone = picked.len();
        self.say(format!(
            "Removed **{gone}** rows; {} left.",
            self.table.len()
        ));
    }

    #[on_change(tabs)]
    fn tabs(&mut self) {
        self.say(format!("Tab **{}**.", self.tabs.value));
    }

    #[on_change(upload)]
    fn upload(&mut self) -> Result<(), String> {
        // The file is here while this handler runs (then its bytes are dropped); of several
        // picked together, each comes in turn with its place in the batch.
        let file = self.upload.file.as_ref().ok_or("no file")?;
        let text = String::from_utf8_lossy(&file.bytes);
        let first = text.lines().next().unwrap_or("");
        let place = file
            .batch
            .map(|b| format!(", {} of {}", b.index, b.count))
            .unwrap_or_default();
        self.say(format!(
            "Received **{}** ({} bytes{place}). First line: `{first}`",
            file.name,
            file.bytes.len()
        ));
        Ok(())
    }

    #[on_click(download)]
    fn download(&mut self) {
        // Every row, in the order shown, quoted where CSV needs it.
        let csv = self.table.to_csv();
        let size = csv.len();
        self.download.send("table.csv", "text/csv", csv);
        self.say(format!("Produced **table.csv** ({size} bytes)."));
    }
}
