//! The TypeScript declaration of a custom widget's model (`#[numerous::widget(types)]`): field
//! names and JSON types, what the browser may write, the messages it takes; written next to
//! the module (or into a folder) so that an editor checks the module as it is written
//! (`// @ts-check` and a JSDoc type on `render`).
//!
//! Types are read from the field's syntax, as serde serializes the common ones (strings,
//! numbers, `bool`, `Option`, sequences, maps with string keys, tuples, `numerous::Bytes`);
//! any other type (your own structs, `serde_json::Value`) is `any`, with its Rust name beside.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::{GenericArgument, PathArguments, Type};

use crate::custom::{CustomWidget, Types};

/// The file the declaration goes to, for a widget whose module is at `module` (relative to
/// the crate root `root`).
pub fn path(model: &CustomWidget, root: &Path, module: &str) -> Option<PathBuf> {
    match model.types.as_ref()? {
        Types::BesideModule(_) => {
            let module = root.join(module);
            let stem = module.file_stem()?.to_string_lossy().into_owned();
            let ext = if module.extension().is_some_and(|e| e == "mjs") {
                "d.mts"
            } else {
                "d.ts"
            };
            Some(module.with_file_name(format!("{stem}.{ext}")))
        }
        Types::Folder(dir) => Some(root.join(dir.value()).join(format!("{}.d.ts", model.kind))),
    }
}

/// The struct a declaration this macro wrote is of, from its first line; `None` for a file
/// it did not write.
pub fn written_for(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    let rest = first.strip_prefix("// The model of the `")?;
    let (_, after) = rest.split_once("` widget (`")?;
    let (name, _) = after.split_once("`)")?;
    Some(name.to_owned())
}

/// The declaration's text.
pub fn declaration(model: &CustomWidget, import_as: &str) -> String {
    let name = &model.item.ident;
    let kind = &model.kind;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// The model of the `{kind}` widget (`{name}`), as its module sees it.\n\
         // Written by #[numerous::widget(types)] on each build from the struct: edit the struct, not this file.\n\
         // In the module: `// @ts-check`, then `/** @param {{import(\"{import_as}\").RenderProps}} props */` on `render`.\n"
    );
    let _ = writeln!(w, "/** The widget's state: what `model.get` returns. */");
    let _ = writeln!(w, "export interface State {{");
    for f in &model.fields {
        let Some(read) = &f.read else { continue };
        doc(w, &f.doc);
        let optional = if f.optional { "?" } else { "" };
        // A field the module may set holds what it set until the server answers.
        let _ = writeln!(w, "  {}{optional}: {};", key(read), ts(&f.ty, f.input()));
    }
    if !model.names_known {
        let _ = writeln!(
            w,
            "  /** Fields whose names serde decides (`flatten`, renames per direction). */\n  [name: string]: any;"
        );
    }
    let _ = writeln!(w, "}}\n");
    let _ = writeln!(
        w,
        "/** What the browser may write (the `#[input]` fields): what `model.set` takes. */"
    );
    let _ = writeln!(w, "export interface Input {{");
    for f in &model.fields {
        for name in &f.write {
            doc(w, &f.doc);
            let _ = writeln!(w, "  {}: {};", key(name), ts(&f.ty, true));
        }
    }
    let _ = writeln!(w, "}}\n");
    let buffers = "(ArrayBuffer | ArrayBufferView)[]";
    let _ = writeln!(
        w,
        "/** The anywidget model `initialize` and `render` get. */\n\
         export interface Model {{\n  \
           get<K extends keyof State>(name: K): State[K];\n  \
           set<K extends keyof Input>(name: K, value: Input[K]): void;\n  \
           save_changes(): void;\n  \
           on<K extends keyof State & string>(event: `change:${{K}}`, callback: (model: Model, value: State[K]) => void): void;\n  \
           on(event: \"change\", callback: (model: Model) => void): void;\n  \
           /** What the app's handlers send with `ctx.message`. */\n  \
           on(event: \"msg:custom\", callback: (content: any, buffers: DataView[]) => void): void;\n  \
           off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;"
    );
    if model.messages {
        let _ = writeln!(
            w,
            "  /** Sends `content` (and `buffers`) to the app's `#[on_message]` handler of this widget. */\n  \
             send(content: unknown, callbacks?: unknown, buffers?: {buffers}): void;"
        );
    }
    let _ = writeln!(
        w,
        "  widget_manager: {{ get_model(id: string): Promise<unknown> }};\n\
         }}\n"
    );
    let _ = writeln!(
        w,
        "/** anywidget's `experimental`. */\n\
         export interface Experimental {{\n  \
           /** Calls the app's `#[on_command]` handler `name` of this widget; resolves to its answer. */\n  \
           invoke(name: string, msg?: unknown, options?: {{ timeout?: number; signal?: AbortSignal; buffers?: {buffers} }}): Promise<[any, DataView[]]>;\n\
         }}\n\n\
         export interface RenderProps {{\n  model: Model;\n  el: HTMLElement;\n  experimental: Experimental;\n}}\n\n\
         export interface InitializeProps {{\n  model: Model;\n  experimental: Experimental;\n}}\n\n\
         type Cleanup = void | (() => void);\n\n\
         /** The module's default export. */\n\
         export interface Widget {{\n  \
           initialize?(props: InitializeProps): Cleanup | Promise<Cleanup>;\n  \
           render(props: RenderProps): Cleanup | Promise<Cleanup>;\n\
         }}\n\n\
         declare const widget: Widget | (() => Widget | Promise<Widget>);\n\
         export default widget;"
    );
    out
}

