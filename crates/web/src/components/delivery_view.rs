//! The delivery-semantics view: one consumer crash in the middle of a batch, drawn once per commit
//! strategy — a row of the partition's offsets, each coloured by how often its effect was applied (lost,
//! once, twice), with the batches, the crash and the committed offset marked ([`crate::state::delivery`]).

use kplay_core::delivery::{CommitStrategy, DeliveryReport};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::number_field::NumberField;
use crate::state::delivery::{DeliveryAction, DeliveryState};

/// Props of [`DeliveryView`].
#[derive(Properties, PartialEq)]
pub struct DeliveryViewProps {
    /// The view's state (the app keeps it, so it survives switching views and links carry it).
    pub state: UseReducerHandle<DeliveryState>,
}

/// Offsets as people read them: runs joined (`10–14, 17`), or "none".
fn runs(offsets: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < offsets.len() {
        let start = offsets[i];
        let mut end = start;
        while offsets.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}\u{2013}{end}")
        });
        i += 1;
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Offsets for machines (the end-to-end tests compare them with `kplay delivery`): `12,13,14`.
fn listed(offsets: &[u64]) -> String {
    offsets
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// One strategy's row: its offsets and what became of them.
fn row(strategy: CommitStrategy, report: &DeliveryReport, batch: u64, crash_before: u64) -> Html {
    let name = strategy.guarantee();
    let cells = (0..report.applied.len()).map(|offset| {
        (
            offset as u64,
            report.applied[offset],
            report.processed[offset],
            report.delivered[offset],
        )
    });
    html! {
        <section class="delivery-row" data-testid={format!("delivery-row-{name}")}>
            <h3>{ name }<small>{ format!(" \u{b7} {}", strategy.recipe()) }</small></h3>
            <ol class="offsets" aria-label={format!("{name}: offsets and how often each was applied")}>
                { for cells.map(|(offset, applied, processed, delivered)| {
                    let fate = match applied {
                        0 => "lost",
                        1 if processed > 1 => "skipped",
                        1 => "once",
                        _ => "twice",
                    };
                    let title = format!(
                        "offset {offset}: handed to a consumer {delivered}\u{d7}, processed {processed}\u{d7}, applied {applied}\u{d7}{}",
                        match fate {
                            "lost" => " \u{2014} lost",
                            "skipped" => " \u{2014} redelivered, recognised and skipped",
                            "twice" => " \u{2014} applied twice",
                            _ => "",
                        }
                    );
                    html! {
                        <li class={classes!(
                                "offset-cell", fate,
                                (offset.is_multiple_of(batch) && offset > 0).then_some("batch-start"),
                                (offset == report.committed_at_crash).then_some("committed"),
                                (offset == crash_before).then_some("crash"),
                            )}
                            {title}>
                            { offset }
                        </li>
                    }
                }) }
            </ol>
            <p class="counts">
                { "committed offset at the crash: " }
                <b data-testid={format!("delivery-committed-{name}")}>{ report.committed_at_crash }</b>
                { " \u{b7} lost: " }
                <b data-testid={format!("delivery-lost-{name}")} data-offsets={listed(&report.lost)}>{ runs(&report.lost) }</b>
                { " \u{b7} applied twice: " }
                <b data-testid={format!("delivery-duplicated-{name}")} data-offsets={listed(&report.duplicated)}>{ runs(&report.duplicated) }</b>
            </p>
        </section>
    }
}

/// The delivery-semantics view.
#[function_component(DeliveryView)]
pub fn delivery_view(props: &DeliveryViewProps) -> Html {
    let state = props.state.clone();
    let on_records = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(DeliveryAction::SetRecords(typed));
    });
    let on_batch = use_callback(state.dispatcher(), |typed: String, state| {
        state.dispatch(DeliveryAction::SetMaxPollRecords(typed));
    });
    let on_crash = {
        let state = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            state.dispatch(DeliveryAction::SetCrashBefore(typed));
        })
    };
    let scenario = state.scenario;
    let (records, batch, crash) = (
        scenario.records(),
        scenario.max_poll_records(),
        scenario.crash_before(),
    );
    let crash_text = if crash == records {
        "no crash".to_owned()
    } else {
        format!("crash before offset {crash}")
    };
    html! {
        <section class="panel delivery-view" aria-labelledby="delivery-title">
            <h2 id="delivery-title">{ "Delivery semantics: what a crash costs" }</h2>
            <p class="hint">
                { "Consumer A polls max.poll.records records at a time and commits the next offset to read; it crashes just before processing one record, and consumer B takes the partition over from the committed offset. The same incident, three ways of committing:" }
            </p>
            <div class="controls">
                <NumberField label="Records in the partition" test_id="delivery-records" min="1" max="100"
                    value={records.to_string()} onchange={on_records} />
                <NumberField label="max.poll.records" test_id="delivery-max-poll-records" min="1" max="100"
                    value={batch.to_string()} onchange={on_batch} />
                <label class="field crash-field">
                    <span data-testid="delivery-crash-label">{ crash_text }</span>
                    <input type="range" data-testid="delivery-crash" min="0" max={records.to_string()}
                        value={crash.to_string()} oninput={on_crash} />
                </label>
            </div>
            if let Some(message) = &state.error {
                <p class="notice refused" role="alert" data-testid="delivery-message">{ message }</p>
            }
            { for state.outcomes().iter().map(|(strategy, report)| row(*strategy, report, u64::from(batch), crash)) }
            <p class="legend">
                <span class="offset-cell once">{ "applied once" }</span>
                <span class="offset-cell lost">{ "lost" }</span>
                <span class="offset-cell twice">{ "applied twice" }</span>
                <span class="offset-cell skipped">{ "redelivered, skipped" }</span>
                <span class="offset-cell committed">{ "committed offset" }</span>
                <span class="offset-cell crash">{ "crash" }</span>
            </p>
            <p class="hint">
                { "The same numbers from a terminal: " }
                <code data-testid="delivery-command">{ format!("kplay delivery --records {records} --max-poll-records {batch} --crash-before {crash}") }</code>
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_runs() {
        assert_eq!(runs(&[]), "none");
        assert_eq!(runs(&[4]), "4");
        assert_eq!(
            runs(&[10, 11, 12, 14, 16, 17]),
            "10\u{2013}12, 14, 16\u{2013}17"
        );
        assert_eq!(listed(&[12, 13]), "12,13");
    }
}
