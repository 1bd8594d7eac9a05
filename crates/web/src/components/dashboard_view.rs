//! The dashboard: the order flow's Kafka pipeline as an operator sees it — throughput, error rate,
//! processing time, dead-letter topic size, consumer lag per partition as a heatmap and over time, and
//! alerts with editable thresholds. It shows the same run as the sync-vs-event-driven view.

use yew::prelude::*;

use super::chart::{HeatmapChart, ServiceLinesChart};
use super::flow_controls::{FlowControls, FlowHandle};
use super::number_field::NumberField;
use crate::charts::heatmap::HeatmapData;
use crate::charts::service_lines::ServiceLines;
use crate::state::dashboard::{self, Thresholds};
use crate::state::flow::FlowAction;

/// Props of [`DashboardView`].
#[derive(Properties, PartialEq)]
pub struct DashboardViewProps {
    /// Offer the run controls only (an embed that asked for it).
    #[prop_or_default]
    pub play_only: bool,
}

/// A threshold field's setter: parses what was typed into the thresholds, or says why not.
fn threshold_callback(
    thresholds: &UseStateHandle<Thresholds>,
    refused: &UseStateHandle<Option<String>>,
    what: &'static str,
    set: fn(&mut Thresholds, f64),
) -> Callback<String> {
    let (thresholds, refused) = (thresholds.clone(), refused.clone());
    Callback::from(move |typed: String| match typed.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => {
            let mut next = *thresholds;
            set(&mut next, value);
            thresholds.set(next);
            refused.set(None);
        }
        _ => refused.set(Some(format!(
            "{what}: {typed:?} is not a number of 0 or more."
        ))),
    })
}

/// `ms` for people: milliseconds below 10 s, seconds above.
fn duration(ms: f64) -> String {
    if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.0} s", ms / 1_000.0)
    }
}

/// The operator's dashboard of the app's order flow.
#[function_component(DashboardView)]
pub fn dashboard_view(props: &DashboardViewProps) -> Html {
    let thresholds = use_state(Thresholds::default);
    let refused = use_state(|| None::<String>);
    // Rebuilt only when the thresholds change, so the fields keep what the user is typing during a run.
    let callbacks = use_memo((*thresholds, refused.clone()), |_| {
        [
            threshold_callback(&thresholds, &refused, "Lag threshold", |t, v| {
                t.lag = v as u64
            }),
            threshold_callback(&thresholds, &refused, "Error-rate threshold", |t, v| {
                t.error_percent = v
            }),
            threshold_callback(&thresholds, &refused, "p99 threshold", |t, v| t.p99_ms = v),
            threshold_callback(&thresholds, &refused, "Dead-letter threshold", |t, v| {
                t.dead_letters = v as u64
            }),
        ]
    });
    let state = use_context::<FlowHandle>();
    // The heatmap needs every partition's lag: ask the model for them while the dashboard is open.
    use_effect_with((), {
        let dispatcher = state.as_ref().map(|s| s.dispatcher());
        move |()| {
            if let Some(d) = &dispatcher {
                d.dispatch(FlowAction::WatchPartitions(true));
            }
            move || {
                if let Some(d) = dispatcher {
                    d.dispatch(FlowAction::WatchPartitions(false));
                }
            }
        }
    });
    let Some(state) = state else {
        return html! {};
    };

    let report = state.report();
    let figures = dashboard::figures(report);
    let alerts = dashboard::alerts(report, *thresholds);
    let lag_now: u64 = state.picture().event.groups.iter().map(|g| g.lag).sum();
    let heatmap = HeatmapData {
        services: report
            .series
            .services
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let cells = state
                    .partition_lags(i)
                    .iter()
                    .map(|l| (l.now, l.peak))
                    .collect();
                (name.clone(), cells)
            })
            .collect(),
    };
    let window_s = report.series.window_ms / 1_000.0;
    let lag = ServiceLines::lag(&report.series);
    let throughput = ServiceLines::from_series(
        "Throughput per service (records finished per second)",
        "records/s",
        &report.series,
        |p, i| p.processed[i] as f64 / window_s,
    );
    let processing = figures
        .processing_ms
        .iter()
        .map(|(name, p50, p99)| format!("{name} {}/{}", duration(*p50), duration(*p99)))
        .collect::<Vec<_>>()
        .join(" \u{b7} ");
    let t = *thresholds;

    html! {
        <section class="panel dashboard-view" aria-labelledby="dashboard-title">
            <h2 id="dashboard-title">{ "Operating the pipeline" }</h2>
            <FlowControls play_only={props.play_only} />
            <dl class="tiles">
                <div class="tile">
                    <dt>{ "Throughput" }</dt>
                    <dd data-testid="dash-throughput">{ format!("{:.0} orders/s in \u{b7} {:.0} records/s out", figures.accepted_per_s, figures.processed_per_s) }</dd>
                </div>
                <div class="tile">
                    <dt>{ "Error rate" }</dt>
                    <dd data-testid="dash-error-rate">{ format!("sync {:.2} % failed \u{b7} {:.2} % dead-lettered", figures.sync_error_percent, figures.dead_letter_percent) }</dd>
                </div>
                <div class="tile">
                    <dt>{ "Processing time p50/p99 (publish to done)" }</dt>
                    <dd data-testid="dash-processing">{ processing }</dd>
                </div>
                <div class="tile">
                    <dt>{ "Dead-letter topics" }</dt>
                    <dd data-testid="dash-dlq">{ format!("{} records", figures.dead_letters) }</dd>
                </div>
                <div class="tile">
                    <dt>{ "Lag now" }</dt>
                    <dd data-testid="dash-lag">{ format!("{lag_now} records") }</dd>
                </div>
            </dl>
            <div class="alerts">
                <h3>{ "Alerts" }</h3>
                <div class="controls">
                    <NumberField label="Lag above (records)" test_id="threshold-lag" min="0" value={t.lag.to_string()} onchange={callbacks[0].clone()} />
                    <NumberField label="Sync errors above (%)" test_id="threshold-error-rate" min="0" step="any" value={t.error_percent.to_string()} onchange={callbacks[1].clone()} />
                    <NumberField label="Sync p99 above (ms)" test_id="threshold-latency" min="0" step="any" value={t.p99_ms.to_string()} onchange={callbacks[2].clone()} />
                    <NumberField label="Dead letters above" test_id="threshold-dlq" min="0" value={t.dead_letters.to_string()} onchange={callbacks[3].clone()} />
                </div>
                if let Some(message) = &*refused {
                    <p class="notice refused" role="alert">{ message }</p>
                }
                <ul class="alert-list" aria-live="polite">
                    { for alerts.iter().map(|a| html! {
                        <li class={classes!("alert", a.firing.then_some("firing"))} data-testid={format!("alert-{}", a.kind.id())}
                            data-firing={a.firing.to_string()}>
                            <span class="alert-mark" aria-hidden="true">{ if a.firing { "\u{25b2}" } else { "\u{2713}" } }</span>
                            { &a.text }
                        </li>
                    }) }
                </ul>
            </div>
            <HeatmapChart data={heatmap} />
            <div class="charts">
                <ServiceLinesChart data={lag} test_id="lag-chart" />
                <ServiceLinesChart data={throughput} test_id="throughput-chart" />
            </div>
        </section>
    }
}
