//! Checks that need the app as a whole: keys, and the template against the widget keys.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::errors::Errors;
use syn::LitStr;

use crate::parse::{App, closest, list};
use crate::template::{self, TemplateError, TemplateInfo};

/// Directory, relative to the crate root, that templates are read from.
pub const TEMPLATE_DIR: &str = "templates";

/// Validates `app`, returning what was read of its template when the template is usable.
pub fn app(app: &mut App, errors: &mut Errors) -> Option<TemplateInfo> {
    duplicate_keys(app, errors);
    table_attrs(app, errors);
    let lit = app.template.as_ref()?;
    let name = lit.value();
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let info = match template::analyse(&root.join(TEMPLATE_DIR), TEMPLATE_DIR, &name) {
        Ok(info) => info,
        Err(TemplateError::Missing { looked_at, reason }) => {
            let shown = looked_at
                .strip_prefix(&root)
                .unwrap_or(&looked_at)
                .display()
                .to_string();
            errors.spanned(
                lit,
                format!(
                    "template not found: looked for `{shown}` next to the crate's Cargo.toml ({reason})"
                ),
            );
            return None;
        }
        Err(TemplateError::Syntax { at, message }) => {
            errors.spanned(lit, format!("template syntax error at {at}: {message}"));
            return None;
        }
    };

    let keys: Vec<String> = app.widgets.iter().map(|w| w.ident.to_string()).collect();
    let states: Vec<String> = app.states.iter().map(|s| s.ident.to_string()).collect();
    let mut ok = true;
    for var in &info.vars {
        if keys.contains(&var.name) || states.contains(&var.name) {
            continue;
        }
        ok = false;
        let mut msg = format!(
            "unknown widget `{}` in {}; the app exports {}",
            var.name,
            var.at,
            list(&keys)
        );
        if !states.is_empty() {
            msg.push_str(&format!(" and the state fields {}", list(&states)));
        }
        if let Some(close) = closest(&var.name, keys.iter().chain(&states).map(String::as_str)) {
            msg.push_str(&format!("; did you mean `{close}`?"));
        }
        errors.spanned(lit, msg);
    }
    let placed: HashSet<&str> = info.vars.iter().map(|v| v.name.as_str()).collect();
    for w in &app.widgets {
        let key = w.ident.to_string();
        if !placed.contains(key.as_str()) {
            ok = false;
            errors.spanned(
                &w.ident,
                format!(
                    "widget `{key}` is never placed in {TEMPLATE_DIR}/{name}: add `{{{{ {key} }}}}` where it should appear, or remove the field"
                ),
            );
        }
    }
    ok.then_some(info)
}

