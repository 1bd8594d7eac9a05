//! A one-line message about the last action.

use yew::prelude::*;

use crate::state::world::Notice;

/// Props of [`NoticeBar`].
#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    /// The message, if any.
    pub notice: Option<Notice>,
}

/// Shows an informational or refusal message; nothing when there is none.
#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    match &props.notice {
        None => html! {},
        Some(Notice::Info(text)) => {
            html! { <p class="notice info" role="status" data-testid="notice">{ text }</p> }
        }
        Some(Notice::Refused(text)) => {
            html! { <p class="notice refused" role="alert" data-testid="notice">{ text }</p> }
        }
    }
}
