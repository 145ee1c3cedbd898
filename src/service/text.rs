//! Text: Markdown from our own people to HTML, and any HTML (ours or another server's) cleaned to
//! the tags Mastodon keeps (p, br, a, span, strong, em, b, i, u, del, pre, code, ul, ol, li,
//! blockquote). Everything else, SVG and MathML included, is removed; links get
//! `rel="nofollow noopener noreferrer"`.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

const TAGS: &[&str] = &[
    "p",
    "br",
    "a",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "del",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "blockquote",
];
/// Classes Mastodon and others use for mentions and hashtags.
const CLASSES: &[&str] = &[
    "mention",
    "hashtag",
    "u-url",
    "h-card",
    "invisible",
    "ellipsis",
];

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(
            [
                "script", "style", "svg", "math", "iframe", "object", "template",
            ]
            .into(),
        )
        .add_tag_attributes("a", ["href"])
        .allowed_classes(
            [
                ("a", CLASSES.iter().copied().collect::<HashSet<_>>()),
                ("span", CLASSES.iter().copied().collect()),
            ]
            .into(),
        )
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("nofollow noopener noreferrer"))
        .strip_comments(true);
    builder
});

/// Cleans HTML to the shared subset. Use on everything that came from outside.
pub fn sanitize(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// Renders Markdown to clean HTML. Headings become bold paragraphs and images their alt text,
/// because the subset has neither.
pub fn markdown_to_html(source: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(source, options).flat_map(|event| match event {
        Event::Start(Tag::Heading { .. }) => {
            vec![Event::Start(Tag::Paragraph), Event::Start(Tag::Strong)]
        }
        Event::End(TagEnd::Heading(_)) => {
            vec![Event::End(TagEnd::Strong), Event::End(TagEnd::Paragraph)]
        }
        Event::Html(raw) | Event::InlineHtml(raw) => vec![Event::Text(raw)],
        other => vec![other],
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    sanitize(&html)
}

/// The text of some HTML, without tags, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    // Block ends separate words; stripping the tags alone would glue paragraphs together.
    let mut spaced = html.to_owned();
    for end in [
        "</p>",
        "<br>",
        "<br/>",
        "<br />",
        "</li>",
        "</blockquote>",
        "</pre>",
    ] {
        spaced = spaced.replace(end, &format!("{end} "));
    }
    let stripped = ammonia::Builder::empty().clean(&spaced).to_string();
    let unescaped = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    unescaped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for use inside HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A teaser of at most `max` characters, cut at a word and marked with an ellipsis.
pub fn teaser(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_html_keeps_only_the_subset() {
        let dirty = r#"<p onclick="x()">Hoi <script>alert(1)</script><a href="javascript:alert(1)">klik</a>
            <a href="https://buurt.example/" class="mention evil">@buurt</a><svg><circle/></svg>
            <math><mi>x</mi></math><img src="https://x/y.png"><h1>Kop</h1><iframe src="https://x"></iframe></p>"#;
        let clean = sanitize(dirty);
        for gone in [
            "onclick",
            "script",
            "alert",
            "javascript",
            "svg",
            "circle",
            "math",
            "<mi",
            "img",
            "<h1",
            "iframe",
            "evil",
        ] {
            assert!(!clean.contains(gone), "{gone} survived: {clean}");
        }
        assert!(clean.contains(r#"<a href="https://buurt.example/" class="mention" rel="nofollow noopener noreferrer">@buurt</a>"#), "{clean}");
        assert!(clean.contains("Kop"));
    }

    #[test]
    fn markdown_renders_into_the_subset() {
        let html = markdown_to_html(
            "# Moestuin\n\nWe zoeken **vrijwilligers** voor de [moestuin](https://oss.example/tuin).\n\n- zaaien\n- wieden\n\n<script>x</script> ![foto](https://x/y.png)",
        );
        assert!(html.contains("<p><strong>Moestuin</strong></p>"), "{html}");
        assert!(html.contains("<strong>vrijwilligers</strong>"), "{html}");
        assert!(html.contains(r#"<a href="https://oss.example/tuin" rel="nofollow noopener noreferrer">moestuin</a>"#), "{html}");
        assert!(html.contains("<li>zaaien</li>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn plain_text_and_teasers() {
        assert_eq!(
            plain_text("<p>Samen  <strong>koken</strong></p><p>in de buurt &amp; meer</p>"),
            "Samen koken in de buurt & meer"
        );
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
        assert_eq!(teaser("kort", 10), "kort");
        assert_eq!(
            teaser("Een lange zin over de buurtmoestuin", 20),
            "Een lange zin over…"
        );
    }
}
