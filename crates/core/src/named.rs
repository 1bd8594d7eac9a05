//! # Named values in order
//!
//! Reports and states list things by name — services, topics, groups, members — and must keep the order
//! the input gave (scenario order, script order, join order), which a `BTreeMap` would sort away. [`Named`]
//! is that list, serialized as a JSON object with its keys in order.

use alloc::string::String;
use alloc::vec::Vec;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Values by name, in order; serializes as a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Named<V>(pub Vec<(String, V)>);

impl<V> Named<V> {
    /// The value under `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl<V: Serialize> Serialize for Named<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
