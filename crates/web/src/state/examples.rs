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
}

/// Lists each example once: its name (the file `examples/<name>.json`) and its view. The scripts are
/// read by [`Example::script`] alone, so a build that only checks links' names (the landing page's)
/// carries none of them.
macro_rules! examples {
    ($($name:literal in $view:literal),* $(,)?) => {
        /// The examples links can open.
        pub const EXAMPLES: [Example; [$($name),*].len()] = [$(Example { name: $name, view: $view }),*];

        impl Example {
            /// The script, as `kplay world` reads it.
            #[must_use]
            pub fn script(&self) -> &'static str {
                match self.name {
                    $($name => include_str!(concat!("../../../../examples/", $name, ".json")),)*
                    // Every example is one of the names above.
                    _ => "",
                }
            }
        }
    };
}

examples! {
    "rebalance-protocols" in "partitions",
    "rebalance-storm" in "partitions",
    "share-group" in "partitions",
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_its_script() {
        for example in &EXAMPLES {
            let script: serde_json::Value =
                serde_json::from_str(example.script()).expect(example.name);
            assert!(script["actions"].is_array(), "{}", example.name);
        }
    }
}
