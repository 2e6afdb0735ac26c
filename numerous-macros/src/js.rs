//! What a custom widget's ES module does with its anywidget model, read at build time.
//!
//! A small JavaScript scanner, not a parser: it knows comments, string and template literals,
//! regular expressions and identifiers well enough to find the calls
//! `model.get("name")`, `model.set("name", ..)`, `model.on("change:name", ..)`,
//! `model.off("change:name", ..)` and `model.send(..)` with the line and column of the name.
//! Only a literal name is read (a name computed at run time, `model.get(key)` or
//! `model.get("a" + b)`, is not), and only on a receiver spelt `model` (anywidget's
//! `render({ model, el })`); a model under another name, as in a minified bundle, is not seen.
//! What it cannot read it leaves alone: the check built on it reports only what it is sure of.
//!
//! Hand-written rather than a JavaScript parser crate (swc, oxc): those add tens of seconds
//! to every build of the macro crate for what is a token pattern.

/// What a call does with the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `model.get(name)`.
    Get,
    /// `model.set(name, ..)`.
    Set,
    /// `model.on(event, ..)` or `model.off(event, ..)`: `name` is the event.
    Listen,
    /// `model.send(..)`: `name` is empty.
    Send,
}

/// One call on the model, with where its name (for `send`, the call) is in the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub access: Access,
    pub name: String,
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(u8),
    /// A string literal's value; `None` for a template literal with `${..}` or an escape
    /// this scanner does not decode.
    Str(Option<String>),
    /// A number or a regular expression.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

/// Keywords after which `/` starts a regular expression.
const BEFORE_REGEX: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

struct Scanner<'a> {
    src: &'a [u8],
    at: usize,
    line: usize,
    column: usize,
    /// Per open template literal's `${`: the depth of `{` inside it.
    templates: Vec<usize>,
    /// Per open `(`: whether it follows `if`, `while`, `for` or `with` (after its `)` a `/`
    /// starts a regular expression).
    parens: Vec<bool>,
    last: Option<Tok>,
    /// The token before `last`.
    before_last: Option<Tok>,
    /// The scan lost its way (a string, template or regular expression that does not end
    /// where JavaScript's would): nothing it read is trusted.
    lost: bool,
}

