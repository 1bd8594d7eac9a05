//! Java semantics that Kafka's assignors lean on: `String.compareTo`, `String.hashCode` and the iteration
//! order of a `java.util.HashMap`.
//!
//! Kafka sorts member ids and topic names with `String.compareTo`, which compares UTF-16 code units — not
//! the code points that Rust's `str` ordering uses; the two differ for characters above U+FFFF.
//!
//! Where Kafka iterates a `HashMap` (the sticky assignor's per-member loop is the one that changes outcomes),
//! kplay reproduces Java's order: a map grown by `put` starts with 16 buckets and doubles when it holds more
//! than 3/4 of its capacity; a key's bucket is `(h ^ (h >>> 16)) & (capacity - 1)` with `h` its `hashCode`;
//! buckets are visited in index order and the keys within a bucket in insertion order. (Java turns a bucket
//! of 8 or more keys in a table of 64 or more into a tree, which can reorder that one bucket; kplay keeps
//! insertion order there.)

use core::cmp::Ordering;

/// Java's `a.compareTo(b)` for strings: lexicographic by UTF-16 code unit.
#[must_use]
pub fn compare_strings(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
#[must_use]
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0_i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Capacity of a `HashMap` created empty that has held at most `max_len` entries at once.
#[must_use]
pub fn hash_map_capacity(max_len: usize) -> usize {
    let mut capacity = 16_usize;
    // Java resizes when the size exceeds threshold = capacity * 0.75.
    while max_len > capacity / 4 * 3 {
        capacity *= 2;
    }
    capacity
}

/// The bucket of a key with hash `h` in a table of `capacity` buckets (`HashMap.hash` then the mask).
#[must_use]
pub fn bucket(h: i32, capacity: usize) -> usize {
    let spread = (h as u32) ^ ((h as u32) >> 16);
    spread as usize & (capacity - 1)
}

/// Indices `0..hashes.len()` in the order a `HashMap` grown to `capacity` iterates keys whose hashes are
/// `hashes`, given in insertion order.
#[must_use]
pub fn iteration_order(hashes: &[i32], capacity: usize) -> alloc::vec::Vec<usize> {
    let mut order: alloc::vec::Vec<usize> = (0..hashes.len()).collect();
    // A stable sort keeps insertion order within a bucket.
    order.sort_by_key(|&i| bucket(hashes[i], capacity));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_codes_match_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("my-group"), -1_906_497_762);
        assert_eq!(string_hash("test-group"), 627_841_412);
        assert_eq!(string_hash("group"), 98_629_247);
        assert_eq!(string_hash("consumer-group-1"), 147_483_020);
    }

    #[test]
    fn consumers_one_to_three_iterate_in_reverse() {
        // KAFKA_FACTS §3.3: consumer1..3 fall in buckets 12, 11, 10 of a 16-bucket map.
        let hashes: alloc::vec::Vec<i32> = ["consumer1", "consumer2", "consumer3"]
            .map(string_hash)
            .to_vec();
        assert_eq!(
            hashes
                .iter()
                .map(|&h| bucket(h, 16))
                .collect::<alloc::vec::Vec<_>>(),
            [12, 11, 10]
        );
        assert_eq!(iteration_order(&hashes, 16), [2, 1, 0]);
    }

    #[test]
    fn capacity_doubles_past_three_quarters() {
        assert_eq!(hash_map_capacity(0), 16);
        assert_eq!(hash_map_capacity(12), 16);
        assert_eq!(hash_map_capacity(13), 32);
        assert_eq!(hash_map_capacity(24), 32);
        assert_eq!(hash_map_capacity(25), 64);
        assert_eq!(hash_map_capacity(2000), 4096);
    }

    #[test]
    fn utf16_order_differs_from_code_point_order_above_the_bmp() {
        // U+FF5E (one unit 0xFF5E) against U+1F600 (surrogates 0xD83D 0xDE00): Java puts the emoji first.
        assert_eq!(compare_strings("\u{ff5e}", "\u{1f600}"), Ordering::Greater);
        assert_eq!("\u{ff5e}".cmp("\u{1f600}"), Ordering::Less);
        assert_eq!(compare_strings("consumer-a", "consumer-b"), Ordering::Less);
    }
}
