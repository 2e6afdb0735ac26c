//! Unchanged anywidget modules of a third-party package (wigglystuff, MIT: its LICENSE is
//! beside them) build against structs written from their Python classes' synced traitlets:
//! the module check finds nothing to refuse in them. Only the fields a module writes are
//! `#[input]`.

/// wigglystuff's `Slider2D`.
#[numerous::widget(
    module = "widgets/third-party/wigglystuff/2dslider.js",
    kind = "slider-2d"
)]
#[derive(Debug, Default)]
struct Slider2D {
    #[input]
    x: f64,
    #[input]
    y: f64,
    x_bounds: (f64, f64),
    y_bounds: (f64, f64),
    width: i64,
    height: i64,
}

/// wigglystuff's `ColorPicker`.
#[numerous::widget(module = "widgets/third-party/wigglystuff/colorpicker.js")]
#[derive(Debug, Default)]
struct ColorPicker {
    #[input]
    color: String,
    show_label: bool,
}

/// wigglystuff's `CopyToClipboard`.
#[numerous::widget(module = "widgets/third-party/wigglystuff/copybutton.js")]
#[derive(Debug, Default)]
struct CopyToClipboard {
    text_to_copy: String,
}

/// wigglystuff's `Knob`.
#[numerous::widget(module = "widgets/third-party/wigglystuff/knob.js")]
#[derive(Debug, Default)]
struct Knob {
    #[input]
    value: f64,
    min_value: f64,
    max_value: f64,
    step: f64,
    start_angle: f64,
    end_angle: f64,
    ticks: Vec<serde_json::Value>,
    steps: Vec<f64>,
    size: i64,
    label: String,
    show_value: bool,
    color: String,
    midi: bool,
    #[input]
    midi_supported: bool,
    #[input]
    midi_learning: bool,
    #[input]
    midi_cc: i64,
    #[input]
    midi_channel: i64,
    #[input]
    midi_device: String,
    midi_key: String,
    midi_scope: String,
}

pub fn run() {
    use numerous::Widget as _;
    for (kind, module) in [
        (Slider2D::KIND, Slider2D::MODULE),
        (ColorPicker::KIND, ColorPicker::MODULE),
        (CopyToClipboard::KIND, CopyToClipboard::MODULE),
        (Knob::KIND, Knob::MODULE),
    ] {
        assert!(module.is_some_and(|m| m.contains("model")), "{kind}");
    }
    let _ = (
        Slider2D::default(),
        ColorPicker::default(),
        CopyToClipboard::default(),
        Knob::default(),
    );
}
