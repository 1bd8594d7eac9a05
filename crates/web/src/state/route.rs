//! What the page's address asks for. The query string is the app's whole public interface for links,
//! embedding and the docs pages:
//!
//! | parameter | values | meaning |
//! |---|---|---|
//! | `view` | `sync-vs-event`, `partitions`, `retention`, `replication`, `delivery`, `dashboard` | the view to open |
//! | `embed` | the same names | show only that view, with minimal chrome, for an `<iframe>` |
//! | `controls` | `play` | with `embed`: run controls only, the scenario cannot be edited |
//! | `preset` | a preset's name | start with that preset |
//! | `s` | an encoded scenario ([`super::share`]) | start with exactly that scenario and seed |
//! | `w` | a world view's packed script ([`super::share::pack`]) | open that view with exactly that world |
//! | `example` | an example world's name ([`super::examples`]) | open its view with that world (unless `w` says otherwise) |
//! | `at` | simulated ms | the moment to show: of the world (with `w`) or of the order flow's run |
//! | `d` | `records.max_poll_records.crash_before` ([`super::delivery`]) | the delivery view's incident |
//! | `page` | a concept ([`crate::docs`]) | show that concept's page |
//! | `lesson` | a lesson's id, or nothing for the list ([`super::lesson`]) | show that guided lesson |
//! | `step` | a step number, from 1 | with `lesson`: open that step (else the step the learner reached) |
//! | `from`, `to` | step numbers | with `embed=lesson`: show only steps `from` to `to` |
//!
//! Unknown or malformed values never stop the app: each becomes a message and the default is used.

use kplay_core::delivery::CrashScenario;
use kplay_core::presets;
use kplay_core::problem::quote;
use kplay_core::scenario::Scenario;

use super::examples::Example;
use super::{delivery, examples, share};
use crate::docs;

/// The views of the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Sync vs event-driven (the landing view).
    SyncVsEvent,
    /// Partitions and consumer groups.
    Partitions,
    /// Log segments, retention and compaction.
    Retention,
    /// Replication.
    Replication,
    /// Delivery semantics: what a consumer crash costs under each commit strategy.
    Delivery,
    /// The operator's dashboard of the order flow.
    Dashboard,
}

impl View {
    /// Every view, in navigation order.
    pub const ALL: [Self; 6] = [
        Self::SyncVsEvent,
        Self::Partitions,
        Self::Retention,
        Self::Replication,
        Self::Delivery,
        Self::Dashboard,
    ];

    /// The name used in links (`view=`, `embed=`).
    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::SyncVsEvent => "sync-vs-event",
            Self::Partitions => "partitions",
            Self::Retention => "retention",
            Self::Replication => "replication",
            Self::Delivery => "delivery",
            Self::Dashboard => "dashboard",
        }
    }

    /// The view named `slug`.
    #[must_use]
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.slug() == slug)
    }

    /// The title shown in the navigation.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::SyncVsEvent => "Sync vs event-driven",
            Self::Partitions => "Partitions and groups",
            Self::Retention => "Log and retention",
            Self::Replication => "Replication",
            Self::Delivery => "Delivery semantics",
            Self::Dashboard => "Dashboard",
        }
    }

    /// Whether the view shows the order-flow simulation (and so runs its clock and shares its scenario).
    #[must_use]
    pub fn shows_flow(self) -> bool {
        matches!(self, Self::SyncVsEvent | Self::Dashboard)
    }

    /// Whether the view shows a world (a cluster on a timeline) that links carry.
    #[must_use]
    pub fn shows_world(self) -> bool {
        matches!(self, Self::Partitions | Self::Retention | Self::Replication)
    }
}

