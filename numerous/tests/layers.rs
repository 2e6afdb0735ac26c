//! The floor plan of `numerous/src`, checked: every file belongs to a layer
//! (docs/architecture.md), a file uses only its own layer and the layers below, and no files use
//! one another in a circle (within a layer too). Issue 21 brought the imports that went up from 9
//! to none and the largest circle from 18 files to none, through a ratchet; now any new one
//! fails.
//!
//! An import is any `crate::`, `super::` or `self::` path outside comments, strings and
//! `#[cfg(test)]` modules; a path through re-exports (the crate root's, a `mod.rs`'s) counts for the
//! file that defines the item. A `mod.rs` declaring and re-exporting its own children is not an
//! edge (those name the child without `crate::` or `super::`, or by `self::` where a crate of the
//! same name makes that necessary).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers, lowest first: a file may use its own and those below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "model",
        &[
            "attrs.rs",
            "bytes.rs",
            "handler_check.rs",
            "html.rs",
            "markdown.rs",
            "protocol.rs",
            "spec.rs",
            "state.rs",
            "util.rs",
            "widget.rs",
            "widgets/",
        ],
    ),
    (
        "services",
        &[
            "auth/cli.rs",
            "auth/db.rs",
            "auth/env.rs",
            "auth/mod.rs",
            "auth/pages.rs",
            "auth/provider.rs",
            "auth/remote.rs",
            "auth/service.rs",
            "auth/tokens.rs",
            "redis_broker.rs",
            "resources.rs",
            "store/",
            "topics.rs",
        ],
    ),
    (
        "session",
        &["app.rs", "form.rs", "handle.rs", "outbox.rs", "session/"],
    ),
    (
        "server",
        &[
            "api.rs",
            "assets.rs",
            "auth/admin.rs",
            "auth/routes.rs",
            "connection.rs",
            "dev.rs",
            "http.rs",
            "page.rs",
            "registry.rs",
            "sse.rs",
            "upload.rs",
        ],
    ),
    (
        "assembly",
        &[
            "error.rs",
            "lib.rs",
            "mount.rs",
            "options.rs",
            "serve.rs",
            "server.rs",
            "testing.rs",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn layer_of(file: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, files)| {
            files
                .iter()
                .any(|f| *f == file || (f.ends_with('/') && file.starts_with(f)))
        })
        .unwrap_or_else(|| {
            panic!("{file} is in no layer: add it to LAYERS (and docs/architecture.md)")
        })
}

/// The files of `numerous/src`, relative, with `/` separators.
fn files() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.sort();
    out
}

/// The module path of a file: `session/tabs.rs` is `session::tabs`, `session/mod.rs` is `session`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The file that defines the module `path` leads into, and the rest of the path.
fn file_of(path: &[String], all: &BTreeSet<String>) -> (String, Vec<String>) {
    for k in (1..=path.len()).rev() {
        let dir = path[..k].join("/");
        for candidate in [format!("{dir}.rs"), format!("{dir}/mod.rs")] {
            if all.contains(&candidate) {
                return (candidate, path[k..].to_vec());
            }
        }
    }
    ("lib.rs".to_owned(), path.to_vec())
}

