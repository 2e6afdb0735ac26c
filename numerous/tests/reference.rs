//! The widget reference, `docs/widgets/`: one page per built-in widget, generated from the
//! widget itself so it cannot drift. What each page says comes from:
//!
//! - the widget's source (`numerous/src/widgets/`, read with syn): its doc comment with its
//!   examples (which `cargo test --doc` compiles and runs), its public fields with their types
//!   and doc comments, its public methods;
//! - the widget's Rust type: the state a new one sends (`Widget::write_json` of `default()`),
//!   the fields the browser may write (the names serde asks for when `Widget::Input` is read),
//!   the `#[widget(..)]` keys (the `numerous::attrs` traits it implements) and the events (the
//!   `Emits*` traits), probed at compile time;
//! - the screenshots, `docs/widgets/img/<kind>-{light,dark}.png`, taken of the gallery in
//!   Chromium (`examples/widgets/tests/gallery.rs`, `bench/screenshots.sh`).
//!
//! Without `NUMEROUS_BLESS=1` the test fails when a page differs from what it would write (or a
//! screenshot is missing); `NUMEROUS_BLESS=1 cargo test -p numerous --test reference` writes
//! them. A widget added to numerous without a line in [`probe_all`] fails the test too.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use numerous::Widget;
use numerous::widgets::*;
use quote::ToTokens;
use serde_json::Value;

/// The events a widget can emit, with what each means.
const EVENTS: &[(&str, &str)] = &[
    ("click", "`#[on_click(key)]`: the user pressed it."),
    (
        "change",
        "`#[on_change(key)]`: the user changed it; the handler sees the new state.",
    ),
    (
        "submit",
        "`#[on_submit(key)]`: the user submitted it (Enter in a text box).",
    ),
    (
        "message",
        "`#[on_message(key)]`: its module sent a message (`model.send(..)`).",
    ),
];

/// What the widget's Rust type says of it, probed at compile time.
struct Probed {
    name: &'static str,
    kind: &'static str,
    state: serde_json::Map<String, Value>,
    input: Option<Vec<&'static str>>,
    /// `#[widget(..)]` keys, each with its `numerous::attrs` trait.
    keys: Vec<(&'static str, &'static str)>,
    events: Vec<&'static str>,
    debounce_ms: u32,
}

/// Does `$ty` implement the trait of probe module `$m`? (Autoref: the `Yes` method takes
/// `&Probe<W>` and exists only when the bound holds; otherwise `No`'s, one reference further.)
macro_rules! implements {
    ($m:ident, $ty:ty) => {{
        #[allow(unused_imports)]
        use $m::{No as _, Yes as _};
        (&$m::Probe::<$ty>(std::marker::PhantomData)).found()
    }};
}

macro_rules! probes {
    ($($m:ident => $($trait:ident)::+),* $(,)?) => {$(
        #[allow(dead_code)] // no built-in widget emits messages
        mod $m {
            pub struct Probe<W>(pub std::marker::PhantomData<W>);
            pub trait Yes {
                fn found(&self) -> bool {
                    true
                }
            }
            impl<W: $($trait)::+> Yes for Probe<W> {}
            pub trait No {
                fn found(&self) -> bool {
                    false
                }
            }
            impl<W> No for &Probe<W> {}
        }
    )*};
}

probes! {
    label => numerous::attrs::Label,
    columns => numerous::attrs::Columns,
    options => numerous::attrs::OptionList,
    tabs => numerous::attrs::TabList,
    min => numerous::attrs::Min,
    max => numerous::attrs::Max,
    step => numerous::attrs::Step,
    placeholder => numerous::attrs::Placeholder,
    content => numerous::attrs::Content,
    disabled => numerous::attrs::Disabled,
    unit => numerous::attrs::Unit,
    variant => numerous::attrs::Variant,
    rows => numerous::attrs::Rows,
    max_bytes => numerous::attrs::MaxBytes,
    multiple => numerous::attrs::Multiple,
    accept => numerous::attrs::Accept,
    sort_by => numerous::attrs::SortBy,
    descending => numerous::attrs::Descending,
    searchable => numerous::attrs::Searchable,
    select => numerous::attrs::Select,
    key => numerous::attrs::Key,
    formats => numerous::attrs::Formats,
    src => numerous::attrs::Src,
    value => numerous::attrs::Value,
    click => numerous::EmitsClick,
    change => numerous::EmitsChange,
    submit => numerous::EmitsSubmit,
    message => numerous::EmitsMessage,
}

