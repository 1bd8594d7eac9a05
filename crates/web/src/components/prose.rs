//! The Markdown of a lesson, drawn as HTML elements (never as raw HTML, so a lesson file cannot inject
//! markup): paragraphs, `- ` lists, fenced code blocks, and inline `code` and **bold**. That is the
//! subset `lessons/README.md` promises authors.

use yew::prelude::*;

/// `markdown` as elements.
pub fn prose(markdown: &str) -> Html {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() {
            continue;
        }
        if line.trim_start().starts_with("```") {
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                code.push(inner);
            }
            blocks.push(html! { <pre><code>{ code.join("\n") }</code></pre> });
            continue;
        }
        let mut block = vec![line];
        while let Some(next) = lines.peek() {
            if next.trim().is_empty() || next.trim_start().starts_with("```") {
                break;
            }
            block.push(next);
            lines.next();
        }
        if block.iter().all(|l| l.trim_start().starts_with("- ")) {
            blocks.push(html! {
                <ul>{ for block.iter().map(|l| html! { <li>{ inline(l.trim_start()[2..].trim()) }</li> }) }</ul>
            });
        } else {
            blocks.push(html! { <p>{ inline(&block.join(" ")) }</p> });
        }
    }
    html! { <>{ for blocks }</> }
}

/// One line's text with its `code` spans and **bold** runs.
fn inline(text: &str) -> Html {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let code = rest.find('`');
        let bold = rest.find("**");
        let (at, marker) = match (code, bold) {
            (Some(c), Some(b)) if b < c => (b, "**"),
            (Some(c), _) => (c, "`"),
            (None, Some(b)) => (b, "**"),
            (None, None) => break,
        };
        let after = &rest[at + marker.len()..];
        let Some(end) = after.find(marker) else { break };
        out.push(html! { { &rest[..at] } });
        let inner = &after[..end];
        out.push(if marker == "`" {
            html! { <code>{ inner }</code> }
        } else {
            html! { <strong>{ inner }</strong> }
        });
        rest = &after[end + marker.len()..];
    }
    out.push(html! { { rest } });
    html! { <>{ for out }</> }
}