/// Source without comments, string and char literals, and `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
        } else if let Some(hashes) = raw_string(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes + usize::from(rest.starts_with('b'));
            i += body
                + rest[body..]
                    .find(&close)
                    .map_or(rest.len(), |e| e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\''
            && (rest[1..].starts_with('\\') || rest[1..].chars().nth(1) == Some('\''))
        {
            // A char literal (a lifetime has no closing quote right after one char).
            i += 1 + rest[1..].find('\'').map_or(0, |e| e + 1);
            i += usize::from(rest[1..].starts_with('\\') && rest[2..].starts_with('\''));
            out.push_str("' '");
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"`, `r#"`, `br"`...: the number of `#`.
fn raw_string(s: &str) -> Option<usize> {
    let s = s.strip_prefix('b').unwrap_or(s);
    let s = s.strip_prefix('r')?;
    let hashes = s.len() - s.trim_start_matches('#').len();
    s[hashes..].starts_with('"').then_some(hashes)
}

/// Every path a `use` tree names: `a::{b, c::{d, e as f}}` is `a::b`, `a::c::d`, `a::c::e`.
fn use_paths(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim_end_matches("::").trim();
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let prefix = join(prefix, head);
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    use_paths(&inner[start..i], &prefix, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        use_paths(&inner[start..], &prefix, out);
    } else if !tree.is_empty() {
        let name = tree.split(" as ").next().unwrap().trim();
        out.push(join(prefix, name));
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}::{b}"),
    }
}

/// The paths a file names: its `use` trees, and paths written in place.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    let mut other = String::new();
    while let Some(at) = find_use(rest) {
        other.push_str(&rest[..at]);
        let stmt = &rest[at..];
        let end = stmt.find(';').unwrap_or(stmt.len());
        use_paths(&stmt[4..end], "", &mut out);
        rest = &stmt[end..];
    }
    other.push_str(rest);
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = other[from..].find(root) {
            let at = from + at;
            from = at + root.len();
            let before = other[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let len = other[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(other.len() - at);
            out.push(other[at..at + len].trim_end_matches(':').to_owned());
        }
    }
    out
}

/// The next `use` keyword at the start of a statement.
fn find_use(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = s[from..].find("use ") {
        let at = from + at;
        let before = s[..at].trim_end();
        if before.is_empty()
            || before.ends_with([';', '{', '}', ']'])
            || before.ends_with("pub")
            || before.ends_with(')')
        {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// What each module file (`lib.rs`, a `mod.rs`) re-exports: name → the absolute path it names.
fn module_exports(all: &BTreeSet<String>) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out = BTreeMap::new();
    for file in all
        .iter()
        .filter(|f| *f == "lib.rs" || f.ends_with("mod.rs"))
    {
        let module = module_of(file);
        let text = code(&std::fs::read_to_string(src().join(file)).unwrap());
        let mut paths = Vec::new();
        let mut rest = text.as_str();
        while let Some(at) = find_use(rest) {
            let stmt = &rest[at..];
            let end = stmt.find(';').unwrap_or(stmt.len());
            let before = rest[..at].trim_end();
            if before.ends_with("pub") || before.ends_with(')') {
                use_paths(&stmt[4..end], "", &mut paths);
            }
            rest = &stmt[end..];
        }
        let mut exports = BTreeMap::new();
        for p in paths {
            let segs: Vec<String> = p.split("::").map(str::to_owned).collect();
            let abs: Vec<String> = match segs[0].as_str() {
                "crate" => segs[1..].to_vec(),
                "self" => module.iter().chain(&segs[1..]).cloned().collect(),
                "super" => module[..module.len().saturating_sub(1)]
                    .iter()
                    .chain(&segs[1..])
                    .cloned()
                    .collect(),
                // A child module (`pub use context::Session`), or another crate.
                first
                    if all.contains(&format!("{}.rs", join_path(&module, first)))
                        || all.contains(&format!("{}/mod.rs", join_path(&module, first))) =>
                {
                    module.iter().chain(&segs).cloned().collect()
                }
                _ => continue,
            };
            // `prelude` and `__private` re-export from the root again (`crate::Session`): only
            // a path through a module says where an item is.
            if abs.len() > 1 {
                exports.entry(abs.last().unwrap().clone()).or_insert(abs);
            }
        }
        out.insert(file.clone(), exports);
    }
    out
}

fn join_path(module: &[String], name: &str) -> String {
    module
        .iter()
        .map(String::as_str)
        .chain([name])
        .collect::<Vec<_>>()
        .join("/")
}

/// File → files it uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let all: BTreeSet<String> = files().into_iter().collect();
    let exports = module_exports(&all);
    let mut graph = BTreeMap::new();
    for file in &all {
        let module = module_of(file);
        let text = code(&std::fs::read_to_string(src().join(file)).unwrap());
        let mut uses = BTreeSet::new();
        // A module file names its own children by `self::` where a crate shares the child's
        // name (`pub use self::redis::RedisStore`): declaring them, not an edge.
        let children = file
            .strip_suffix("mod.rs")
            .filter(|_| file.ends_with("/mod.rs"));
        for path in paths(&text) {
            let own_child = path.starts_with("self::") && children.is_some();
            let mut segs: Vec<String> = path.split("::").map(str::to_owned).collect();
            let mut abs: Vec<String> = match segs[0].as_str() {
                "crate" => Vec::new(),
                "self" => module.clone(),
                "super" => {
                    let mut m = module.clone();
                    while segs.first().is_some_and(|s| s == "super") {
                        m.pop();
                        segs.remove(0);
                    }
                    segs.insert(0, String::new());
                    m
                }
                _ => continue,
            };
            abs.extend(
                segs.into_iter()
                    .skip(1)
                    .filter(|s| !s.is_empty() && s != "self"),
            );
            // Through re-exports (the root's, a `mod.rs`'s), to the file that defines the item.
            let (mut target, mut rest) = file_of(&abs, &all);
            for _ in 0..8 {
                let Some(next) = rest
                    .first()
                    .and_then(|name| exports.get(&target)?.get(name))
                else {
                    break;
                };
                abs = next.iter().chain(&rest[1..]).cloned().collect();
                (target, rest) = file_of(&abs, &all);
            }
            if target == *file || (own_child && children.is_some_and(|d| target.starts_with(d))) {
                continue;
            }
            uses.insert(target);
        }
        graph.insert(file.clone(), uses);
    }
    graph
}

/// The size of the largest strongly connected component (Tarjan).
fn largest_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> (usize, Vec<String>) {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        best: Vec<String>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                scc.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if scc.len() > s.best.len() {
                scc.sort();
                s.best = scc;
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        best: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    (s.best.len(), s.best)
}

#[test]
fn imports_go_down_the_layers() {
    let graph = graph();
    let mut up = BTreeSet::new();
    for (from, targets) in &graph {
        for to in targets {
            if layer_of(to) > layer_of(from) {
                up.insert((from.as_str(), to.as_str()));
            }
        }
    }
    let name = |f: &str| LAYERS[layer_of(f)].0;
    assert!(
        up.is_empty(),
        "imports that go up a layer (see docs/architecture.md):\n{}",
        up.iter()
            .map(|(a, b)| format!("  {a} ({}) uses {b} ({})", name(a), name(b)))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_files_use_one_another() {
    let (size, files) = largest_circle(&graph());
    assert!(
        size <= 1,
        "an import circle of {size} files (see docs/architecture.md): {files:?}"
    );
}

#[test]
fn the_reader_sees_through_literals_and_use_trees() {
    let text = "use crate::{a::B, c::{d, e as f}};\nlet s = \"crate::x\"; // crate::y\nlet c = '\"'; crate::g::h();\n#[cfg(test)]\nmod tests { use crate::z; }";
    let mut found = paths(&code(text));
    found.sort();
    assert_eq!(
        found,
        ["crate::a::B", "crate::c::d", "crate::c::e", "crate::g::h"]
    );
}
