//! Compile-time reading of an app's layout template.
//!
//! The template is parsed with askama's own parser, so what we check is exactly what askama will
//! compile. We collect the free variables the template refers to (the names askama resolves as
//! fields of the template struct, which are the widget keys) and every file the template pulls in
//! through `include`, `extends` and `import`, so those are tracked for rebuilds and checked too.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use askama_parser::expr::{Expr, Filter};
use askama_parser::node::{LetValueOrBlock, Node};
use askama_parser::{Ast, Syntax, Target, WithSpan};

/// A position in a template file, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Path as shown to the user (relative to the crate root).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A variable the template reads from its context.
#[derive(Debug, Clone)]
pub struct VarUse {
    pub name: String,
    pub at: Location,
}

/// What the template (and the files it pulls in) needs from the app.
#[derive(Debug, Default)]
pub struct TemplateInfo {
    /// Absolute paths of every file read, for `include_bytes!` rebuild tracking.
    pub files: Vec<PathBuf>,
    /// Free variables in order of appearance.
    pub vars: Vec<VarUse>,
}

/// Why a template could not be read.
#[derive(Debug)]
pub enum TemplateError {
    /// The file does not exist (or cannot be read).
    Missing { looked_at: PathBuf, reason: String },
    /// askama's parser rejected it.
    Syntax { at: Location, message: String },
}

/// Reads and analyses `name`, looked up in `dir` (the crate's `templates/` directory).
/// `shown_dir` is how `dir` is named in messages.
pub fn analyse(dir: &Path, shown_dir: &str, name: &str) -> Result<TemplateInfo, TemplateError> {
    let mut info = TemplateInfo::default();
    let mut seen = HashSet::new();
    load(dir, shown_dir, name, &mut info, &mut seen)?;
    Ok(info)
}

fn load(
    dir: &Path,
    shown_dir: &str,
    name: &str,
    info: &mut TemplateInfo,
    seen: &mut HashSet<String>,
) -> Result<(), TemplateError> {
    if !seen.insert(name.to_owned()) {
        return Ok(());
    }
    let path = dir.join(name);
    let source = std::fs::read_to_string(&path).map_err(|e| TemplateError::Missing {
        looked_at: path.clone(),
        reason: e.to_string(),
    })?;
    let shown = format!("{shown_dir}/{name}");
    let syntax = Syntax::default();
    let ast = Ast::from_str(&source, Some(Arc::from(path.as_path())), &syntax).map_err(|e| {
        TemplateError::Syntax {
            at: locate(&shown, &source, e.offset),
            message: e
                .message
                .map(|m| m.into_owned())
                .unwrap_or_else(|| "syntax error".to_owned()),
        }
    })?;
    info.files.push(path);

    let mut walker = Walker::default();
    walker.nodes(ast.nodes());
    for (var, offset) in walker.used {
        if !walker.bound.contains(var) {
            info.vars.push(VarUse {
                name: var.to_owned(),
                at: locate(&shown, &source, offset),
            });
        }
    }
    for child in walker.children {
        load(dir, shown_dir, child, info, seen)?;
    }
    Ok(())
}

/// Turns a byte offset into a 1-based line and column.
pub fn locate(file: &str, source: &str, offset: usize) -> Location {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        file: file.to_owned(),
        line,
        column: source[line_start..offset].chars().count() + 1,
    }
}

