//! The world scripts of `examples/` that a link opens by name (`?example=<name>`), each in the view that
//! shows it. They are the same files `kplay world examples/<name>.json` runs, so the page and the CLI
//! give the same numbers.

/// One example world.
#[derive(Debug, PartialEq, Eq)]
pub struct Example {
    /// Its name in links: the file's name without `.json`.
    pub name: &'static str,
    /// The view that shows it, by its slug in links (`view=`).
    pub view: &'static str,
    /// The script, as `kplay world` reads it.
    pub script: &'static str,
}

/// The examples links can open.
pub const EXAMPLES: [Example; 3] = [
    Example {
        name: "rebalance-protocols",
        view: "partitions",
        script: include_str!("../../../../examples/rebalance-protocols.json"),
    },
    Example {
        name: "rebalance-storm",
        view: "partitions",
        script: include_str!("../../../../examples/rebalance-storm.json"),
    },
    Example {
        name: "share-group",
        view: "partitions",
        script: include_str!("../../../../examples/share-group.json"),
    },
];

/// The example named `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

/// The names links may use, for a message: `"rebalance-protocols", "rebalance-storm", ...`.
#[must_use]
pub fn names() -> String {
    EXAMPLES
        .iter()
        .map(|e| format!("\"{}\"", e.name))
        .collect::<Vec<_>>()
        .join(", ")
}
