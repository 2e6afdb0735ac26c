//! The browser client and base CSS (`numerous/static/`, inside the package), embedded in the
//! binary.
//!
//! Served under `<prefix>/numerous-static/<version>/<path>` with a year of immutable caching
//! (the version is a hash of all assets, so it changes with any of them), and under
//! `<prefix>/numerous-static/<path>` with revalidation by ETag.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::spec::AppSpec;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/static"]
struct Static;

/// FNV-1a, hex: short, stable content hashes for cache-busting URLs.
pub(crate) fn fnv_hex(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// A hash of every embedded asset: part of the URL, so a new build busts every cache.
pub(crate) fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut names: Vec<_> = Static::iter().collect();
        names.sort();
        let hashes: Vec<[u8; 32]> = names
            .iter()
            .map(|n| {
                Static::get(n)
                    .expect("listed asset exists")
                    .metadata
                    .sha256_hash()
            })
            .collect();
        let parts: Vec<&[u8]> = names
            .iter()
            .zip(&hashes)
            .flat_map(|(n, h)| [n.as_bytes(), &h[..]])
            .collect();
        fnv_hex(&parts)
    })
}

/// The embedded file at `path`, if any.
pub(crate) fn get(path: &str) -> Option<rust_embed::EmbeddedFile> {
    Static::get(path)
}

/// The content type of an asset, by extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An asset compressed once, the first time it is asked for, and kept: serving it costs a copy,
/// not a compression per request.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) br: axum::body::Bytes,
    pub(crate) gzip: axum::body::Bytes,
}

impl Encoded {
    /// The smallest forms, for what is compressed once.
    fn of(data: &[u8]) -> Encoded {
        Encoded::with(data, 11, flate2::Compression::best())
    }

    /// Forms made at a brotli quality and a gzip level.
    pub(crate) fn with(data: &[u8], br_quality: i32, gzip_level: flate2::Compression) -> Encoded {
        use std::io::Write as _;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), gzip_level);
        let _ = gzip.write_all(data);
        let gzip = gzip.finish().unwrap_or_default();
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: br_quality,
            lgwin: 22,
            ..Default::default()
        };
        let _ = brotli::BrotliCompress(&mut &data[..], &mut br, &params);
        Encoded {
            br: br.into(),
            gzip: gzip.into(),
        }
    }

    /// The form for a client that accepts `coding` (shared, not copied).
    pub(crate) fn get(&self, coding: &str) -> axum::body::Bytes {
        if coding == "br" {
            self.br.clone()
        } else {
            self.gzip.clone()
        }
    }
}

/// The compression a client accepts that numerous prefers: brotli, then gzip.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<&'static str> {
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|c| {
                let mut parts = c.split(';');
                parts
                    .next()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(coding))
                    && !parts.any(|q| q.trim().replace(' ', "") == "q=0")
            })
    };
    if accepts("br") {
        Some("br")
    } else if accepts("gzip") {
        Some("gzip")
    } else {
        None
    }
}

/// The compressed forms of `key`'s `data`, made on first use.
pub(crate) fn encoded(key: &str, data: &[u8]) -> std::sync::Arc<Encoded> {
    static CACHE: OnceLock<dashmap::DashMap<String, std::sync::Arc<Encoded>>> = OnceLock::new();
    let cache = CACHE.get_or_init(dashmap::DashMap::new);
    if let Some(e) = cache.get(key) {
        return e.clone();
    }
    cache
        .entry(key.to_owned())
        .or_insert_with(|| std::sync::Arc::new(Encoded::of(data)))
        .clone()
}

/// The body for a client with these `Accept-Encoding`s: brotli, gzip, or as it is. Text assets
/// only (images are compressed already).
pub(crate) fn negotiate(
    headers: &HeaderMap,
    key: &str,
    path: &str,
    data: std::borrow::Cow<'static, [u8]>,
) -> (Option<&'static str>, axum::body::Bytes) {
    let text = matches!(
        path.rsplit('.').next().unwrap_or(""),
        "js" | "mjs" | "css" | "html" | "json" | "svg" | "txt" | "md"
    );
    if let Some(coding) = accepted(headers).filter(|_| text && data.len() > 256) {
        let e = encoded(key, &data);
        let body = e.get(coding);
        if body.len() < data.len() {
            return (Some(coding), body);
        }
    }
    (None, axum::body::Bytes::from(data.into_owned()))
}

/// `GET <prefix>/numerous-static/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (path, immutable) = match path.split_once('/') {
        Some((v, rest)) if v == version() => (rest, true),
        _ => (path.as_str(), false),
    };
    let Some(file) = Static::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (encoding, body) = negotiate(&headers, path, path, file.data);
        let mut res = ([(header::CONTENT_TYPE, content_type(path))], body).into_response();
        if let Some(e) = encoding {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        }
        res
    };
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// The modules and stylesheets of an app's custom widgets, by file name (`<kind>.js`,
/// `<kind>.css`), as embedded in the app at compile time.
#[derive(Debug, Default)]
pub(crate) struct CustomAssets(HashMap<String, &'static str>);

impl CustomAssets {
    /// The custom widgets' files of the app `spec` describes.
    pub(crate) fn of(spec: &AppSpec) -> Self {
        CustomAssets(
            spec.widgets
                .iter()
                .flat_map(|w| {
                    [
                        w.module.map(|m| (format!("{}.js", w.kind), m)),
                        w.css.map(|c| (format!("{}.css", w.kind), c)),
                    ]
                })
                .flatten()
                .collect(),
        )
    }
}

/// `GET <prefix>/numerous-widgets/{file}`: the module or stylesheet of a custom widget, as
/// embedded in the app at compile time. URLs carry `?v=<hash>`, so they are cached for good.
pub(crate) async fn serve_custom(
    State(custom): State<Arc<CustomAssets>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    match custom.0.get(&file) {
        Some(body) => {
            // The embedded text itself is the key (where it lives, and its length): two apps'
            // widgets of one kind may differ, and hashing a large stylesheet per request would
            // cost what compressing once saves.
            let key = format!("custom:{:p}:{}", body.as_ptr(), body.len());
            let (encoding, bytes) = negotiate(&headers, &key, &file, body.as_bytes().into());
            let mut res = (
                [
                    (header::CONTENT_TYPE, content_type(&file)),
                    (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                    (header::VARY, "accept-encoding"),
                ],
                bytes,
            )
                .into_response();
            if let Some(e) = encoding {
                res.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
            res
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Files embedded in the binary by the app, by path: rust-embed's `Embed::get`
/// ([`Options::static_files`](crate::Options::static_files),
/// [`Server::shared_static`](crate::Server::shared_static)).
pub type StaticFiles = fn(&str) -> Option<rust_embed::EmbeddedFile>;

/// `GET <prefix>/static/{*path}` (an app's files) or `/shared-static/{*path}` (a server's): the
/// file `files` holds at `path`, cached for an hour (they change with the binary), or 404.
pub(crate) fn embedded(files: StaticFiles, path: &str) -> Response {
    match files(path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, content_type(path).to_owned()),
                (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
            ],
            file.data.into_owned(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_and_widgets_are_embedded() {
        for path in [
            "numerous.js",
            "numerous.css",
            "widgets/number.js",
            "widgets/button.js",
        ] {
            assert!(get(path).is_some(), "{path} is embedded");
        }
        assert_eq!(
            content_type("widgets/number.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("numerous.css"), "text/css; charset=utf-8");
    }

    #[test]
    fn version_is_stable() {
        assert_eq!(version(), version());
        assert_eq!(version().len(), 16);
    }
}
