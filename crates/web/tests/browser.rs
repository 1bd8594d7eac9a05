//! The app mounted in a real browser: type, click, and read the DOM back.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use kplay_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlButtonElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    /// The app the last test mounted, and its element.
    static MOUNTED: std::cell::RefCell<Option<(yew::AppHandle<App>, Element)>> =
        const { std::cell::RefCell::new(None) };
}

/// Mounts a fresh app into its own element and lets it render (it opens on the sync-vs-event view). The
/// previous test's app is unmounted and the address and local storage it wrote are reset, so every test
/// starts from defaults and no other app rewrites the address under it.
async fn mount_app() -> Element {
    if let Some((app, element)) = MOUNTED.take() {
        app.destroy();
        element.remove();
        settle().await;
    }
    let window = gloo::utils::window();
    let path = window.location().pathname().expect("a path");
    window
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        .expect("the address can be reset");
    window
        .local_storage()
        .expect("storage lookup")
        .expect("local storage")
        .clear()
        .expect("storage can be cleared");
    let document = gloo::utils::document();
    let root = document
        .create_element("div")
        .expect("a div can be created");
    gloo::utils::body()
        .append_child(&root)
        .expect("the div can be attached");
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    MOUNTED.set(Some((app, root.clone())));
    settle().await;
    // The model has answered: the run is ready.
    for _ in 0..500 {
        let status = root
            .query_selector("[data-testid=run-status]")
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .unwrap_or_default();
        if status.starts_with("ready") {
            break;
        }
        settle().await;
    }
    root
}

/// Mounts the app and opens the partition view.
async fn mount() -> Element {
    let root = mount_app().await;
    find::<HtmlButtonElement>(&root, "[data-testid=view-partitions]").click();
    appears(&root, "[data-testid=partition-count]").await;
    root
}

/// Waits (up to 10 s) until something matches `selector`: a busy machine may take more than one
/// [`settle`] to render.
async fn appears(root: &Element, selector: &str) {
    for _ in 0..500 {
        if count(root, selector) > 0 {
            return;
        }
        settle().await;
    }
}

/// Waits (up to 10 s) until `done` holds: the model answers in a later task, and a produced record
/// reaches its partition once `linger.ms` passed on the view's clock.
async fn until(root: &Element, what: &str, done: impl Fn(&Element) -> bool) {
    for _ in 0..500 {
        if done(root) {
            return;
        }
        settle().await;
    }
    panic!("waited 10 s for {what}");
}

fn text(root: &Element, selector: &str) -> String {
    find::<Element>(root, selector)
        .text_content()
        .unwrap_or_default()
}

/// Whether the canvas has any pixel that is not fully transparent.
fn canvas_has_ink(root: &Element, selector: &str) -> bool {
    let canvas = find::<web_sys::HtmlCanvasElement>(root, selector);
    let context = canvas
        .get_context("2d")
        .expect("context lookup")
        .expect("a 2D context")
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .expect("a 2D context");
    let pixels = context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("image data")
        .data();
    pixels.iter().skip(3).step_by(4).any(|&alpha| alpha > 0)
}

/// Lets Yew's scheduler run the renders queued by the last event.
async fn settle() {
    gloo::timers::future::sleep(Duration::from_millis(20)).await;
}

fn find<T: JsCast>(root: &Element, selector: &str) -> T {
    root.query_selector(selector)
        .expect("the selector is valid")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("{selector} is not of the expected element type"))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("the selector is valid")
        .length()
}

async fn produce(root: &Element, key: &str) {
    find::<HtmlInputElement>(root, "[data-testid=key-input]").set_value(key);
    find::<HtmlButtonElement>(root, "[data-testid=produce]").click();
    settle().await;
}

async fn set_partitions(root: &Element, typed: &str) {
    let input = find::<HtmlInputElement>(root, "[data-testid=partition-count]");
    input.set_value(typed);
    let change = web_sys::Event::new("change").expect("a change event can be created");
    input
        .dispatch_event(&change)
        .expect("the event is dispatched");
    settle().await;
}

#[wasm_bindgen_test]
async fn starts_with_six_empty_partitions() {
    let root = mount().await;
    until(&root, "six lanes", |root| count(root, "li.lane") == 6).await;
    assert!(
        root.query_selector("[data-testid=partition-5]")
            .expect("valid")
            .is_some()
    );
    assert_eq!(count(&root, "[data-testid=record]"), 0);
}

