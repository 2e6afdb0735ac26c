//! Markdown to safe HTML: raw HTML becomes text, script URLs become `#`.

use pulldown_cmark::{Event, Options, Parser, Tag};

/// Renders Markdown to HTML that is safe to insert into a page.
pub(crate) fn to_html(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: disarm(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: disarm(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

fn disarm(url: pulldown_cmark::CowStr<'_>) -> pulldown_cmark::CowStr<'_> {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let has_scheme = url.contains(':');
    if has_scheme && matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
        "#".into()
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_markdown() {
        assert_eq!(to_html("# Hi *there*"), "<h1>Hi <em>there</em></h1>\n");
    }

    #[test]
    fn raw_html_is_text() {
        let html = to_html("<script>alert(1)</script> and <b>x</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn script_links_are_disarmed() {
        let html = to_html("[x](javascript:alert(1)) [y]( JavaScript:alert(1)) [z](https://a.b)");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("https://a.b"));
    }
}
