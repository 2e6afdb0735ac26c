//! What the server sends for each asset is exactly the file in `static/`, with its content type
//! and cache headers.

use numerous::Options;
use numerous::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[numerous::app(template = "index.html")]
#[derive(Debug)]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

async fn get(addr: std::net::SocketAddr, path: &str) -> (String, Vec<u8>) {
    get_with(addr, path, "").await
}

async fn get_with(addr: std::net::SocketAddr, path: &str, headers: &str) -> (String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    (head, raw[split + 4..].to_vec())
}

fn files(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, base, out);
        } else {
            out.push(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

#[tokio::test]
async fn served_assets_are_the_files_in_static() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<Counter>(
        listener,
        numerous::Options::default(),
    ));

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    let mut paths = Vec::new();
    files(&root, &root, &mut paths);
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let (head, body) = get(addr, &format!("/numerous-static/{path}")).await;
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert_eq!(
            body,
            std::fs::read(root.join(&path)).unwrap(),
            "{path} differs"
        );
        assert!(head.contains("cache-control: no-cache"), "{path}: {head}");
        assert!(head.contains("etag: "), "{path}: {head}");
        let expected = match path.rsplit('.').next().unwrap() {
            "js" => "text/javascript",
            "css" => "text/css",
            "html" => "text/html",
            "svg" => "image/svg+xml",
            "txt" => "text/plain",
            other => panic!("no expectation for .{other}"),
        };
        assert!(
            head.contains(&format!("content-type: {expected}")),
            "{path}: {head}"
        );
    }

    // The page links versioned URLs, cached for good.
    let (_, page) = get(addr, "/").await;
    let page = String::from_utf8(page).unwrap();
    let versioned = page
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let (head, _) = get(addr, versioned).await;
    assert!(head.contains("immutable"), "{head}");
    let (head, _) = get(addr, "/numerous-static/nope.js").await;
    assert!(head.starts_with("http/1.1 404"), "{head}");

    // Browsers get gzip, and it unpacks to the same file.
    let (head, body) = get_with(
        addr,
        "/numerous-static/numerous.js",
        "Accept-Encoding: gzip\r\n",
    )
    .await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    let mut js = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut js).unwrap();
    assert_eq!(js, std::fs::read(root.join("numerous.js")).unwrap());
    assert!(
        body.len() * 2 < js.len(),
        "gzip saves more than half: {} of {}",
        body.len(),
        js.len()
    );

    // Brotli for browsers that take it (all of today's), smaller still, and the same file.
    let (head, body) = get_with(
        addr,
        "/numerous-static/numerous.js",
        "Accept-Encoding: gzip, deflate, br, zstd\r\n",
    )
    .await;
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut unpacked).unwrap();
    assert_eq!(unpacked, js);
    // and a client that takes no compression gets the file as it is
    let (head, body) = get_with(addr, "/numerous-static/numerous.js", "").await;
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, js);
}

/// Joins the chunks of a chunked HTTP/1.1 body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

#[tokio::test]
async fn the_page_is_compressed_and_unpacks_to_the_same_page() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<Counter>(
        listener,
        numerous::Options::default(),
    ));
    let (head, plain) = get(addr, "/").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let plain = if head.contains("transfer-encoding: chunked") {
        dechunk(&plain)
    } else {
        plain
    };
    for (coding, accept) in [("br", "gzip, deflate, br"), ("gzip", "gzip")] {
        // twice: the second answer comes from what the first compressed
        for _ in 0..2 {
            let (head, body) = get_with(addr, "/", &format!("Accept-Encoding: {accept}\r\n")).await;
            assert!(
                head.contains(&format!("content-encoding: {coding}")),
                "{head}"
            );
            assert!(head.contains("content-security-policy"), "{head}");
            let mut page = Vec::new();
            if coding == "br" {
                brotli::BrotliDecompress(&mut &body[..], &mut page).unwrap();
            } else {
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut page)
                    .unwrap();
            }
            assert_eq!(page, plain);
            assert!(body.len() * 2 < plain.len());
        }
    }
}

/// An app's own files, embedded in its binary.
#[derive(numerous::rust_embed::Embed)]
#[folder = "tests/widgets/"]
#[crate_path = "numerous::rust_embed"]
struct OwnFiles;

/// `Options::static_files`: the app's own folder at `<prefix>/static/`, each file as it is with
/// its content type; nothing outside it, and nothing at all without it.
#[tokio::test]
async fn an_apps_own_files_are_served_under_static() {
    let addr = testkit::serve::<Counter>(Options::default().static_files(OwnFiles::get)).await;
    let (head, body) = get(addr, "/static/shared.css").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/css"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        body,
        std::fs::read(root.join("tests/widgets/shared.css")).unwrap()
    );
    for path in [
        "/static/nope.css",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
    ] {
        let (head, _) = get(addr, path).await;
        assert!(head.starts_with("http/1.1 404"), "{path}: {head}");
    }
    // Under a prefix, and only where an app asks for it.
    let addr = testkit::serve::<Counter>(
        Options::default()
            .prefix("/sales")
            .static_files(OwnFiles::get),
    )
    .await;
    assert!(
        get(addr, "/sales/static/styled.js")
            .await
            .0
            .contains("text/javascript")
    );
    let addr = testkit::serve::<Counter>(Options::default()).await;
    assert!(
        get(addr, "/static/shared.css")
            .await
            .0
            .starts_with("http/1.1 404")
    );
}
