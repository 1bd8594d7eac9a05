//! A concept page of the docs site: the concept explained briefly, its live widget embedded with the same
//! `<iframe>` snippet a tutorial would use, and the list of concepts.

use yew::prelude::*;

use super::scenario_tools::app_address;
use super::theme_toggle::ThemeToggle;
use crate::docs::{CONCEPTS, Concept};

/// Props of [`DocsPage`].
#[derive(Properties, PartialEq)]
pub struct DocsPageProps {
    /// The concept shown.
    pub concept: &'static Concept,
}

/// One concept page.
#[function_component(DocsPage)]
pub fn docs_page(props: &DocsPageProps) -> Html {
    let concept = props.concept;
    let widget = format!("?{}", concept.widget);
    let snippet = format!(
        "<iframe src=\"{}{widget}\" title=\"kplay: {}\" style=\"width:100%;height:640px;border:0\" loading=\"lazy\"></iframe>",
        app_address(),
        concept.title
    );
    html! {
        <div class="docs-layout">
            <nav class="docs-nav" aria-label="Concepts">
                <a class="docs-home" href="?view=sync-vs-event" data-testid="playground-link">{ "\u{2190} kplay playground" }</a>
                <ol>
                    { for CONCEPTS.iter().map(|c| html! {
                        <li>
                            <a href={format!("?page={}", c.id)} aria-current={(c.id == concept.id).then_some("page")}
                                data-testid={format!("concept-{}", c.id)}>{ c.title }</a>
                        </li>
                    }) }
                </ol>
                <a class="docs-home" href="?lesson=" data-testid="lessons-link">{ "Guided lessons" }</a>
                <ThemeToggle />
            </nav>
            <article class="panel concept" data-testid="concept-page">
                <h1>{ concept.title }</h1>
                { for concept.paragraphs.iter().map(|p| html! { <p>{ *p }</p> }) }
                <p class="watch"><strong>{ "Try it: " }</strong>{ concept.try_this }</p>
                <p><a href={format!("?lesson={}", concept.lesson)} data-testid="concept-lesson">{ "Take the guided lesson \u{2192}" }</a></p>
                <iframe class="widget" src={widget} title={format!("kplay: {}", concept.title)} data-testid="concept-widget" loading="lazy" />
                <details class="snippet">
                    <summary>{ "Embed this widget in your own page" }</summary>
                    <pre><code>{ snippet }</code></pre>
                </details>
            </article>
        </div>
    }
}
