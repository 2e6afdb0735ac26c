"""Writes a crate that declares one numerous custom widget per anywidget class of some
third-party Python packages, with each package's ES module unchanged, so that the build checks
every module against a struct made from the class's synced traitlets.

Usage: python3 third_party_widgets.py WHEELS_DIR CRATE_DIR NUMEROUS_PATH
(bench/third-party-widgets.sh downloads the wheels and runs the build.)

A class's struct has a field per `traitlets.X(..).tag(sync=True)` (its own and its bases' in the
same package), each `#[input]`: in anywidget the browser may write any synced trait. The module
is found from the strings in `_esm` (or in the module-level assignment it names).
"""

import ast
import pathlib
import re
import sys
import zipfile

RUST_TYPES = {
    "Float": "f64",
    "CFloat": "f64",
    "Int": "i64",
    "CInt": "i64",
    "Unicode": "String",
    "CUnicode": "String",
    "Bool": "bool",
    "CBool": "bool",
    "List": "Vec<serde_json::Value>",
    "Tuple": "Vec<serde_json::Value>",
    "Dict": "serde_json::Map<String, serde_json::Value>",
}
KEYWORDS = {"type", "match", "mod", "ref", "move", "loop", "fn", "impl", "trait", "use", "where", "self", "super", "crate", "struct", "enum", "const", "static", "let", "in", "as", "box", "final", "override", "priv", "yield", "async", "await", "dyn", "abstract", "become", "do", "macro", "typeof", "unsized", "virtual", "try"}


def trait_of(value):
    """('Float', allow_none) for `traitlets.Float(..).tag(sync=True)`, else None."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "tag"):
        return None
    if not any(k.arg == "sync" and isinstance(k.value, ast.Constant) and k.value.value is True for k in value.keywords):
        return None
    inner = value.func.value
    if not isinstance(inner, ast.Call):
        return None
    name = inner.func.attr if isinstance(inner.func, ast.Attribute) else getattr(inner.func, "id", "")
    allow_none = any(k.arg == "allow_none" and isinstance(k.value, ast.Constant) and k.value.value for k in inner.keywords)
    return name, allow_none


def strings(node):
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def main():
    wheels, crate, numerous = map(pathlib.Path, sys.argv[1:4])
    out = []
    modules_dir = crate / "modules"
    modules_dir.mkdir(parents=True, exist_ok=True)
    for wheel in sorted(wheels.glob("*.whl")):
        package = wheel.name.split("-")[0]
        with zipfile.ZipFile(wheel) as z:
            files = {n: z.read(n) for n in z.namelist()}
        scripts = {pathlib.PurePosixPath(n): data for n, data in files.items() if n.endswith((".js", ".mjs"))}
        classes = {}
        for name, data in files.items():
            if not name.endswith(".py"):
                continue
            tree = ast.parse(data)
            top = {}
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        for t in ast.walk(target):
                            if isinstance(t, ast.Name):
                                top[t.id] = stmt.value
            for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
                traits, esm = [], None
                for stmt in cls.body:
                    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                        for t in targets:
                            if not isinstance(t, ast.Name) or stmt.value is None:
                                continue
                            if t.id == "_esm":
                                value = stmt.value
                                if isinstance(value, ast.Name) and value.id in top:
                                    value = top[value.id]
                                esm = strings(value)
                            elif (trait := trait_of(stmt.value)) is not None:
                                traits.append((t.id, *trait))
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases]
                classes[cls.name] = (traits, esm, bases, name)
        n = 0
        for cls, (traits, esm, bases, source) in sorted(classes.items()):
            if not esm:
                continue
            # Traits of bases in the same package come first.
            seen, fields = set(), []
            for base in bases:
                for t in classes.get(base, ([], None, [], ""))[0]:
                    if t[0] not in seen:
                        seen.add(t[0])
                        fields.append(t)
            for t in traits:
                if t[0] not in seen:
                    seen.add(t[0])
                    fields.append(t)
            module = None
            inline = next((s for s in esm if "\n" in s and "export" in s), None)
            if inline is not None:
                # A module written inline in the class (`_esm = """..."""`).
                module = pathlib.PurePosixPath(f"{cls}.js")
                scripts[module] = inline.encode()
            for s in [] if module else esm:
                s = s.strip("/")
                for path in scripts:
                    if path.name == s or path.stem == s or str(path).endswith("/" + s):
                        module = path
                        break
                if module:
                    break
            if module is None:
                print(f"{package}: {cls}: no module among {[e[:60] for e in esm]}", file=sys.stderr)
                continue
            target = modules_dir / package / module.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(scripts[module])
            n += 1
            lines = [f"/// `{cls}` of {package} ({source}), module `{module}`."]
            lines.append(f'#[numerous::widget(module = "modules/{package}/{module.name}", kind = "{package}-{cls.lower()}", messages)]')
            lines.append("#[derive(Debug, Default)]")
            lines.append(f"pub struct {package.title().replace('_', '')}{cls} {{")
            for field, kind, allow_none in fields:
                ty = RUST_TYPES.get(kind, "serde_json::Value")
                if allow_none and ty != "serde_json::Value":
                    ty = f"Option<{ty}>"
                ident = field
                rename = ""
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", field) or field in KEYWORDS:
                    ident = "f_" + re.sub(r"\W", "_", field).lower()
                    rename = f' #[serde(rename = "{field}")]'
                lines.append(f"    #[input]{rename}")
                lines.append(f"    pub {ident}: {ty},")
            lines.append("}")
            out.append("\n".join(lines))
        print(f"{package}: {n} widgets", file=sys.stderr)
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "src" / "lib.rs").write_text(
        "//! Written by bench/third_party_widgets.py: one custom widget per third-party anywidget class.\n"
        "#![allow(non_snake_case, dead_code)]\n\n" + "\n\n".join(out) + "\n"
    )
    (crate / "Cargo.toml").write_text(
        f"""[package]
name = "third-party-widgets"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
numerous = {{ path = "{numerous}" }}
serde_json = "1"

[workspace]
"""
    )


main()