/// The page's address, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The view to show first.
    pub view: View,
    /// Whether the view is embedded (no navigation, minimal chrome).
    pub embed: bool,
    /// Whether an embedded view offers run controls only.
    pub play_only: bool,
    /// The concept page asked for, by its id ([`docs::PAGES`]), if any.
    pub page: Option<&'static str>,
    /// The scenario the address carries (`s`, or else `preset`), if any.
    pub scenario: Option<Scenario>,
    /// The world the link opens in the view shown (`w`, or `example`), if any.
    pub world: Option<LinkedWorld>,
    /// The moment to show (`at`, simulated ms): of the world with `w`, else of the order flow's run.
    pub at_ms: u64,
    /// The delivery view's incident (`d`), if any.
    pub delivery: Option<CrashScenario>,
    /// Whether a world view plays from the moment it opens at (`autoplay=1`) or waits (`autoplay=0`);
    /// `None`: a link's moment waits, anything else plays.
    pub autoplay: Option<bool>,
    /// A stretch of a world view's timeline to play on repeat (`loop=<from_ms>..<to_ms>`).
    pub repeat: Option<(u64, u64)>,
    /// The guided lesson asked for (`lesson`, `step`, and with `embed=lesson`, `from` and `to`), if any.
    pub lesson: Option<LessonLink>,
    /// What could not be understood, for people.
    pub problems: Vec<String>,
}

/// A world a link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkedWorld {
    /// A script the link carries (`w`), unpacked.
    Script(String),
    /// One of the examples (`example`), whose script only the full app holds.
    Example(&'static Example),
}

impl LinkedWorld {
    /// The world's script.
    #[must_use]
    pub fn script(&self) -> String {
        match self {
            Self::Script(script) => script.clone(),
            Self::Example(example) => example.script().to_owned(),
        }
    }
}

/// A link into the guided lessons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonLink {
    /// The lesson's id; `None`: the list of lessons.
    pub id: Option<String>,
    /// The step to open, from 1.
    pub step: Option<usize>,
    /// The steps an embed shows, from 1, both included.
    pub range: Option<(usize, usize)>,
}

/// `<from_ms>..<to_ms>`, whole milliseconds with `from` before `to`.
fn parse_repeat(value: &str) -> Option<(u64, u64)> {
    let (from, to) = value.split_once("..")?;
    let (from, to) = (from.parse::<u64>().ok()?, to.parse::<u64>().ok()?);
    (from < to).then_some((from, to))
}