/// Collects variable uses and bindings.
///
/// Scoping is deliberately coarse: a name bound anywhere (`let`, `for`, `if let`, `match` arms,
/// macro arguments) is never reported. That can only miss an error, which askama then reports in
/// its own words; it never rejects a template askama accepts.
#[derive(Default)]
struct Walker<'a> {
    used: Vec<(&'a str, usize)>,
    bound: BTreeSet<&'a str>,
    children: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn nodes(&mut self, nodes: &[Box<Node<'a>>]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node<'a>) {
        match node {
            Node::Expr(_, e) => self.expr(e),
            Node::Call(c) => {
                self.bound.extend(c.caller_args.iter().copied());
                for a in c.args.iter().flatten() {
                    self.expr(a);
                }
                self.nodes(&c.nodes);
            }
            Node::Let(l) => {
                self.target(&l.var);
                match &l.val {
                    LetValueOrBlock::Value(e) => self.expr(e),
                    LetValueOrBlock::Block { nodes, .. } => self.nodes(nodes),
                }
            }
            Node::Compound(c) => {
                self.expr(&c.op.lhs);
                self.expr(&c.op.rhs);
            }
            Node::Declare(d) => {
                self.bound.insert(*d.var_name);
            }
            Node::If(i) => {
                for branch in &i.branches {
                    if let Some(cond) = &branch.cond {
                        if let Some(t) = &cond.target {
                            self.target(t);
                        }
                        self.expr(&cond.expr);
                    }
                    self.nodes(&branch.nodes);
                }
            }
            Node::Match(m) => {
                self.expr(&m.expr);
                for arm in &m.arms {
                    for t in &arm.target {
                        self.target(t);
                    }
                    self.nodes(&arm.nodes);
                }
            }
            Node::Loop(l) => {
                self.target(&l.var);
                self.bound.insert("loop");
                self.expr(&l.iter);
                if let Some(c) = &l.cond {
                    self.expr(c);
                }
                self.nodes(&l.body);
                self.nodes(&l.else_nodes);
            }
            Node::Extends(e) => self.children.push(e.path),
            Node::Include(i) => self.children.push(i.path),
            Node::Import(i) => {
                self.children.push(i.path);
                self.bound.insert(i.scope);
            }
            Node::BlockDef(b) => self.nodes(&b.nodes),
            Node::Macro(m) => {
                for arg in &m.args {
                    self.bound.insert(*arg.name);
                    if let Some(d) = &arg.default {
                        self.expr(d);
                    }
                }
                self.nodes(&m.nodes);
            }
            Node::FilterBlock(f) => {
                self.filter(&f.filters);
                self.nodes(&f.nodes);
            }
            Node::Lit(_) | Node::Comment(_) | Node::Raw(_) | Node::Break(_) | Node::Continue(_) => {
            }
        }
    }

    fn filter(&mut self, f: &Filter<'a>) {
        for a in &f.arguments {
            self.expr(a);
        }
    }

    fn target(&mut self, t: &Target<'a>) {
        match t {
            Target::Name(n) => {
                self.bound.insert(**n);
            }
            Target::Tuple(t) => t.1.iter().for_each(|t| self.target(t)),
            Target::Array(a) => a.iter().for_each(|t| self.target(t)),
            Target::Struct(s) => s.1.iter().for_each(|n| self.target(&n.dest)),
            Target::OrChain(o) => o.iter().for_each(|t| self.target(t)),
            Target::Rest(r) => {
                if let Some(n) = &**r {
                    self.bound.insert(**n);
                }
            }
            Target::NumLit(..)
            | Target::StrLit(_)
            | Target::CharLit(_)
            | Target::BoolLit(_)
            | Target::Path(_)
            | Target::Placeholder(_) => {}
        }
    }

    fn expr(&mut self, e: &WithSpan<Box<Expr<'a>>>) {
        match &***e {
            Expr::Var(name) => {
                let offset = e.span().byte_range().map_or(0, |r| r.start);
                self.used.push((name, offset));
            }
            Expr::Array(items) | Expr::Tuple(items) | Expr::Concat(items) => {
                items.iter().for_each(|i| self.expr(i))
            }
            Expr::ArrayRepeat(a, b) | Expr::Index(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::AssociatedItem(e, _)
            | Expr::As(e, _)
            | Expr::Unary(_, e)
            | Expr::Group(e)
            | Expr::Try(e)
            | Expr::NamedArgument(_, e) => self.expr(e),
            Expr::Filter(f) => self.filter(f),
            Expr::BinOp(b) => {
                self.expr(&b.lhs);
                self.expr(&b.rhs);
            }
            Expr::Range(r) => {
                if let Some(l) = &r.lhs {
                    self.expr(l);
                }
                if let Some(r) = &r.rhs {
                    self.expr(r);
                }
            }
            Expr::Call(c) => {
                self.expr(&c.path);
                c.args.iter().for_each(|a| self.expr(a));
            }
            Expr::Struct(s) => {
                for f in &s.fields {
                    if let Some(v) = &f.value {
                        self.expr(v);
                    } else {
                        // `Foo { a }` shorthand reads the variable `a`.
                        let offset = f.name.span().byte_range().map_or(0, |r| r.start);
                        self.used.push((*f.name, offset));
                    }
                }
                if let Some(b) = &s.base {
                    self.expr(b);
                }
            }
            Expr::LetCond(c) => {
                if let Some(t) = &c.target {
                    self.target(t);
                }
                self.expr(&c.expr);
            }
            Expr::BoolLit(_)
            | Expr::NumLit(..)
            | Expr::StrLit(_)
            | Expr::CharLit(_)
            | Expr::Path(_)
            | Expr::RustMacro(..)
            | Expr::FilterSource
            | Expr::IsDefined(_)
            | Expr::IsNotDefined(_)
            | Expr::ArgumentPlaceholder => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(src: &str) -> Vec<String> {
        let dir = std::env::temp_dir().join(format!("numerous-tpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let name = format!("t{}.html", src.len());
        std::fs::write(dir.join(&name), src).unwrap();
        analyse(&dir, "templates", &name)
            .unwrap()
            .vars
            .into_iter()
            .map(|v| v.name)
            .collect()
    }

    #[test]
    fn finds_free_variables() {
        assert_eq!(vars("<p>{{ a }}</p>{{ b.c(d) }}"), ["a", "b", "d"]);
    }

    #[test]
    fn ignores_bound_names() {
        let v =
            vars("{% for x in items %}{{ x }}{{ loop.index }}{% endfor %}{% let y = 1 %}{{ y }}");
        assert_eq!(v, ["items"]);
    }

    #[test]
    fn locates_errors() {
        let loc = locate("t.html", "ab\ncd{{ x", 5);
        assert_eq!((loc.line, loc.column), (2, 3));
    }

    #[test]
    fn reports_syntax_errors_with_line() {
        let dir = std::env::temp_dir().join(format!("numerous-tpl-s{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bad.html"), "<p>\n{% if x %}\n</p>").unwrap();
        match analyse(&dir, "templates", "bad.html") {
            Err(TemplateError::Syntax { at, .. }) => assert_eq!(at.file, "templates/bad.html"),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }
}