/// The keys probed, in the order pages list them; [`keys_are_the_attrs_traits`] ties this
/// list to `numerous/src/attrs.rs`.
macro_rules! keys_of {
    ($ty:ty) => {{
        let found: [(&str, &str, bool); 24] = [
            ("label", "Label", implements!(label, $ty)),
            ("value", "Value", implements!(value, $ty)),
            ("placeholder", "Placeholder", implements!(placeholder, $ty)),
            ("options", "OptionList", implements!(options, $ty)),
            ("tabs", "TabList", implements!(tabs, $ty)),
            ("columns", "Columns", implements!(columns, $ty)),
            ("content", "Content", implements!(content, $ty)),
            ("src", "Src", implements!(src, $ty)),
            ("min", "Min", implements!(min, $ty)),
            ("max", "Max", implements!(max, $ty)),
            ("step", "Step", implements!(step, $ty)),
            ("unit", "Unit", implements!(unit, $ty)),
            ("rows", "Rows", implements!(rows, $ty)),
            ("variant", "Variant", implements!(variant, $ty)),
            ("disabled", "Disabled", implements!(disabled, $ty)),
            ("accept", "Accept", implements!(accept, $ty)),
            ("max_bytes", "MaxBytes", implements!(max_bytes, $ty)),
            ("multiple", "Multiple", implements!(multiple, $ty)),
            ("sort_by", "SortBy", implements!(sort_by, $ty)),
            ("descending", "Descending", implements!(descending, $ty)),
            ("searchable", "Searchable", implements!(searchable, $ty)),
            ("select", "Select", implements!(select, $ty)),
            ("key", "Key", implements!(key, $ty)),
            ("formats", "Formats", implements!(formats, $ty)),
        ];
        found
            .into_iter()
            .filter(|(_, _, yes)| *yes)
            .map(|(k, t, _)| (k, t))
            .collect::<Vec<_>>()
    }};
}

macro_rules! probe {
    ($($ty:ident),* $(,)?) => {
        vec![$({
            let mut state = Vec::new();
            $ty::default().write_json(&mut state).unwrap();
            let Value::Object(state) = serde_json::from_slice(&state).unwrap() else {
                panic!("{}'s state is not an object", stringify!($ty));
            };
            let events = [
                ("click", implements!(click, $ty)),
                ("change", implements!(change, $ty)),
                ("submit", implements!(submit, $ty)),
                ("message", implements!(message, $ty)),
            ];
            Probed {
                name: stringify!($ty),
                kind: <$ty as Widget>::KIND,
                state,
                input: input_fields::<<$ty as Widget>::Input>(),
                keys: keys_of!($ty),
                events: events.into_iter().filter(|(_, y)| *y).map(|(e, _)| e).collect(),
                debounce_ms: <$ty as Widget>::DEBOUNCE_MS,
            }
        }),*]
    };
}

/// Every built-in widget.
fn probe_all() -> Vec<Probed> {
    probe![
        Button,
        Number,
        TextInput,
        TextArea,
        Slider,
        RangeSlider,
        Checkbox,
        Toggle,
        DropDown,
        MultiSelect,
        RadioGroup,
        DatePicker,
        Tabs,
        Accordion,
        Markdown,
        Metric,
        Modal,
        Feed,
        Html,
        Image,
        MapPicker,
        ProgressBar,
        Chart,
        Chat,
        Table,
        FileUpload,
        Download,
    ]
}