#[wasm_bindgen_test]
async fn a_keyed_record_lands_in_kafkas_partition_with_its_hash_shown() {
    let root = mount().await;
    produce(&root, "user-1").await;
    produce(&root, "user-1").await;
    until(&root, "the second record's acknowledgement", |root| {
        text(root, "[data-testid=placement]").contains("offset 1")
    })
    .await;
    // murmur2("user-1") = 1404122828, % 6 = 2; the second record gets the next offset.
    assert_eq!(
        count(&root, "[data-testid=partition-2] [data-key=\"user-1\"]"),
        2
    );
    assert_eq!(
        count(&root, "[data-testid=partition-2] [data-offset=\"1\"]"),
        1
    );
    let placement = find::<Element>(&root, "[data-testid=placement]")
        .text_content()
        .unwrap_or_default();
    assert!(placement.contains("murmur2 1404122828"), "{placement}");
    assert!(placement.contains("partition 2, offset 1"), "{placement}");
}

#[wasm_bindgen_test]
async fn keyless_records_stick_to_one_partition_and_say_so() {
    let root = mount().await;
    for _ in 0..3 {
        find::<HtmlButtonElement>(&root, "[data-testid=produce-keyless]").click();
        settle().await;
    }
    until(&root, "three keyless records", |root| {
        count(root, ".record.keyless") == 3
    })
    .await;
    // The sticky partitioner (KIP-794) keeps one partition until a 16 KB batch is full.
    let per_partition: Vec<u32> = (0..6)
        .map(|partition| {
            count(
                &root,
                &format!("[data-testid=partition-{partition}] .record.keyless"),
            )
        })
        .collect();
    assert_eq!(per_partition.iter().sum::<u32>(), 3, "{per_partition:?}");
    assert_eq!(
        per_partition.iter().filter(|&&n| n > 0).count(),
        1,
        "{per_partition:?}"
    );
    let placement = find::<Element>(&root, "[data-testid=placement]")
        .text_content()
        .unwrap_or_default();
    assert!(
        placement.contains("no key: sticky partitioner"),
        "{placement}"
    );
}

#[wasm_bindgen_test]
async fn partition_count_grows_and_refuses_nonsense() {
    let root = mount().await;
    set_partitions(&root, "12").await;
    until(&root, "12 lanes", |root| count(root, "li.lane") == 12).await;
    set_partitions(&root, "1025").await;
    assert_eq!(
        count(&root, "li.lane"),
        12,
        "an out-of-range count changes nothing"
    );
    appears(&root, "[data-testid=notice]").await;
    let notice = find::<Element>(&root, "[data-testid=notice]");
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        notice
            .text_content()
            .unwrap_or_default()
            .contains("from 1 to 1024")
    );
}

/// The same digest as kplay-core's native `the_report_digest_is_pinned` test: the simulation gives
/// byte-identical reports on wasm32 and x86_64.
#[wasm_bindgen_test]
fn the_simulation_report_is_byte_identical_to_native() {
    let preset = kplay_core::presets::find("poison-message").expect("preset");
    let report = kplay_core::sim::simulate(&preset.scenario(kplay_core::presets::DEFAULT_SEED))
        .expect("valid");
    let json = serde_json::to_string(&report).expect("serializes");
    assert_eq!(
        kplay_core::partitioner::murmur2(json.as_bytes()),
        64_393_584,
        "{} bytes",
        json.len()
    );
}

/// The same digest as kplay-core's native `the_event_digest_is_pinned` test: a world script replays to
/// the same events on wasm32 and x86_64.
#[wasm_bindgen_test]
fn the_world_replays_to_the_same_events_as_native() {
    let script: kplay_core::world::Script =
        serde_json::from_str(include_str!("../../../examples/consumer-groups.json"))
            .expect("parses");
    let mut world = kplay_core::world::World::from_script(&script).expect("valid");
    world.run_until_idle(
        kplay_core::time::Instant::from_millis(script.last_at_ms())
            + kplay_core::config::RUN_AFTER_LAST_ACTION,
    );
    let events: Vec<_> = std::iter::from_fn(|| world.poll_event()).collect();
    assert_eq!(
        kplay_core::world::event::digest(&events),
        737_483_434_280_688_218,
        "{} events",
        events.len()
    );
}

#[wasm_bindgen_test]
async fn the_app_opens_on_sync_vs_event_with_both_charts_drawn() {
    let root = mount_app().await;
    let select = find::<web_sys::HtmlSelectElement>(&root, "[data-testid=preset-select]");
    assert_eq!(select.value(), "sync-vs-async");
    assert!(
        canvas_has_ink(&root, "[data-testid=latency-chart]"),
        "axes and labels are drawn even before a run"
    );
    assert!(canvas_has_ink(&root, "[data-testid=lag-chart]"));
    assert_eq!(count(&root, "[data-testid=error-banner]"), 0);
}

