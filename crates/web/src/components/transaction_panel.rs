//! The partition view's transaction controls: begin, commit and abort a transaction of the view's
//! transactional producer (the producer form writes inside it while one is open), whether consumers added
//! now read only committed records (`isolation.level=read_committed`), and the coordinator's line for
//! the transactional id ([`crate::state::partitions::transaction_status`]).

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`TransactionPanel`].
#[derive(Properties, PartialEq)]
pub struct TransactionPanelProps {
    /// The coordinator's line for the transactional id.
    pub status: String,
    /// Whether the producer has a transaction open.
    pub open: bool,
    /// Whether consumers added now read only committed records.
    pub read_committed: bool,
    /// `"begin"`, `"commit"` or `"abort"`.
    pub oncall: Callback<&'static str>,
    /// The read-committed box changed.
    pub onreadcommitted: Callback<bool>,
}

/// Begin / Commit / Abort, the read-committed box and the transaction's line.
#[function_component(TransactionPanel)]
pub fn transaction_panel(props: &TransactionPanelProps) -> Html {
    let call = |name: &'static str| {
        let oncall = props.oncall.clone();
        Callback::from(move |_: MouseEvent| oncall.emit(name))
    };
    let onchange = {
        let onreadcommitted = props.onreadcommitted.clone();
        Callback::from(move |e: Event| {
            onreadcommitted.emit(e.target_unchecked_into::<HtmlInputElement>().checked());
        })
    };
    html! {
        <div class="transaction-panel" data-testid="transaction-panel">
            <span class="label">{ "Transaction" }</span>
            <button type="button" data-testid="txn-begin" disabled={props.open} onclick={call("begin")}>{ "Begin" }</button>
            <button type="button" data-testid="txn-commit" disabled={!props.open} onclick={call("commit")}>{ "Commit" }</button>
            <button type="button" data-testid="txn-abort" class="secondary" disabled={!props.open} onclick={call("abort")}>{ "Abort" }</button>
            <label class="check" title="isolation.level=read_committed: read only below the last stable offset, skipping aborted records">
                <input type="checkbox" data-testid="read-committed" checked={props.read_committed} {onchange} />
                { "New consumers read_committed" }
            </label>
            <small class="status" data-testid="txn-status">
                { if props.open { "Produce writes inside the transaction \u{b7} " } else { "" } }
                { &props.status }
            </small>
        </div>
    }
}
