//! Custom widgets' assets as the page links them.

use numerous::Options;
use tower::ServiceExt as _;

// One module drawn by two kinds with different fields: each reads a name the other lacks, so
// the module is not checked against either struct.
#[numerous::widget(
    module = "tests/widgets/styled.js",
    css = "tests/widgets/shared.css",
    unchecked
)]
#[derive(Debug, Default)]
pub struct First {
    #[serde(rename = "className")]
    pub class_name: String,
}

#[numerous::widget(
    module = "tests/widgets/styled.js",
    css = "tests/widgets/shared.css",
    unchecked
)]
#[derive(Debug, Default)]
pub struct Second {
    #[serde(rename = "static")]
    pub fixed: String,
}

#[numerous::app(template = "two_kinds.html")]
#[derive(Debug)]
struct Two {
    a: First,
    b: Second,
}

#[numerous::handlers]
impl Two {}

#[tokio::test]
async fn a_stylesheet_shared_by_several_kinds_is_linked_once() {
    let router = numerous::router::<Two>(Options::default());
    let request = numerous::axum::http::Request::builder()
        .uri("/")
        .header("host", "127.0.0.1")
        .body(numerous::axum::body::Body::empty())
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = numerous::axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let page = String::from_utf8(body.to_vec()).unwrap();
    let links = page
        .matches(r#"rel="stylesheet" href="/numerous-widgets/"#)
        .count();
    assert_eq!(links, 1, "{page}");
}
