//! Keeping and sharing the order flow's scenario: a link that reproduces the run, the scenario as a JSON
//! file (`kplay simulate` reads the same file), importing one, the results as JSON or CSV, and the scenario
//! as the commands to set it up on a real Kafka cluster.

use kplay_core::bridge::kafka_commands;
use kplay_core::delivery::CrashScenario;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::flow_controls::FlowHandle;
use crate::download;
use crate::state::flow::FlowAction;
use crate::state::route::{Route, Showing, View};
use crate::state::share;

/// Props of [`ScenarioTools`].
#[derive(Properties, PartialEq)]
pub struct ScenarioToolsProps {
    /// The view links open.
    pub view: View,
}

/// The page's own address without its query: where links to the app point.
#[must_use]
pub fn app_address() -> String {
    web_sys::window()
        .map(|w| w.location())
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default()
}

/// The link to `view` with the flow's scenario and the state of what the view shows: the world view's
/// script and moment (absolute), the delivery view's incident, or else the order flow's moment.
/// Recomputed only when one of them changes: encoding deflates the scenario and the script, too much work
/// to repeat on every animation frame (the script is packed again only when it changes, not when the
/// moment does). A script larger than a link may carry ([`share::MAX_SCENARIO_BYTES`]) is left out of the
/// link; "Export script" and the autosave keep it.
#[hook]
pub fn use_share_link(
    view: View,
    flow: Option<&FlowHandle>,
    world: Option<(Rc<str>, u64)>,
    delivery: Option<CrashScenario>,
) -> Rc<String> {
    let script = world.as_ref().map(|(script, _)| script.clone());
    let packed = use_memo(script, |script| {
        script
            .as_ref()
            .filter(|s| s.len() <= share::MAX_SCENARIO_BYTES)
            .map(|s| share::pack(s))
    });
    let world_at = world.map(|(_, at)| at);
    let flow_at = flow.map_or(0, |f| f.moment_ms());
    use_memo(
        (
            view,
            flow.map(|f| f.scenario.clone()),
            packed,
            world_at,
            delivery,
            flow_at,
        ),
        |(view, scenario, packed, world_at, delivery, flow_at)| {
            scenario.as_ref().map_or_else(String::new, |scenario| {
                let showing = match (delivery, world_at) {
                    (Some(incident), _) => Showing::Delivery(*incident),
                    (None, Some(at)) => Showing::World(packed.as_deref(), *at),
                    (None, None) => Showing::Flow(*flow_at),
                };
                format!(
                    "{}{}",
                    app_address(),
                    Route::link_query(*view, scenario, showing)
                )
            })
        },
    )
}

/// Share, save and load controls for the flow's scenario.
#[function_component(ScenarioTools)]
pub fn scenario_tools(props: &ScenarioToolsProps) -> Html {
    // Whether the last copy reached the clipboard (it may be refused: no permission, no secure context).
    let copied = use_state(|| None::<bool>);
    let kafka_open = use_state(|| false);
    let state = use_context::<FlowHandle>();
    let link = use_share_link(props.view, state.as_ref(), None, None);
    let Some(state) = state else {
        return html! {};
    };
    let scenario = &state.scenario;
    let base_name = scenario
        .name
        .clone()
        .unwrap_or_else(|| "scenario".to_owned());

    let copy = {
        let (link, copied) = (link.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let written = window.navigator().clipboard().write_text(&link);
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let ok = wasm_bindgen_futures::JsFuture::from(written).await.is_ok();
                copied.set(Some(ok));
            });
        })
    };
    let export_scenario = {
        let (json, name) = (share::to_json(scenario), base_name.clone());
        Callback::from(move |_: MouseEvent| {
            download::text(&json, "application/json", &format!("{name}.json"));
        })
    };
    let export_json = {
        let (snapshot, name) = (state.snapshot().clone(), base_name.clone());
        Callback::from(move |_: MouseEvent| {
            let json = serde_json::to_string_pretty(&snapshot.report).unwrap_or_default();
            download::text(&json, "application/json", &format!("{name}-report.json"));
        })
    };
    let export_csv = {
        let (snapshot, name) = (state.snapshot().clone(), base_name.clone());
        Callback::from(move |_: MouseEvent| {
            download::text(
                &snapshot.report.series.to_csv(),
                "text/csv",
                &format!("{name}-series.csv"),
            );
        })
    };
    let import = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: Event| {
            let input = event.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let dispatcher = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let read = gloo::file::futures::read_as_text(&gloo::file::Blob::from(file)).await;
                let action = match read
                    .map_err(|e| e.to_string())
                    .and_then(|text| share::from_json(text.as_bytes()))
                {
                    Ok(scenario) => FlowAction::Load(Box::new(scenario)),
                    Err(err) => FlowAction::Refuse(format!("{name} was not imported: {err}")),
                };
                dispatcher.dispatch(action);
            });
        })
    };
    let toggle_kafka = {
        let kafka_open = kafka_open.clone();
        Callback::from(move |_: MouseEvent| kafka_open.set(!*kafka_open))
    };
    let script = kafka_open.then(|| kafka_commands(scenario));
    let save_kafka = {
        let (name, script) = (base_name, script.clone().unwrap_or_default());
        Callback::from(move |_: MouseEvent| {
            download::text(&script, "text/x-shellscript", &format!("{name}-kafka.sh"));
        })
    };

    html! {
        <div class="scenario-tools" role="group" aria-label="Share and save">
            <label class="field share">
                <span>{ "Link to this scenario" }</span>
                <input type="text" readonly=true data-testid="share-link" value={(*link).clone()} />
            </label>
            <button type="button" class="secondary" data-testid="copy-link" onclick={copy}>
                { match *copied {
                    None => "Copy link",
                    Some(true) => "Copied",
                    Some(false) => "Copy refused: select the link",
                } }
            </button>
            <button type="button" class="secondary" data-testid="export-scenario" onclick={export_scenario}>{ "Export scenario" }</button>
            <label class="file-button secondary">
                { "Import scenario" }
                <input type="file" accept=".json,application/json" data-testid="import-scenario" onchange={import} />
            </label>
            <button type="button" class="secondary" data-testid="export-results-json" onclick={export_json}>{ "Results JSON" }</button>
            <button type="button" class="secondary" data-testid="export-results-csv" onclick={export_csv}>{ "Series CSV" }</button>
            <button type="button" class="secondary" data-testid="kafka-toggle" aria-expanded={(*kafka_open).to_string()} onclick={toggle_kafka}>
                { "Run it on Kafka" }
            </button>
            if let Some(script) = script {
                <div class="kafka-commands">
                    <p>{ "The same setup on a real cluster: topics, producer and consumer properties, consumers, load and lag checks." }</p>
                    <pre data-testid="kafka-commands">{ script }</pre>
                    <button type="button" class="secondary" data-testid="export-kafka" onclick={save_kafka}>{ "Save as script" }</button>
                </div>
            }
        </div>
    }
}