fn doc(w: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if let [one] = lines[..] {
        let _ = writeln!(w, "  /** {one} */");
    } else {
        let _ = writeln!(w, "  /**");
        for line in lines {
            let _ = writeln!(w, "   * {line}");
        }
        let _ = writeln!(w, "   */");
    }
}

/// A property name, quoted unless it is an identifier.
fn key(name: &str) -> String {
    let ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        name.to_owned()
    } else {
        format!("{name:?}")
    }
}

/// The TypeScript type of the JSON serde makes of `ty`; `input`: as the browser may write it.
pub fn ts(ty: &Type, input: bool) -> String {
    match ty {
        Type::Reference(r) => ts(&r.elem, input),
        Type::Paren(p) => ts(&p.elem, input),
        Type::Group(g) => ts(&g.elem, input),
        Type::Array(a) => array(ts(&a.elem, input)),
        Type::Slice(s) => array(ts(&s.elem, input)),
        Type::Tuple(t) if t.elems.is_empty() => "null".into(),
        Type::Tuple(t) => format!(
            "[{}]",
            t.elems
                .iter()
                .map(|e| ts(e, input))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return "any".into();
            };
            let args: Vec<&Type> = match &last.arguments {
                PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let arg = |i: usize| {
                args.get(i)
                    .map_or_else(|| "any".to_owned(), |t| ts(t, input))
            };
            match last.ident.to_string().as_str() {
                "String" | "str" | "char" | "PathBuf" | "Path" => "string".into(),
                "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
                | "i128" | "isize" | "f32" | "f64" | "NonZeroU8" | "NonZeroU16" | "NonZeroU32"
                | "NonZeroU64" | "NonZeroUsize" | "NonZeroI32" | "NonZeroI64" => "number".into(),
                "bool" => "boolean".into(),
                "Option" => format!("{} | null", arg(0)),
                "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "IndexSet" | "LinkedList"
                | "BinaryHeap" => array(arg(0)),
                "HashMap" | "BTreeMap" | "IndexMap" => format!("Record<string, {}>", arg(1)),
                "Box" | "Rc" | "Arc" | "Cow" => arg(0),
                "Bytes" if input => "DataView | ArrayBuffer | ArrayBufferView".into(),
                "Bytes" => "DataView".into(),
                other => format!("any /* {other} */"),
            }
        }
        _ => "any".into(),
    }
}

fn array(elem: String) -> String {
    if elem.contains(['|', ' ']) {
        format!("({elem})[]")
    } else {
        format!("{elem}[]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn json_types_of_common_rust_types() {
        let t = |ty: Type| ts(&ty, false);
        assert_eq!(t(parse_quote!(String)), "string");
        assert_eq!(t(parse_quote!(u64)), "number");
        assert_eq!(t(parse_quote!(Option<f64>)), "number | null");
        assert_eq!(t(parse_quote!(Vec<Option<i32>>)), "(number | null)[]");
        assert_eq!(
            t(parse_quote!(std::collections::BTreeMap<String, u32>)),
            "Record<string, number>"
        );
        assert_eq!(t(parse_quote!([f64; 2])), "number[]");
        assert_eq!(t(parse_quote!((String, bool))), "[string, boolean]");
        assert_eq!(t(parse_quote!(Point)), "any /* Point */");
        assert_eq!(t(parse_quote!(Vec<Point>)), "(any /* Point */)[]");
        assert_eq!(t(parse_quote!(numerous::Bytes)), "DataView");
        assert_eq!(
            ts(&parse_quote!(Bytes), true),
            "DataView | ArrayBuffer | ArrayBufferView"
        );
    }

    #[test]
    fn keys_are_quoted_unless_identifiers() {
        assert_eq!(key("count"), "count");
        assert_eq!(key("max-value"), "\"max-value\"");
    }

    #[test]
    fn a_declaration_names_what_the_module_reads_and_writes() {
        let mut errors = crate::errors::Errors::default();
        let item: syn::ItemStruct = parse_quote! {
            struct Odd {
                /// Two lines,
                /// with a */ inside.
                #[serde(rename = "max-value")] max_value: Option<Vec<f64>>,
                #[input] #[serde(skip_serializing_if = "Option::is_none")] note: Option<String>,
                #[input] samples: numerous::Bytes,
            }
        };
        let model = crate::custom::parse(quote::quote!(module = "w.js", types), item, &mut errors);
        assert!(errors.is_empty());
        let text = declaration(&model, "./w.js");
        assert_eq!(written_for(&text).as_deref(), Some("Odd"));
        for part in [
            "  /**\n   * Two lines,\n   * with a *\\/ inside.\n   */\n  \"max-value\": number[] | null;",
            "  note?: string | null;",
            // What the module set, until the server answers.
            "  samples: DataView | ArrayBuffer | ArrayBufferView;",
            "export interface Input {\n  note: string | null;\n  samples: DataView | ArrayBuffer | ArrayBufferView;\n}",
        ] {
            assert!(text.contains(part), "{part:?} not in\n{text}");
        }
        assert!(!text.contains("send("), "no messages: {text}");
        assert_eq!(written_for("// a declaration of my own"), None);
    }
}