/// Decodes `%XX` escapes and `+` of one query component; bad escapes are kept as they are.
fn decode_component(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(raw.get(i + 1..i + 3).unwrap_or(""), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Route {
    /// Understands `query` (with or without its leading `?`).
    #[must_use]
    pub fn parse(query: &str) -> Self {
        let mut route = Self {
            view: View::SyncVsEvent,
            embed: false,
            play_only: false,
            page: None,
            scenario: None,
            world: None,
            at_ms: 0,
            delivery: None,
            autoplay: None,
            repeat: None,
            lesson: None,
            problems: Vec::new(),
        };
        let mut lesson: Option<LessonLink> = None;
        let mut embed_lesson = false;
        let (mut from, mut to) = (None, None);
        let mut preset = None;
        let mut encoded = None;
        let mut world = None;
        let mut example_world = None;
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_component(value);
            let key = decode_component(key);
            match key.as_str() {
                "view" => match View::from_slug(&value) {
                    Some(view) if !route.embed => route.view = view,
                    Some(_) => {}
                    None => route
                        .problems
                        .push(format!("There is no view {value}; {}.", views_list(), value = quote(&value))),
                },
                "embed" if value == "lesson" => embed_lesson = true,
                "embed" => match View::from_slug(&value) {
                    Some(view) => {
                        route.view = view;
                        route.embed = true;
                    }
                    None => route.problems.push(format!(
                        "Cannot embed {value}: there is no such view ({}). Showing the full app.",
                        views_list(), value = quote(&value)
                    )),
                },
                "controls" => match value.as_str() {
                    "play" => route.play_only = true,
                    "all" => route.play_only = false,
                    _ => route
                        .problems
                        .push(format!("controls={value} is not \"play\" or \"all\".", value = quote(&value))),
                },
                "preset" => preset = Some(value),
                "s" => encoded = Some(value),
                "w" => world = Some(value),
                "example" => match examples::find(&value) {
                    Some(example) => example_world = Some(example),
                    None => route.problems.push(format!(
                        "There is no example {value} (the examples: {}); the view starts empty.",
                        examples::names(),
                        value = quote(&value)
                    )),
                },
                "at" => match value.parse::<u64>() {
                    Ok(ms) => route.at_ms = ms,
                    Err(_) => route.problems.push(format!(
                        "at={value} is not a moment in whole milliseconds; the start is shown.", value = quote(&value)
                    )),
                },
                "autoplay" => match value.as_str() {
                    "1" => route.autoplay = Some(true),
                    "0" => route.autoplay = Some(false),
                    _ => route
                        .problems
                        .push(format!("autoplay={value} is not 1 or 0.", value = quote(&value))),
                },
                "loop" => match parse_repeat(&value) {
                    Some(stretch) => route.repeat = Some(stretch),
                    None => route.problems.push(format!(
                        "loop={value} is not <from_ms>..<to_ms> with from before to; the view plays on.",
                        value = quote(&value)
                    )),
                },
                "d" => match delivery::decode(&value) {
                    Ok(incident) => route.delivery = Some(incident),
                    Err(err) => route.problems.push(format!(
                        "The delivery incident in the link could not be read ({err}); the default is shown."
                    )),
                },
                "lesson" => {
                    lesson.get_or_insert_with(LessonLink::default).id =
                        (!value.is_empty()).then_some(value);
                }
                "step" | "from" | "to" => match value.parse::<usize>() {
                    Ok(n) if n >= 1 => match key.as_str() {
                        "step" => lesson.get_or_insert_with(LessonLink::default).step = Some(n),
                        "from" => from = Some(n),
                        _ => to = Some(n),
                    },
                    _ => route.problems.push(format!(
                        "{key}={value} is not a step number (1, 2, ...).",
                        value = quote(&value)
                    )),
                },
                "page" => match docs::page(&value) {
                    Some(concept) => route.page = Some(concept),
                    None => route
                        .problems
                        .push(format!("There is no concept page {value}.", value = quote(&value))),
                },
                // Other parameters belong to whoever links here (tracking, anchors); they are ignored.
                _ => {}
            }
        }
        route.play_only &= route.embed;
        match (&mut lesson, embed_lesson) {
            (Some(link), true) => {
                route.embed = true;
                let from = from.unwrap_or(1);
                let to = to.unwrap_or(usize::MAX);
                if from <= to {
                    link.range = Some((from, to));
                } else {
                    route.problems.push(format!(
                        "from={from} comes after to={to}; every step is shown."
                    ));
                }
            }
            (None, true) => route
                .problems
                .push("embed=lesson needs lesson=<id>; showing the full app.".to_owned()),
            _ => {}
        }
        route.lesson = lesson;
        if let (Some(example), None) = (example_world, &world) {
            let view = View::from_slug(example.view).unwrap_or(View::Partitions);
            if route.view == View::SyncVsEvent && !route.embed {
                route.view = view;
            }
            if route.view == view {
                route.world = Some(LinkedWorld::Example(example));
            } else {
                route.problems.push(format!(
                    "The example {} is shown in the {} view, not this one.",
                    quote(example.name),
                    view.title()
                ));
            }
        }
        if let Some(world) = world {
            match share::decode_world(&world) {
                Ok(script) => route.world = Some(LinkedWorld::Script(script)),
                Err(err) => route.problems.push(format!(
                    "The world in the link could not be read ({err}); the view starts empty."
                )),
            }
        }
        if let Some(encoded) = encoded {
            match share::decode_link(&encoded) {
                Ok(scenario) => route.scenario = Some(scenario),
                Err(err) => route.problems.push(format!(
                    "The scenario in the link could not be read ({err}); the default scenario is shown instead."
                )),
            }
        } else if let Some(name) = preset {
            match presets::find(&name) {
                Some(preset) => route.scenario = Some(preset.scenario(presets::DEFAULT_SEED)),
                None => route.problems.push(format!(
                    "There is no preset {name}; the default is shown.",
                    name = quote(&name)
                )),
            }
        }
        route
    }

    /// Whether the landing build (the site's first load, [`crate::components::app::landing`]) shows
    /// this address: the order flow's own view, in the app or embedded, with no concept page or lesson.
    /// Every other address is the full app's. The page's loader (`index.html`) applies the same rule
    /// to the raw query before any wasm loads, so that such links fetch the full app alone; where the two
    /// could differ (a malformed value), the loader picks the full app, which shows every address.
    #[must_use]
    pub fn on_landing(&self) -> bool {
        self.view == View::SyncVsEvent && self.page.is_none() && self.lesson.is_none()
    }

    /// The query of a link that opens `view` with `scenario` (the order flow's) in the full app, showing
    /// what `showing` says.
    #[must_use]
    pub fn link_query(view: View, scenario: &Scenario, showing: Showing<'_>) -> String {
        let mut query = format!("?view={}&s={}", view.slug(), share::encode_link(scenario));
        match showing {
            Showing::World(Some(packed), at_ms) => {
                query.push_str(&format!("&w={packed}&at={at_ms}"))
            }
            Showing::Flow(at_ms) if at_ms > 0 => query.push_str(&format!("&at={at_ms}")),
            Showing::Delivery(incident) => {
                query.push_str(&format!("&d={}", delivery::encode(&incident)));
            }
            // A world too large for a link opens empty; the flow at its start needs no moment.
            Showing::World(None, _) | Showing::Flow(_) => {}
        }
        query
    }
}

/// What a link carries beyond the order flow's scenario: the state of the view it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Showing<'a> {
    /// The order flow's run at this moment (simulated ms).
    Flow(u64),
    /// A world view's script packed by [`share::pack`] (none when too large for a link), at this moment.
    World(Option<&'a str>, u64),
    /// The delivery view's incident.
    Delivery(CrashScenario),
}

fn views_list() -> String {
    let names: Vec<&str> = View::ALL.iter().map(|v| v.slug()).collect();
    format!("views are {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_landing_build_shows_the_order_flow_alone() {
        for query in [
            "",
            "?view=sync-vs-event&s=1.x&at=5",
            "?embed=sync-vs-event&controls=play",
            "?preset=poison-message",
            "?view=nope",
        ] {
            assert!(Route::parse(query).on_landing(), "{query}");
        }
        for query in [
            "?view=partitions",
            "?view=dashboard",
            "?embed=replication",
            "?example=rebalance-storm",
            "?page=topic",
            "?lesson=",
            "?lesson=consumer-group&embed=lesson",
        ] {
            assert!(!Route::parse(query).on_landing(), "{query}");
        }
    }

    #[test]
    fn views_embedding_and_controls() {
        let route = Route::parse("?view=dashboard");
        assert_eq!(
            (route.view, route.embed, route.play_only),
            (View::Dashboard, false, false)
        );
        let route = Route::parse("embed=partitions&controls=play");
        assert_eq!(
            (route.view, route.embed, route.play_only),
            (View::Partitions, true, true)
        );
        assert!(route.problems.is_empty());
        // An unknown embedded view: a message and the full app.
        let route = Route::parse("?embed=nope&controls=play");
        assert_eq!(
            (route.view, route.embed, route.play_only),
            (View::SyncVsEvent, false, false)
        );
        assert!(
            route.problems[0].contains("Cannot embed \"nope\""),
            "{:?}",
            route.problems
        );
        for view in View::ALL {
            assert_eq!(View::from_slug(view.slug()), Some(view));
        }
    }

    #[test]
    fn embeds_can_autoplay_and_loop_a_stretch_and_nonsense_is_named() {
        let route = Route::parse("embed=replication&autoplay=1&loop=2000..9500");
        assert_eq!(
            (route.autoplay, route.repeat),
            (Some(true), Some((2_000, 9_500)))
        );
        assert!(route.problems.is_empty());
        assert_eq!(Route::parse("autoplay=0").autoplay, Some(false));
        for bad in [
            "loop=9..2",
            "loop=5..5",
            "loop=1-2",
            "loop=..4",
            "loop=a..b",
        ] {
            let route = Route::parse(bad);
            assert_eq!(route.repeat, None, "{bad}");
            assert!(
                route.problems[0].contains("is not <from_ms>..<to_ms>"),
                "{:?}",
                route.problems
            );
        }
        let route = Route::parse("autoplay=yes");
        assert_eq!(route.problems, ["autoplay=\"yes\" is not 1 or 0."]);
    }

    #[test]
    fn a_link_restores_its_scenario_and_bad_state_falls_back_with_a_message() {
        let mut scenario = presets::find("black-friday").expect("preset").scenario(9);
        scenario.topic.partitions = 7;
        let query = Route::link_query(View::Dashboard, &scenario, Showing::Flow(0));
        assert!(!query.contains("at="), "{query}");
        let route = Route::parse(&query);
        assert_eq!(route.view, View::Dashboard);
        assert_eq!(route.scenario.as_ref(), Some(&scenario));
        assert!(route.problems.is_empty());

        for garbage in [
            "?s=1.%%%",
            "?s=zzz",
            "?s=1.AAAA&view=%ZZ",
            "?preset=%E2%98%83",
            "?page=nothing",
        ] {
            let route = Route::parse(garbage);
            assert_eq!(route.scenario, None, "{garbage}");
            assert!(!route.problems.is_empty(), "{garbage}");
        }
        let route = Route::parse("?preset=poison-message&utm_source=x");
        assert_eq!(
            route.scenario.and_then(|s| s.name),
            Some("poison-message".to_owned())
        );
    }

    #[test]
    fn components_are_percent_decoded() {
        assert_eq!(decode_component("a+b%20c%2Fd"), "a b c/d");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%E2%98%83"), "\u{2603}");
    }

    #[test]
    fn every_example_names_a_world_view() {
        for example in &super::examples::EXAMPLES {
            let view = View::from_slug(example.view);
            assert!(view.is_some_and(View::shows_world), "{}", example.name);
        }
    }

    #[test]
    fn an_example_opens_in_its_view_unless_the_link_shows_another() {
        let storm = super::examples::find("rebalance-storm").expect("the example");
        for query in [
            "?example=rebalance-storm&at=900000",
            "?embed=partitions&example=rebalance-storm&at=900000",
        ] {
            let route = Route::parse(query);
            assert_eq!(
                (
                    route.view,
                    route.world.as_ref().map(LinkedWorld::script),
                    route.at_ms
                ),
                (View::Partitions, Some(storm.script().to_owned()), 900_000),
                "{query}"
            );
            assert!(route.problems.is_empty(), "{:?}", route.problems);
        }
        let elsewhere = Route::parse("?embed=retention&example=rebalance-storm");
        assert_eq!((elsewhere.view, elsewhere.world), (View::Retention, None));
        assert_eq!(
            elsewhere.problems,
            [
                "The example \"rebalance-storm\" is shown in the Partitions and groups view, not this one."
            ]
        );
        let unknown = Route::parse("?example=storm");
        assert_eq!((unknown.view, unknown.world), (View::SyncVsEvent, None));
        assert_eq!(
            unknown.problems,
            [
                "There is no example \"storm\" (the examples: \"rebalance-protocols\", \"rebalance-storm\", \"share-group\"); the view starts empty."
            ]
        );
    }

    #[test]
    fn a_link_carries_a_world_views_world_and_moment() {
        let scenario = presets::find("sync-vs-async")
            .expect("preset")
            .scenario(presets::DEFAULT_SEED);
        let json = crate::state::partitions::script(3);
        for (view, json) in [
            (View::Partitions, json.clone()),
            (View::Retention, crate::state::retention::script()),
            (
                View::Replication,
                crate::state::replication::Shape::default().script(),
            ),
        ] {
            let packed = share::pack(&json);
            let query = Route::link_query(view, &scenario, Showing::World(Some(&packed), 4_200));
            let route = Route::parse(&query);
            assert_eq!(
                (route.view, route.world, route.at_ms),
                (view, Some(LinkedWorld::Script(json)), 4_200)
            );
            assert_eq!(route.scenario, Some(scenario.clone()));
            assert!(route.problems.is_empty(), "{:?}", route.problems);
        }
        // Without its script, a world view's moment means nothing.
        let query = Route::link_query(View::Retention, &scenario, Showing::World(None, 7));
        assert!(!query.contains("at="), "{query}");

        let broken = Route::parse("?view=partitions&w=1.AAAA&at=soon");
        assert_eq!(broken.world, None);
        assert_eq!(broken.problems.len(), 2, "{:?}", broken.problems);
        assert!(
            broken.problems[0].starts_with("at=\"soon\""),
            "{:?}",
            broken.problems
        );
        assert!(
            broken.problems[1].contains("the view starts empty"),
            "{:?}",
            broken.problems
        );
    }

    #[test]
    fn a_link_carries_the_order_flows_moment() {
        let scenario = presets::find("inventory-outage")
            .expect("preset")
            .scenario(presets::DEFAULT_SEED);
        for view in [View::SyncVsEvent, View::Dashboard] {
            let query = Route::link_query(view, &scenario, Showing::Flow(12_300));
            let route = Route::parse(&query);
            assert_eq!((route.view, route.at_ms, route.world), (view, 12_300, None));
            assert_eq!(route.scenario, Some(scenario.clone()));
        }
    }

    #[test]
    fn a_link_carries_the_delivery_incident() {
        let scenario = presets::find("sync-vs-async")
            .expect("preset")
            .scenario(presets::DEFAULT_SEED);
        let incident = CrashScenario::new(30, 7, 16).expect("in range");
        let query = Route::link_query(View::Delivery, &scenario, Showing::Delivery(incident));
        let route = Route::parse(&query);
        assert_eq!(
            (route.view, route.delivery),
            (View::Delivery, Some(incident))
        );
        assert!(route.problems.is_empty(), "{:?}", route.problems);

        let broken = Route::parse("?view=delivery&d=20.5.99");
        assert_eq!(broken.delivery, None);
        assert_eq!(
            broken.problems,
            [
                "The delivery incident in the link could not be read (crash_before: 99 is not a whole number from 0 to 20); the default is shown."
            ]
        );
    }

    #[test]
    fn lessons_open_by_id_step_and_an_embeds_range() {
        let lesson = |q: &str| Route::parse(q).lesson;
        assert_eq!(lesson("?view=partitions"), None);
        assert_eq!(lesson("?lesson="), Some(LessonLink::default()));
        assert_eq!(
            lesson("?lesson=saga&step=2"),
            Some(LessonLink {
                id: Some("saga".into()),
                step: Some(2),
                range: None
            })
        );
        let embedded = Route::parse("?embed=lesson&lesson=saga&from=2&to=3");
        assert!(embedded.embed && embedded.problems.is_empty());
        assert_eq!(embedded.lesson.and_then(|l| l.range), Some((2, 3)));
        let open = Route::parse("?embed=lesson&lesson=saga&from=2");
        assert_eq!(open.lesson.and_then(|l| l.range), Some((2, usize::MAX)));
        for (query, want) in [
            ("?lesson=saga&step=0", "step=\"0\" is not a step number"),
            ("?lesson=saga&step=two", "step=\"two\" is not a step number"),
            (
                "?embed=lesson&lesson=saga&from=3&to=2",
                "from=3 comes after to=2",
            ),
            ("?embed=lesson", "embed=lesson needs lesson=<id>"),
        ] {
            let problems = Route::parse(query).problems;
            assert!(
                problems.iter().any(|p| p.contains(want)),
                "{query}: {problems:?}"
            );
        }
    }
}