impl<'a> Scanner<'a> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = *self.src.get(self.at)?;
        self.at += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            // Not a UTF-8 continuation byte: a new character.
            self.column += 1;
        }
        Some(b)
    }

    /// Skips whitespace and comments.
    fn skip_trivia(&mut self) {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(b), _) if b.is_ascii_whitespace() => {
                    self.bump();
                }
                (Some(b'/'), Some(b'/')) => {
                    while self.peek(0).is_some_and(|b| b != b'\n') {
                        self.bump();
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    self.bump();
                    self.bump();
                    while self.peek(0).is_some()
                        && !(self.peek(0) == Some(b'*') && self.peek(1) == Some(b'/'))
                    {
                        self.bump();
                    }
                    self.bump();
                    self.bump();
                }
                _ => return,
            }
        }
    }

    /// The rest of a quoted string, the opening quote consumed.
    fn string(&mut self, quote: u8) -> Tok {
        let mut value = Vec::new();
        let mut plain = true;
        let mut ended = false;
        while let Some(b) = self.bump() {
            match b {
                b if b == quote => {
                    ended = true;
                    break;
                }
                b'\\' => match self.bump() {
                    Some(e @ (b'\\' | b'\'' | b'"' | b'`')) => value.push(e),
                    // A line continuation (`\r\n` too).
                    Some(b'\n') => {}
                    Some(b'\r') => {
                        if self.peek(0) == Some(b'\n') {
                            self.bump();
                        }
                    }
                    _ => plain = false,
                },
                // A string does not span lines: the scan went wrong before it.
                b'\n' => break,
                b => value.push(b),
            }
        }
        if !ended {
            self.lost = true;
        }
        Tok::Str(plain.then(|| String::from_utf8_lossy(&value).into_owned()))
    }

    /// A template literal's text from after "`" or "}", up to its end or the next `${`.
    /// Returns whether it ended.
    fn template_text(&mut self, value: &mut Vec<u8>, plain: &mut bool) -> bool {
        while let Some(b) = self.bump() {
            match b {
                b'`' => return true,
                b'\\' => match self.bump() {
                    Some(e @ (b'\\' | b'`' | b'$')) => value.push(e),
                    _ => *plain = false,
                },
                b'$' if self.peek(0) == Some(b'{') => {
                    self.bump();
                    self.templates.push(0);
                    *plain = false;
                    return false;
                }
                b => value.push(b),
            }
        }
        // The file ended inside the template.
        self.lost = true;
        true
    }

    fn regex(&mut self) {
        let mut class = false;
        while let Some(b) = self.bump() {
            match b {
                b'\\' => {
                    self.bump();
                }
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => return self.flags(),
                b'\n' => break,
                _ => {}
            }
        }
        // It ended at the line's end or the file's: the scan went wrong before it.
        self.lost = true;
    }

    fn flags(&mut self) {
        while self.peek(0).is_some_and(|b| b.is_ascii_alphabetic()) {
            self.bump();
        }
    }

    fn regex_allowed(&self) -> bool {
        match &self.last {
            None => true,
            Some(Tok::Punct(p)) => !matches!(p, b')' | b']'),
            // `x.in / 2`: a keyword as a property name is a name.
            Some(Tok::Ident(word)) => {
                BEFORE_REGEX.contains(&word.as_str()) && self.before_last != Some(Tok::Punct(b'.'))
            }
            Some(_) => false,
        }
    }

    fn next_token(&mut self) -> Option<Token> {
        self.skip_trivia();
        let (line, column) = (self.line, self.column);
        let b = self.bump()?;
        // What the next token follows, for `regex_allowed`, when not this token itself.
        let mut follows = None;
        let tok = match b {
            b'"' | b'\'' => self.string(b),
            b'`' => {
                let mut value = Vec::new();
                let mut plain = true;
                if !self.template_text(&mut value, &mut plain) {
                    // Inside `${`: an expression begins.
                    follows = Some(Tok::Punct(b'{'));
                }
                Tok::Str(plain.then(|| String::from_utf8_lossy(&value).into_owned()))
            }
            b'}' if self.templates.last() == Some(&0) => {
                // The end of a `${..}`: the template goes on.
                self.templates.pop();
                let (mut value, mut plain) = (Vec::new(), false);
                if !self.template_text(&mut value, &mut plain) {
                    follows = Some(Tok::Punct(b'{'));
                }
                Tok::Other
            }
            b'(' => {
                let control = matches!(&self.last, Some(Tok::Ident(w)) if matches!(w.as_str(), "if" | "while" | "for" | "with"))
                    && self.before_last != Some(Tok::Punct(b'.'));
                self.parens.push(control);
                Tok::Punct(b'(')
            }
            b')' => {
                if self.parens.pop() == Some(true) {
                    // `if (x) /re/.test(s)`: a statement begins.
                    follows = Some(Tok::Punct(b';'));
                }
                Tok::Punct(b')')
            }
            // `i++ / 2`: an expression ends.
            b'+' | b'-' if self.peek(0) == Some(b) => {
                self.bump();
                Tok::Other
            }
            b'{' => {
                if let Some(depth) = self.templates.last_mut() {
                    *depth += 1;
                }
                Tok::Punct(b'{')
            }
            b'}' => {
                if let Some(depth) = self.templates.last_mut() {
                    *depth -= 1;
                }
                Tok::Punct(b'}')
            }
            b'/' if self.regex_allowed() => {
                self.regex();
                Tok::Other
            }
            // `?.` (optional chaining) reads as `.`; `?` followed by a digit is `? .5`.
            b'?' if self.peek(0) == Some(b'.')
                && !self.peek(1).is_some_and(|b| b.is_ascii_digit()) =>
            {
                self.bump();
                Tok::Punct(b'.')
            }
            b'0'..=b'9' => {
                while self
                    .peek(0)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    self.bump();
                }
                Tok::Other
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80 => {
                let start = self.at - 1;
                while self.peek(0).is_some_and(|b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
                }) {
                    self.bump();
                }
                Tok::Ident(String::from_utf8_lossy(&self.src[start..self.at]).into_owned())
            }
            b => Tok::Punct(b),
        };
        self.before_last = self.last.take();
        self.last = Some(follows.unwrap_or_else(|| tok.clone()));
        Some(Token { tok, line, column })
    }
}

/// Calls `each` with the tokens of `source`, comments and whitespace left out; `false` when
/// the scan lost its way (then nothing `each` saw is to be trusted).
fn scan(source: &str, mut each: impl FnMut(Token)) -> bool {
    // A byte order mark is not a character of the first line.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut scanner = Scanner {
        src: source.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
        templates: Vec::new(),
        parens: Vec::new(),
        last: None,
        before_last: None,
        lost: false,
    };
    // A hashbang line.
    if source.starts_with("#!") {
        while scanner.peek(0).is_some_and(|b| b != b'\n') {
            scanner.bump();
        }
    }
    while let Some(token) = scanner.next_token() {
        each(token);
    }
    !scanner.lost && scanner.templates.is_empty()
}

/// The modules `source` imports by a literal specifier (`import .. from "x"`, `import "x"`,
/// `export .. from "x"`, `import("x")`), in order.
pub fn imports(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut last: [Option<Tok>; 2] = [None, None];
    let trusted = scan(source, |token| {
        if let Tok::Str(Some(spec)) = &token.tok {
            let import = Some(Tok::Ident("import".into()));
            let from = last[1] == Some(Tok::Ident("from".into())) || last[1] == import;
            let dynamic = last[0] == import && last[1] == Some(Tok::Punct(b'('));
            if from || dynamic {
                out.push(spec.clone());
            }
        }
        last = [last[1].take(), Some(token.tok)];
    });
    if trusted { out } else { Vec::new() }
}

