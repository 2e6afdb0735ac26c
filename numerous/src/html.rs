//! HTML escaping, for what numerous writes into pages itself (widgets' markup, the login page's
//! errors, the server's index). At the bottom of the layers: it uses nothing of numerous.

use std::fmt;

/// `s` escaped for HTML text and attribute values.
pub(crate) fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = escape_html(s, &mut out);
    out
}

/// Writes `s` escaped for HTML text and attribute values.
pub(crate) fn escape_html(s: &str, out: &mut impl fmt::Write) -> fmt::Result {
    for c in s.chars() {
        match c {
            '&' => out.write_str("&amp;")?,
            '<' => out.write_str("&lt;")?,
            '>' => out.write_str("&gt;")?,
            '"' => out.write_str("&quot;")?,
            '\'' => out.write_str("&#39;")?,
            c => out.write_char(c)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_html_reads_as_markup() {
        assert_eq!(
            super::escaped(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
