//! The landing view: one seeded stream of orders through a synchronous HTTP chain and a Kafka pipeline,
//! side by side, with the user's wait, failures, lag and both latency distributions.

use kplay_core::group::share::DELIVERY_COUNT_LIMIT;
use yew::prelude::*;

use super::chart::{LatencyChart, ServiceLinesChart};
use super::flow_controls::{FlowControls, FlowHandle};
use super::flow_diagram::FlowDiagram;
use super::record_clip::RecordClip;
use super::scenario_tools::ScenarioTools;
use crate::charts::latency::LatencyData;
use crate::charts::service_lines::ServiceLines;
use crate::state::flow::FlowAction;

/// Props of [`FlowView`].
#[derive(Properties, PartialEq)]
pub struct FlowViewProps {
    /// Offer the run controls only (an embed that asked for it).
    #[prop_or_default]
    pub play_only: bool,
}

/// The sync-vs-event-driven view of the app's order flow.
#[function_component(FlowView)]
pub fn flow_view(props: &FlowViewProps) -> Html {
    let Some(state) = use_context::<FlowHandle>() else {
        return html! {};
    };
    let toggle_outage = |index: usize| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: Event| dispatcher.dispatch(FlowAction::ToggleOutage(index)))
    };

    // Render
    let report = state.report();
    let picture = state.picture();
    let latency = LatencyData {
        sync: report.sync.response_cdf.clone(),
        event: report.event_driven.response_cdf.clone(),
    };
    let lag = ServiceLines::lag(&report.series);

    html! {
        <section class="panel flow-view" aria-labelledby="flow-title">
            <h2 id="flow-title">{ "The same orders, two architectures" }</h2>
            <FlowControls play_only={props.play_only} />
            if !props.play_only {
                <ScenarioTools view={crate::state::route::View::SyncVsEvent} />
            }
            <div class="headline" aria-live="polite">
                { "The user waits " }
                <strong data-testid="headline-sync-ms">{ format!("{:.1}", report.sync.response_ms.mean) }</strong>
                { " ms in the synchronous chain vs " }
                <strong data-testid="headline-event-ms">{ format!("{:.1}", report.event_driven.response_ms.mean) }</strong>
                { " ms event-driven (mean so far)." }
            </div>
            <RecordClip target="flow-diagram" />
            <FlowDiagram snapshot={state.snapshot().clone()} />
            <div class="lanes-2">
                <div class="flow-lane">
                    <h3>{ "Synchronous HTTP chain" }</h3>
                    <p class="counts">
                        <span data-testid="sync-succeeded">{ format!("{} succeeded", report.sync.succeeded) }</span>
                        { " \u{b7} " }
                        <span data-testid="sync-failed" class={classes!((report.sync.failed > 0).then_some("bad"))}>{ format!("{} failed", report.sync.failed) }</span>
                        { format!(" \u{b7} {} waiting", picture.sync.waiting) }
                    </p>
                    <ol class="chain">
                        { for state.scenario.services.iter().enumerate().map(|(i, s)| {
                            let failed = report.sync.failed_calls.0.get(i).map_or(0, |(_, f)| *f);
                            let down = !s.outages.is_empty();
                            html! {
                                <li class={classes!("hop", down.then_some("down"))}>
                                    <span class="hop-name">{ &s.name }</span>
                                    <span class="hop-detail">{ format!("{} worker(s) \u{b7} {failed} failed call(s){}", s.instances, if s.required { "" } else { " \u{b7} optional" }) }</span>
                                    <label class="outage">
                                        <input type="checkbox" data-testid={format!("outage-{}", s.name)} checked={down}
                                            disabled={props.play_only} onchange={toggle_outage(i)} />
                                        { " outage" }
                                    </label>
                                </li>
                            }
                        }) }
                    </ol>
                </div>
                <div class="flow-lane">
                    <h3>{ "Kafka pipeline" }</h3>
                    <p class="counts">
                        <span data-testid="event-accepted">{ format!("{} accepted", report.event_driven.accepted) }</span>
                        { format!(" of {} orders", report.event_driven.orders) }
                    </p>
                    <ol class="chain">
                        { for report.event_driven.services.0.iter().enumerate().map(|(i, (name, s))| html! {
                            <li class="hop">
                                <span class="hop-name">{ name }</span>
                                <span class="hop-detail" data-testid={format!("hop-{name}")}>
                                    { format!("lag {} \u{b7} {} processed \u{b7} {} dead-lettered", picture.event.groups.get(i).map_or(0, |g| g.lag), s.processed, s.dead_lettered) }
                                    if s.archived > 0 { { format!(" \u{b7} {} archived after {DELIVERY_COUNT_LIMIT} deliveries (share group)", s.archived) } }
                                    if s.idle_consumers > 0 { { format!(" \u{b7} {} idle consumer(s)", s.idle_consumers) } }
                                </span>
                            </li>
                        }) }
                    </ol>
                </div>
            </div>
            <div class="charts">
                <LatencyChart data={latency} />
                <ServiceLinesChart data={lag} test_id="lag-chart" />
            </div>
        </section>
    }
}