/// Every call on `model` in `source` whose name this scanner can read, in order.
pub fn model_uses(source: &str) -> Vec<Use> {
    let mut window: Vec<Token> = Vec::with_capacity(6);
    let mut uses = Vec::new();
    let trusted = scan(source, |token| {
        if window.len() == 6 {
            window.remove(0);
        }
        window.push(token);
        let w = &window[..];
        let n = w.len();
        // model . send (
        if n >= 4
            && let [m, dot, method, open] = &w[n - 4..]
            && m.tok == Tok::Ident("model".into())
            && dot.tok == Tok::Punct(b'.')
            && method.tok == Tok::Ident("send".into())
            && open.tok == Tok::Punct(b'(')
        {
            uses.push(Use {
                access: Access::Send,
                name: String::new(),
                line: method.line,
                column: method.column,
            });
        }
        // model . get ( "name" ,|)
        if n >= 6
            && let [m, dot, method, open, name, close] = &w[n - 6..]
            && m.tok == Tok::Ident("model".into())
            && dot.tok == Tok::Punct(b'.')
            && open.tok == Tok::Punct(b'(')
            && matches!(close.tok, Tok::Punct(b',' | b')'))
            && let Tok::Ident(method) = &method.tok
            && let Tok::Str(Some(value)) = &name.tok
        {
            let access = match method.as_str() {
                "get" => Access::Get,
                "set" => Access::Set,
                "on" | "off" => Access::Listen,
                _ => return,
            };
            uses.push(Use {
                access,
                name: value.clone(),
                line: name.line,
                column: name.column,
            });
        }
    });
    if trusted { uses } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<(Access, String, usize, usize)> {
        model_uses(source)
            .into_iter()
            .map(|u| (u.access, u.name, u.line, u.column))
            .collect()
    }

    #[test]
    fn finds_literal_names_with_their_place() {
        let src = "function render({ model, el }) {\n  const v = model.get(\"count\");\n  model.set('note', v);\n  model.on(`change:count`, draw);\n  model.off(\"change:count\");\n  model.send({ a: 1 });\n}";
        assert_eq!(
            names(src),
            vec![
                (Access::Get, "count".into(), 2, 23),
                (Access::Set, "note".into(), 3, 13),
                (Access::Listen, "change:count".into(), 4, 12),
                (Access::Listen, "change:count".into(), 5, 13),
                (Access::Send, String::new(), 6, 9),
            ]
        );
    }

    #[test]
    fn leaves_what_it_cannot_read() {
        let src = r#"
            // model.get("in_a_comment")
            /* model.get("in a block") */
            const s = "model.get('in a string')";
            const re = /model.get\("in a regex"\)/g;
            model.get(key);
            model.get("a" + b);
            model.get(`x${y}`);
            params.get("other");
            const t = `${model.get("inside")} and ${ { a: model.get("nested") }.a }`;
            const after = model?.get("chained");
            x = a / model.get("divided") / 2;
        "#;
        let got: Vec<String> = names(src).into_iter().map(|(_, n, _, _)| n).collect();
        assert_eq!(got, ["inside", "nested", "chained", "divided"]);
    }

    #[test]
    fn finds_imports_outside_comments() {
        let src = "// @ts-check\n/** @param {import(\"./types.js\").RenderProps} p */\nimport a from \"./a.js\";\nimport \"./b.js\";\nexport { c } from './c.js';\nconst d = await import(\"../d.js\");\nconst s = \"import('./no.js')\";";
        assert_eq!(imports(src), ["./a.js", "./b.js", "./c.js", "../d.js"]);
    }

    #[test]
    fn never_reads_text_as_code() {
        // Each once made a scanner take string or template text for code (the names in the
        // templates would then be errors); where the scan cannot be trusted, it reports nothing.
        for src in [
            "let i = 0; const r = i++ / 2; const u = `a/b`;\nconst v = `\nmodel.get(\"ghost\")\n`;",
            "let k = 3; k-- / 2 + \"x\"; const z = `${a}/${b}`; const y = `model.send(1)`;",
            "if (ok) /`/.test(s);\nconst q = `model.get(\"ghost\")`;",
            "const n = obj.in / 2 + `a/b`;\nconst q = `model.set(\"ghost\", 1)`;",
            "const s = \"abc\\\r\ndef`\";\r\nconst q = `model.get(\"ghost\")`;\r\n",
            "const a = `${/`/.test(s)}`;\nconst q = `model.get(\"ghost\")`;",
            "const a = `${/[`]/.test(s) ? 1 : 2}`;\nconst q = `model.get(\"ghost\")`;",
            "const t = `unterminated ${x} model.get(\"ghost\")",
            "const s = 'unterminated; model.get(\"ghost\")\n",
        ] {
            assert!(
                model_uses(src)
                    .iter()
                    .all(|u| u.name != "ghost" && u.access != Access::Send),
                "{src}"
            );
        }
        // A byte order mark is not a column.
        assert_eq!(
            names("\u{feff}model.get(\"x\")"),
            vec![(Access::Get, "x".into(), 1, 11)]
        );
        assert_eq!(imports("\u{feff}import \"./x.js\";"), ["./x.js"]);
    }

    #[test]
    fn counts_columns_in_characters() {
        let src = "const é = \"ü\"; model.get(\"x\")";
        assert_eq!(names(src), vec![(Access::Get, "x".into(), 1, 26)]);
    }
}
