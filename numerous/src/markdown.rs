//! Markdown to safe HTML: raw HTML becomes text, script URLs become `#`.

use std::cell::RefCell;
use std::sync::Arc;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// Markdown source with the HTML it renders to.
#[derive(Debug)]
pub(crate) struct Rendered {
    pub(crate) source: Box<str>,
    pub(crate) html: Box<str>,
}

/// Sources rendered lately on this thread: widgets showing the same text (the same widget in
/// every session, a fresh app for every page) share one rendering instead of each keeping its
/// own copy. Per thread, so no lock is shared.
const SHARED: usize = 16;

thread_local! {
    static LATELY: RefCell<Vec<Arc<Rendered>>> = const { RefCell::new(Vec::new()) };
}

/// `source` rendered, shared with the other widgets that show it.
pub(crate) fn shared(source: &str) -> Arc<Rendered> {
    LATELY.with(|lately| {
        let mut lately = lately.borrow_mut();
        if let Some(i) = lately.iter().position(|r| &*r.source == source) {
            // Most recent last: the oldest goes first when the list is full.
            let r = lately.remove(i);
            lately.push(r.clone());
            return r;
        }
        let r = Arc::new(Rendered {
            source: source.into(),
            html: to_html(source).into(),
        });
        if lately.len() == SHARED {
            lately.remove(0);
        }
        lately.push(r.clone());
        r
    })
}

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
    use std::sync::Arc;

    use super::{SHARED, shared, to_html};

    #[test]
    fn widgets_showing_the_same_text_share_its_rendering() {
        let a = shared("**same**");
        let b = shared("**same**");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a.html, "<p><strong>same</strong></p>\n");
        let other = shared("*other*");
        assert!(!Arc::ptr_eq(&a, &other));
        // A long-gone text is rendered again: what is kept stays bounded.
        for i in 0..SHARED {
            shared(&format!("text {i}"));
        }
        assert!(!Arc::ptr_eq(&a, &shared("**same**")));
    }

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