#[wasm_bindgen_test]
async fn the_dashboard_draws_its_heatmap_and_charts_and_lists_every_alert() {
    let root = mount_app().await;
    find::<HtmlButtonElement>(&root, "[data-testid=view-dashboard]").click();
    settle().await;
    for chart in ["heatmap-chart", "lag-chart", "throughput-chart"] {
        assert!(
            canvas_has_ink(&root, &format!("[data-testid={chart}]")),
            "{chart}"
        );
    }
    assert_eq!(count(&root, "li.alert"), 4);
    assert_eq!(count(&root, "li.alert.firing"), 0, "nothing has run yet");
    // The address now names the view and the scenario (once the app's effects have run).
    let mut search = String::new();
    for _ in 0..100 {
        search = gloo::utils::window().location().search().expect("a query");
        if search.starts_with("?view=dashboard&s=1.") {
            break;
        }
        settle().await;
    }
    assert!(search.starts_with("?view=dashboard&s=1."), "{search:?}");
}

#[wasm_bindgen_test]
async fn running_to_the_end_shows_the_same_numbers_as_the_model() {
    let root = mount_app().await;
    let select = find::<web_sys::HtmlSelectElement>(&root, "[data-testid=preset-select]");
    select.set_value("poison-message");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatched");
    settle().await;
    find::<HtmlButtonElement>(&root, "[data-testid=finish]").click();
    for _ in 0..200 {
        gloo::timers::future::sleep(Duration::from_millis(50)).await;
        let status = find::<Element>(&root, "[data-testid=run-status]")
            .text_content()
            .unwrap_or_default();
        if status.starts_with("finished") {
            break;
        }
    }
    let preset = kplay_core::presets::find("poison-message").expect("preset");
    let report = kplay_core::sim::simulate(&preset.scenario(kplay_core::presets::DEFAULT_SEED))
        .expect("valid");
    let text = |id: &str| {
        find::<Element>(&root, &format!("[data-testid={id}]"))
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(
        text("headline-sync-ms"),
        format!("{:.1}", report.sync.response_ms.mean)
    );
    assert_eq!(
        text("headline-event-ms"),
        format!("{:.1}", report.event_driven.response_ms.mean)
    );
}

#[wasm_bindgen_test]
async fn an_invalid_rate_is_refused_with_a_message() {
    let root = mount_app().await;
    let rate = find::<HtmlInputElement>(&root, "[data-testid=rate-input]");
    rate.set_value("-5");
    rate.dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatched");
    settle().await;
    let banner = find::<Element>(&root, "[data-testid=error-banner]");
    assert!(
        banner
            .text_content()
            .unwrap_or_default()
            .contains("Order rate")
    );
}

/// Every chart draws without adding anything to the page: plotters' own text measuring appends a
/// `<span>` per label and reads its size, a forced layout of the whole page each time (charts/mod.rs).
#[wasm_bindgen_test]
fn charts_draw_without_touching_the_page() {
    use kplay_web::charts::{heatmap, latency, service_lines};

    let document = gloo::utils::document();
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .expect("a canvas")
        .dyn_into()
        .expect("a canvas element");
    canvas.set_width(640);
    canvas.set_height(320);
    document
        .body()
        .expect("a body")
        .append_child(&canvas)
        .expect("the canvas is on the page");
    let watch =
        web_sys::MutationObserver::new(&js_sys::Function::new_no_args("")).expect("an observer");
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    watch
        .observe_with_options(&document, &options)
        .expect("the page is watched");
    let lines = |n: usize| service_lines::ServiceLines {
        caption: "lag",
        y_desc: "records",
        services: (0..n)
            .map(|i| (format!("service-{i}"), vec![(0.0, 1.0), (1.0, i as f64)]))
            .collect(),
    };
    latency::draw(
        canvas.clone(),
        &latency::LatencyData {
            sync: vec![[1.0, 0.5], [10.0, 1.0]],
            event: vec![[2.0, 1.0]],
        },
    )
    .expect("the latency chart draws");
    service_lines::draw(canvas.clone(), &lines(6)).expect("the lag chart draws");
    let heat = heatmap::HeatmapData {
        services: vec![("invoicing".to_owned(), vec![(1, 2), (0, 3)])],
    };
    heatmap::draw(canvas.clone(), &heat).expect("the heatmap draws");
    let changes = watch.take_records().length();
    watch.disconnect();
    canvas.remove();
    assert_eq!(changes, 0, "the page changed while the charts drew");
}