/// The field names serde asks for when it reads `T` (a struct's): what the browser may write.
/// `None` when `T` is read some other way (a map: any field).
fn input_fields<T: serde::de::DeserializeOwned>() -> Option<Vec<&'static str>> {
    use serde::de::{Error as _, Visitor};
    type Error = serde::de::value::Error;
    struct Names(Option<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("probed"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0 = Some(fields);
            Err(Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.map(<[_]>::to_vec)
}

/// A public field of a widget's struct, as its source has it.
struct Field {
    name: String,
    json: String,
    ty: String,
    doc: String,
}

/// A widget's struct and methods, as its source has them.
#[derive(Default)]
struct Source {
    doc: String,
    fields: Vec<Field>,
    methods: Vec<(String, String)>,
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|l| l.strip_prefix(' ').unwrap_or(&l).to_owned())
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The name serde gives a field (`#[serde(rename = "..")]`), or `None` if it is skipped.
fn json_name(field: &syn::Field) -> Option<String> {
    let mut name = field.ident.as_ref().unwrap().to_string();
    let mut skipped = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                skipped = true;
            } else if meta.path.is_ident("rename") {
                name = meta.value()?.parse::<syn::LitStr>()?.value();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    (!skipped).then_some(name)
}

/// Tokens as a person writes them: `Vec<String>`, not `Vec < String >`.
fn tidy(tokens: &str) -> String {
    let mut s = tokens.to_owned();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("( ", "("),
        (" (", "("),
        (" )", ")"),
        ("& ", "&"),
        (" :", ":"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
        (" ?", "?"),
        ("# [", "#["),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    // ` (` went everywhere; a tuple after `->`, `:`, `,` or `=` keeps its space.
    for (from, to) in [("->(", "-> ("), (":(", ": ("), (",(", ", ("), ("=(", "= (")] {
        s = s.replace(from, to);
    }
    s
}

/// Every widget struct's doc, public fields and public methods, by type name.
fn sources() -> BTreeMap<String, Source> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/widgets");
    let mut out: BTreeMap<String, Source> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for item in file.items {
            match item {
                syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                    let source = out.entry(s.ident.to_string()).or_default();
                    source.doc = doc_of(&s.attrs);
                    for f in &s.fields {
                        if !matches!(f.vis, syn::Visibility::Public(_)) {
                            continue;
                        }
                        let name = f.ident.as_ref().unwrap().to_string();
                        source.fields.push(Field {
                            json: json_name(f).unwrap_or_default(),
                            name,
                            ty: tidy(&f.ty.to_token_stream().to_string()),
                            doc: doc_of(&f.attrs).replace('\n', " "),
                        });
                    }
                }
                syn::Item::Impl(i) if i.trait_.is_none() => {
                    let syn::Type::Path(p) = &*i.self_ty else {
                        continue;
                    };
                    let name = p.path.segments.last().unwrap().ident.to_string();
                    let source = out.entry(name).or_default();
                    for item in &i.items {
                        let syn::ImplItem::Fn(f) = item else { continue };
                        if !matches!(f.vis, syn::Visibility::Public(_))
                            || f.attrs.iter().any(|a| {
                                a.path().is_ident("doc")
                                    && a.to_token_stream().to_string().contains("hidden")
                            })
                        {
                            continue;
                        }
                        let doc = doc_of(&f.attrs);
                        let first = doc.split("\n\n").next().unwrap_or("").replace('\n', " ");
                        let sig = tidy(&f.sig.to_token_stream().to_string());
                        source.methods.push((sig, first));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A doc comment as Markdown on its own: intra-doc links as code, examples as Rust without
/// their hidden lines.
fn markdown(doc: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            if in_code {
                out.push_str("```\n");
            } else {
                out.push_str("```rust\n");
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            if line == "#" || line.starts_with("# ") {
                continue;
            }
            out.push_str(line);
        } else {
            out.push_str(&unlink(line));
        }
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// `` [`Event::Click`] `` → `` `Event::Click` `` (rustdoc's links mean nothing on a page);
/// `[text](url)` stays.
fn unlink(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("[`") {
        let Some(len) = rest[start..].find("`]") else {
            break;
        };
        let end = start + len + 2;
        out.push_str(&rest[..start]);
        let code = &rest[start + 1..end - 1];
        let after = &rest[end..];
        if after.starts_with('(') {
            // [`x`](path): drop the path too.
            let close = after.find(')').map_or(0, |i| i + 1);
            out.push_str(code);
            rest = &after[close..];
        } else {
            out.push_str(code);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn short_json(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 48 {
        format!("{}…", s.chars().take(45).collect::<String>())
    } else {
        s
    }
}

fn page(p: &Probed, src: &Source) -> String {
    let mut out = String::new();
    let w = &mut out;
    let (name, kind) = (p.name, p.kind);
    writeln!(w, "# `{name}`\n").unwrap();
    writeln!(
        w,
        "<!-- Generated from the widget's code by numerous/tests/reference.rs; \
         NUMEROUS_BLESS=1 cargo test -p numerous --test reference writes it. -->\n"
    )
    .unwrap();
    writeln!(
        w,
        "`numerous::widgets::{name}` (in the prelude) · kind `{kind}` · drawn by \
         `numerous/static/widgets/{kind}.js` · [all widgets](README.md)\n"
    )
    .unwrap();
    writeln!(w, "| light | dark |\n|---|---|").unwrap();
    writeln!(
        w,
        "| ![{name} in the light theme](img/{kind}-light.png) | ![{name} in the dark theme](img/{kind}-dark.png) |\n"
    )
    .unwrap();
    writeln!(w, "{}\n", markdown(&src.doc)).unwrap();

    writeln!(w, "## State\n").unwrap();
    writeln!(
        w,
        "Each field is public: a handler reads and changes it, and every tab of the session gets \
         what changed. The widget's module reads the same names with `model.get(..)`.\n"
    )
    .unwrap();
    writeln!(
        w,
        "| field | type | a new one | what it is |\n|---|---|---|---|"
    )
    .unwrap();
    let mut server_only = Vec::new();
    for f in &src.fields {
        match p.state.get(&f.json) {
            Some(v) if !f.json.is_empty() => {
                let shown = if f.json == f.name {
                    format!("`{}`", f.name)
                } else {
                    format!("`{}` (`{}` in JSON)", f.name, f.json)
                };
                writeln!(
                    w,
                    "| {shown} | `{}` | `{}` | {} |",
                    f.ty,
                    short_json(v).replace('|', "\\|"),
                    f.doc.replace('|', "\\|")
                )
                .unwrap();
            }
            _ => server_only.push(f),
        }
    }
    writeln!(w).unwrap();
    if !server_only.is_empty() {
        writeln!(
            w,
            "Kept on the server, not sent to the browser as they are:\n"
        )
        .unwrap();
        for f in server_only {
            writeln!(w, "- `{}: {}`: {}", f.name, f.ty, f.doc).unwrap();
        }
        writeln!(w).unwrap();
    }
    let sent_fields: Vec<&str> = src.fields.iter().map(|f| f.json.as_str()).collect();
    let extra: Vec<&String> = p
        .state
        .keys()
        .filter(|k| !sent_fields.contains(&k.as_str()))
        .collect();
    if !extra.is_empty() {
        let extra: Vec<String> = extra.iter().map(|k| format!("`{k}`")).collect();
        writeln!(
            w,
            "Also in the browser's model, computed by the server: {}.\n",
            extra.join(", ")
        )
        .unwrap();
    }

    writeln!(w, "## What the browser may write\n").unwrap();
    match &p.input {
        Some(fields) if fields.is_empty() => writeln!(
            w,
            "Nothing: a tab that writes to it gets an `invalid-input` error and nothing changes."
        )
        .unwrap(),
        Some(fields) => {
            let fields: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            writeln!(
                w,
                "{}, checked by the widget before any handler runs: another field or a wrong type \
                 gets an `invalid-input` error, a value the widget does not accept `rejected`, \
                 and nothing changes.",
                fields.join(", ")
            )
            .unwrap();
        }
        None => writeln!(
            w,
            "Its own input, checked by the widget before any handler runs."
        )
        .unwrap(),
    }
    if p.debounce_ms > 0 {
        writeln!(
            w,
            "\nThe browser sends at most one change every {} ms while the user keeps changing it \
             (`#[widget(debounce = ms)]` sets another rate).",
            p.debounce_ms
        )
        .unwrap();
    }
    writeln!(w).unwrap();

    writeln!(w, "## `#[widget(..)]` keys\n").unwrap();
    let keys: Vec<String> = p
        .keys
        .iter()
        .map(|(k, t)| {
            format!("[`{k}`](https://docs.rs/numerous/latest/numerous/attrs/trait.{t}.html)")
        })
        .collect();
    if keys.is_empty() {
        writeln!(w, "None of its own.").unwrap();
    } else {
        writeln!(w, "{}.", keys.join(", ")).unwrap();
    }
    writeln!(
        w,
        "\nLike every widget it also takes `init = expr` (the widget to start from) and \
         `debounce = ms`. The same keys are builder methods: `{name}::default().{}(..)`.\n",
        p.keys.first().map_or("label", |(k, _)| k)
    )
    .unwrap();

    writeln!(w, "## Events\n").unwrap();
    if p.events.is_empty() {
        writeln!(
            w,
            "None: it shows what handlers put in it; a handler naming it with `#[on_click]` or \
             `#[on_change]` fails the build.\n"
        )
        .unwrap();
    } else {
        for e in &p.events {
            let (_, what) = EVENTS.iter().find(|(n, _)| n == e).unwrap();
            writeln!(w, "- {what}").unwrap();
        }
        writeln!(w).unwrap();
    }

    if !src.methods.is_empty() {
        writeln!(w, "## Methods\n").unwrap();
        for (sig, doc) in &src.methods {
            writeln!(w, "- `{sig}`: {}", unlink(doc)).unwrap();
        }
        writeln!(w).unwrap();
    }
    out.trim_end().to_owned() + "\n"
}

fn index(probed: &[Probed], sources: &BTreeMap<String, Source>) -> String {
    let mut out = String::from(
        "# The built-in widgets\n\n\
         <!-- Generated from the widgets' code by numerous/tests/reference.rs; \
         NUMEROUS_BLESS=1 cargo test -p numerous --test reference writes it. -->\n\n\
         One page per widget: its state (what a handler reads and writes), what the browser may \
         write, its `#[widget(..)]` keys, its events and methods, a picture in the light and the \
         dark theme, and examples that `cargo test --doc` compiles and runs. Every page is \
         written from the widget's code by a test, which fails when a page is out of date.\n\n\
         | widget | what it is | events |\n|---|---|---|\n",
    );
    for p in probed {
        let doc = &sources[p.name].doc;
        let first = doc.split("\n\n").next().unwrap().replace('\n', " ");
        let first = first.split(". ").next().unwrap().trim_end_matches('.');
        let events: Vec<String> = p.events.iter().map(|e| format!("`{e}`")).collect();
        writeln!(
            out,
            "| [`{}`]({}.md) | {}. | {} |",
            p.name,
            p.kind,
            unlink(first),
            events.join(", ")
        )
        .unwrap();
    }
    out
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/widgets")
}

#[test]
fn every_widget_has_a_page_written_from_its_code() {
    let probed = probe_all();
    let sources = sources();
    let dir = docs_dir();
    if !dir.parent().unwrap().exists() {
        return; // a published package: no repository around it
    }
    let bless = std::env::var("NUMEROUS_BLESS").is_ok_and(|v| v == "1");
    let without: Vec<&str> = probed
        .iter()
        .filter(|p| !sources[p.name].doc.contains("```"))
        .map(|p| p.name)
        .collect();
    assert!(
        without.is_empty(),
        "doc comments without an example (each page shows one): {without:?}"
    );
    let mut pages: Vec<(PathBuf, String)> = probed
        .iter()
        .map(|p| {
            (
                dir.join(format!("{}.md", p.kind)),
                page(p, &sources[p.name]),
            )
        })
        .collect();
    pages.push((dir.join("README.md"), index(&probed, &sources)));
    let mut stale = Vec::new();
    for (path, text) in &pages {
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(path, text).unwrap();
        } else if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (NUMEROUS_BLESS=1 cargo test -p numerous --test reference writes them): {stale:?}"
    );
    // No page of a widget that is gone.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            assert!(
                pages.iter().any(|(p, _)| *p == path),
                "{} is the page of no widget",
                path.display()
            );
        }
    }
    // Each page's pictures are there (bench/screenshots.sh takes them).
    for p in &probed {
        for scheme in ["light", "dark"] {
            let png = dir.join(format!("img/{}-{scheme}.png", p.kind));
            let bytes = std::fs::read(&png).unwrap_or_else(|_| {
                panic!("{} is missing: run bench/screenshots.sh", png.display())
            });
            assert_eq!(&bytes[1..4], b"PNG", "{}", png.display());
        }
    }
}

/// Every `impl Widget for` of numerous's source is in [`probe_all`].
#[test]
fn every_built_in_widget_is_probed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/widgets");
    let mut kinds = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some(kind) = line.trim().strip_prefix("const KIND: &'static str = \"") {
                kinds.push(kind.trim_end_matches("\";").to_owned());
            }
        }
    }
    kinds.sort();
    let mut probed: Vec<String> = probe_all().iter().map(|p| p.kind.to_owned()).collect();
    probed.sort();
    assert_eq!(kinds, probed, "a widget's kind is missing from probe_all()");
}

/// The keys the pages list are numerous's `#[widget(..)]` keys: each `attr_trait!` of
/// `numerous/src/attrs.rs` (and `Value`) is probed.
#[test]
fn keys_are_the_attrs_traits() {
    let attrs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/attrs.rs"))
        .unwrap();
    let mut methods: Vec<String> = attrs
        .lines()
        .map(str::trim)
        .filter_map(|l| {
            let (head, _) = l.split_once('(')?;
            let (t, m) = head.split_once("::")?;
            (t.chars().all(|c| c.is_ascii_alphanumeric()) && !t.is_empty()).then(|| m.to_owned())
        })
        .collect();
    methods.push("value".into());
    methods.sort();
    let all = keys_of!(AllKeys);
    let mut probed: Vec<String> = all.iter().map(|(k, _)| (*k).to_owned()).collect();
    probed.sort();
    assert_eq!(methods, probed);
}

/// A type with every key, to list what `keys_of!` probes.
#[derive(Default)]
struct AllKeys;
macro_rules! all_keys {
    ($($t:ident :: $m:ident ($($arg:ty),*)),* $(,)?) => {$(
        impl numerous::attrs::$t for AllKeys {
            fn $m(self, $(_: $arg),*) -> Self {
                self
            }
        }
    )*};
}
all_keys! {
    Label::label(impl Into<String>),
    Columns::columns(impl IntoIterator<Item = impl Into<String>>),
    OptionList::options(impl IntoIterator<Item = impl Into<String>>),
    TabList::tabs(impl IntoIterator<Item = impl Into<String>>),
    Min::min(impl Into<f64>),
    Max::max(impl Into<f64>),
    Step::step(impl Into<f64>),
    Placeholder::placeholder(impl Into<String>),
    Content::content(impl Into<String>),
    Disabled::disabled(bool),
    Unit::unit(impl Into<String>),
    Variant::variant(impl Into<String>),
    Rows::rows(usize),
    MaxBytes::max_bytes(usize),
    Multiple::multiple(bool),
    Accept::accept(impl Into<String>),
    SortBy::sort_by(impl Into<String>),
    Descending::descending(bool),
    Searchable::searchable(bool),
    Select::select(impl Into<String>),
    Key::key(impl Into<String>),
    Formats::formats(impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>),
    Src::src(impl Into<String>),
}
impl numerous::attrs::Value for AllKeys {
    type Value = String;
    fn value(self, _: impl Into<String>) -> Self {
        self
    }
}
