//! The macro's copies of names the runtime defines, tied to it: the attribute keys of
//! `#[widget(..)]` ([`WIDGET_ATTRS`]: the methods of `numerous::attrs`) and the internal pages an
//! app may replace with the variables each provides ([`PAGES`]: the fields of numerous's page
//! structs, and its fragment files). The macro cannot depend on numerous (numerous depends on it),
//! so a test reads numerous's sources in the repository and fails when the two differ.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use crate::parse::WIDGET_ATTRS;
    use crate::validate::PAGES;

    /// numerous's sources beside this crate (absent from a published package: then nothing to
    /// compare).
    fn runtime(path: &str) -> Option<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../numerous");
        std::fs::read_to_string(root.join(path)).ok()
    }

    #[test]
    fn widget_attributes_are_the_methods_of_numerous_attrs() {
        let Some(attrs) = runtime("src/attrs.rs") else {
            return;
        };
        // `attr_trait!(.. Trait::method(arg: Type), ..)` and the `Value` trait's `fn value`.
        let mut methods = BTreeSet::new();
        for line in attrs.lines().map(str::trim) {
            if let Some((head, _)) = line.split_once('(')
                && let Some((trait_name, method)) = head.split_once("::")
                && trait_name.chars().all(|c| c.is_ascii_alphanumeric())
                && trait_name != "Number"
            {
                methods.insert(method.to_owned());
            }
            if let Some(rest) = line.strip_prefix("fn ")
                && let Some((method, _)) = rest.split_once("(self")
                && !method.starts_with('$')
            {
                methods.insert(method.to_owned());
            }
        }
        // `init` and `debounce` are the macro's own: a starting expression, and the browser's
        // rate for the widget's events.
        let ours: BTreeSet<String> = WIDGET_ATTRS
            .iter()
            .filter(|k| !["init", "debounce"].contains(k))
            .map(|k| (*k).to_owned())
            .collect();
        assert_eq!(
            ours, methods,
            "WIDGET_ATTRS and numerous/src/attrs.rs differ"
        );
    }

    #[test]
    fn table_formats_and_selections_are_numerous_own() {
        use crate::validate::{FORMAT_KINDS, SELECT_MODES};
        let Some(table) = runtime("src/widgets/table.rs") else {
            return;
        };
        // `pub const KINDS: .. = &["text", ..];` and `"one" => Some(Selection::One)`.
        let kinds = table
            .split("KINDS: &'static [&'static str] =")
            .nth(1)
            .unwrap();
        let kinds: Vec<&str> = kinds[..kinds.find(';').unwrap()]
            .split('"')
            .skip(1)
            .step_by(2)
            .collect();
        assert_eq!(
            kinds, FORMAT_KINDS,
            "FORMAT_KINDS and ColumnFormat::KINDS differ"
        );
        let modes: Vec<&str> = table
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix('"')?
                    .split_once("\" => Some(Selection::")
            })
            .map(|(mode, _)| mode)
            .collect();
        assert_eq!(
            modes, SELECT_MODES,
            "SELECT_MODES and Selection::parse differ"
        );
    }

    #[test]
    fn replaceable_pages_are_numerous_pages_with_their_fields() {
        let Some(pages) = runtime("src/auth/pages.rs") else {
            return;
        };
        // The fields of `pub struct <Name><'a> { pub field: .. }`.
        let fields = |name: &str| -> Vec<String> {
            let body = pages
                .split(&format!("pub struct {name}<'a> {{"))
                .nth(1)
                .unwrap_or_else(|| panic!("numerous has no {name}"));
            body[..body.find("\n}").unwrap()]
                .lines()
                .filter_map(|l| l.trim().strip_prefix("pub "))
                .map(|l| l.split(':').next().unwrap().to_owned())
                .collect()
        };
        let page = |file: &str| PAGES.iter().find(|(f, ..)| *f == file).unwrap();
        let vars =
            |file: &str| -> Vec<String> { page(file).2.iter().map(|v| (*v).to_owned()).collect() };
        assert_eq!(vars("login.html"), fields("LoginPage"));
        assert_eq!(vars("forbidden.html"), fields("ForbiddenPage"));
        // Every other page is a fragment of numerous's own, with no variables.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../numerous");
        let mut fragments: Vec<String> = std::fs::read_dir(root.join("static/fragments"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        fragments.sort();
        let mut ours: Vec<String> = PAGES
            .iter()
            .filter(|(f, ..)| !["login.html", "forbidden.html"].contains(f))
            .map(|(f, _, vars)| {
                assert!(vars.is_empty(), "{f}");
                (*f).to_owned()
            })
            .collect();
        ours.sort();
        assert_eq!(
            ours, fragments,
            "PAGES and numerous/static/fragments differ"
        );
        for file in ["login.html", "forbidden.html"] {
            assert!(root.join("pages").join(file).is_file(), "{file}");
        }
    }
}