/// A table's literal attributes: `sort_by`, `key` and the columns of `formats` name one of the
/// widget's `columns = [..]` (when the list is written as literals: a list made at run time is
/// not checked), `select` is a mode, and each format parses.
fn table_attrs(app: &App, errors: &mut Errors) {
    for w in &app.widgets {
        let attr = |key: &str| w.attrs.iter().find(|a| a.key == key).map(|a| &a.value);
        if let Some(select) = attr("select").and_then(lit_str)
            && !SELECT_MODES.contains(&select.value().as_str())
        {
            errors.spanned(
                select,
                format!(
                    "`{}` is not a selection; `select` is {}",
                    select.value(),
                    list(SELECT_MODES)
                ),
            );
        }
        let formats: Vec<(&LitStr, &LitStr)> = match attr("formats") {
            Some(syn::Expr::Array(array)) => array
                .elems
                .iter()
                .filter_map(|e| match e {
                    syn::Expr::Tuple(t) if t.elems.len() == 2 => {
                        Some((lit_str(&t.elems[0])?, lit_str(&t.elems[1])?))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for (_, format) in &formats {
            if let Err(msg) = column_format(&format.value()) {
                errors.spanned(*format, msg);
            }
        }
        let Some(syn::Expr::Array(array)) = attr("columns") else {
            continue;
        };
        let Some(names) = array
            .elems
            .iter()
            .map(|e| lit_str(e).map(LitStr::value))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let mut named = Vec::new();
        if let Some(sort_by) = attr("sort_by").and_then(lit_str) {
            named.push((sort_by, "to sort by"));
        }
        if let Some(key) = attr("key").and_then(lit_str) {
            named.push((key, "to key its rows by"));
        }
        named.extend(formats.iter().map(|(column, _)| (*column, "to format")));
        for (lit, what) in named {
            let wanted = lit.value();
            if names.contains(&wanted) {
                continue;
            }
            let mut msg = format!(
                "`{}` has no column `{wanted}` {what}; its columns are {}",
                w.ident,
                list(&names)
            );
            if let Some(close) = closest(&wanted, names.iter().map(String::as_str)) {
                msg.push_str(&format!("; did you mean `{close}`?"));
            }
            errors.spanned(lit, msg);
        }
    }
}

/// `select = ".."`: what numerous's `Selection::parse` takes.
pub const SELECT_MODES: &[&str] = &["none", "one", "many"];

/// The kinds of numerous's `ColumnFormat` (`ColumnFormat::KINDS`).
pub const FORMAT_KINDS: &[&str] = &["text", "number", "currency", "percent", "date", "datetime"];

/// Checks a column format as numerous's `ColumnFormat::parse` does, in the macro's words.
fn column_format(text: &str) -> Result<(), String> {
    let (kind, arg) = match text.split_once(':') {
        Some((k, a)) => (k.trim(), Some(a.trim())),
        None => (text.trim(), None),
    };
    if !FORMAT_KINDS.contains(&kind) {
        let mut msg = format!(
            "unknown column format `{kind}`; formats are {}",
            list(FORMAT_KINDS)
        );
        if let Some(close) = closest(kind, FORMAT_KINDS.iter().copied()) {
            msg.push_str(&format!("; did you mean `{close}`?"));
        }
        return Err(msg);
    }
    match (kind, arg) {
        ("currency", None) => Err("`currency` needs its code, e.g. `currency:EUR`".to_owned()),
        (_, None) => Ok(()),
        ("currency", Some(c)) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
            Ok(())
        }
        ("currency", Some(c)) => Err(format!(
            "`{c}` is not an ISO 4217 currency code (three capital letters, e.g. EUR)"
        )),
        ("number" | "percent", Some(d)) if d.parse::<u8>().is_ok_and(|d| d <= 20) => Ok(()),
        ("number" | "percent", Some(d)) => {
            Err(format!("`{d}` is not a count of decimals from 0 to 20"))
        }
        (_, Some(a)) => Err(format!("`{kind}` takes nothing after it, found `:{a}`")),
    }
}

fn lit_str(e: &syn::Expr) -> Option<&LitStr> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

/// Reports a key declared twice and drops the second field, so rustc adds no error of its own.
fn duplicate_keys(app: &mut App, errors: &mut Errors) {
    let mut seen = HashSet::new();
    app.widgets.retain(|w| {
        let fresh = seen.insert(w.ident.to_string());
        if !fresh {
            errors.spanned(&w.ident, format!("duplicate widget key `{}`", w.ident));
        }
        fresh
    });
    app.states.retain(|s| {
        let fresh = seen.insert(s.ident.to_string());
        if !fresh {
            errors.spanned(&s.ident, format!("duplicate field `{}`", s.ident));
        }
        fresh
    });
    if let syn::Fields::Named(named) = &mut app.item.fields {
        let mut seen = HashSet::new();
        named.named = std::mem::take(&mut named.named)
            .into_iter()
            .filter(|f| seen.insert(f.ident.as_ref().map(ToString::to_string)))
            .collect();
    }
}

/// The internal pages an app may replace, in `templates/numerous/`: file name, what it is, and
/// the variables it may use.
pub const PAGES: &[(&str, &str, &[&str])] = &[
    (
        "login.html",
        "the login page",
        &[
            "title",
            "action",
            "next",
            "csrf",
            "error",
            "notice",
            "username",
            "assets",
            "registering",
            "other",
        ],
    ),
    (
        "forbidden.html",
        "the page of a signed-in user the app is not for",
        &["username", "requirement", "logout", "assets"],
    ),
    ("splash.html", "the splash screen", &[]),
    ("error-modal.html", "the error modal", &[]),
    ("session-banner.html", "the session banner", &[]),
];

/// The internal pages the app replaces (`templates/numerous/<page>`), each checked: it must
/// parse, and use only the variables its page provides.
pub fn overrides(app: &App, errors: &mut Errors) -> Vec<(&'static str, String, TemplateInfo)> {
    let Some(lit) = app.template.as_ref() else {
        return Vec::new();
    };
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let dir = root.join(TEMPLATE_DIR);
    let folder = app
        .pages
        .as_ref()
        .map_or("numerous".to_owned(), LitStr::value);
    if app.pages.is_some() && !dir.join(&folder).is_dir() {
        errors.spanned(
            app.pages.as_ref().unwrap_or(lit),
            format!("no folder `{TEMPLATE_DIR}/{folder}` holds the app's pages"),
        );
        return Vec::new();
    }
    let mut found = Vec::new();
    for (file, what, vars) in PAGES {
        let name = format!("{folder}/{file}");
        if !dir.join(&name).is_file() {
            continue;
        }
        let info = match template::analyse(&dir, TEMPLATE_DIR, &name) {
            Ok(info) => info,
            Err(TemplateError::Syntax { at, message }) => {
                errors.spanned(
                    app.pages.as_ref().unwrap_or(lit),
                    format!("template syntax error at {at}: {message}"),
                );
                continue;
            }
            Err(TemplateError::Missing { .. }) => continue,
        };
        let mut ok = true;
        for var in &info.vars {
            if vars.contains(&var.name.as_str()) {
                continue;
            }
            ok = false;
            let has = if vars.is_empty() {
                "it has no variables (it is plain HTML)".to_owned()
            } else {
                format!(
                    "it has {}",
                    vars.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            errors.spanned(
                app.pages.as_ref().unwrap_or(lit),
                format!(
                    "`{}` at {} is not a variable of {what} ({TEMPLATE_DIR}/{name} replaces it): {has}",
                    var.name, var.at
                ),
            );
        }
        if ok {
            found.push((*file, name, info));
        }
    }
    found
}
