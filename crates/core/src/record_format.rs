//! # Record sizes in the v2 record format (Kafka 0.11+, magic 2)
//!
//! A record batch has a 61-byte header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`) followed by its
//! records. Each record is its length, as a varint, then its body: one byte of attributes, the timestamp
//! and offset as deltas from the batch's first record (varlong and varint), the key and the value each as
//! a varint length (−1 for null) and bytes, and the header count (`DefaultRecord.sizeInBytes`). Varints
//! are zigzag-encoded, seven bits a byte (`ByteUtils.sizeOfVarint`), so a record's size depends on its
//! place in its batch: the 65th record of a batch pays one byte more for its offset delta.
//!
//! The producer fills batches with these sizes ([`crate::producer`]: `batch.size` is a limit on the
//! estimated bytes of the batch, header included); the log counts each record as a batch of its own
//! ([`crate::log`], for `segment.bytes` and `retention.bytes`). Records carry no headers here and are not
//! compressed (`compression.type=none`, the producer's default).

/// Bytes of a v2 record batch header.
pub const RECORD_BATCH_OVERHEAD: u64 = 61;

/// The most a record can add besides its key and value (`DefaultRecord.MAX_RECORD_OVERHEAD`): the
/// producer sizes a new batch's buffer for at least a record with this much framing.
pub const MAX_RECORD_OVERHEAD: u64 = 21;

/// Bytes of `value` as a zigzag varint or varlong (`ByteUtils.sizeOfVarint` / `sizeOfVarlong`).
#[must_use]
pub fn varint_size(value: i64) -> u64 {
    let zigzag = ((value << 1) ^ (value >> 63)) as u64;
    let bits = 64 - u64::from(zigzag.leading_zeros());
    bits.div_ceil(7).max(1)
}

/// Bytes of a key or value of `len` bytes (`None`: null) with its length varint.
fn field_size(len: Option<u64>) -> u64 {
    match len {
        Some(len) => varint_size(len as i64) + len,
        None => varint_size(-1),
    }
}

/// Bytes of a record without headers at `offset_delta` and `timestamp_delta_ms` from its batch's first
/// record (`DefaultRecord.sizeInBytes`), its length varint included.
#[must_use]
pub fn record_size(
    offset_delta: u32,
    timestamp_delta_ms: i64,
    key: Option<u64>,
    value: Option<u64>,
) -> u64 {
    let body = 1
        + varint_size(timestamp_delta_ms)
        + varint_size(i64::from(offset_delta))
        + field_size(key)
        + field_size(value)
        + varint_size(0);
    body + varint_size(body as i64)
}

/// The most bytes a record of this key and value can take (`DefaultRecord.recordSizeUpperBound`).
#[must_use]
pub fn record_size_upper_bound(key: Option<u64>, value: Option<u64>) -> u64 {
    MAX_RECORD_OVERHEAD + field_size(key) + field_size(value) + varint_size(0)
}

/// Bytes of a batch holding just this record.
#[must_use]
pub fn single_record_batch(key: Option<u64>, value: Option<u64>) -> u64 {
    RECORD_BATCH_OVERHEAD + record_size(0, 0, key, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_zigzag_seven_bits_a_byte() {
        // ByteUtilsTest.testSizeOfVarlong: against the loop that writes the bytes, for every power of two
        // (and its negation) and zero.
        let written = |value: i64| {
            let mut v = ((value << 1) ^ (value >> 63)) as u64;
            let mut bytes = 1;
            while v & !0x7f != 0 {
                bytes += 1;
                v >>= 7;
            }
            bytes
        };
        for shift in 0..63 {
            for value in [1_i64 << shift, -(1_i64 << shift), (1_i64 << shift) - 1] {
                assert_eq!(varint_size(value), written(value), "{value}");
            }
        }
        // The boundaries of each length.
        for (value, bytes) in [
            (0, 1),
            (-1, 1),
            (63, 1),
            (-64, 1),
            (64, 2),
            (-65, 2),
            (8_191, 2),
            (8_192, 3),
            (1_048_575, 3),
            (1_048_576, 4),
            (134_217_727, 4),
            (134_217_728, 5),
            (i64::from(i32::MAX), 5),
            (i64::from(i32::MIN), 5),
            (i64::MAX, 10),
            (i64::MIN, 10),
        ] {
            assert_eq!(varint_size(value), bytes, "{value}");
        }
    }

    #[test]
    fn a_record_counts_its_framing_and_its_place_in_the_batch() {
        // A 1,000-byte value without a key: 1 attribute byte, timestamp and offset deltas 1 byte each, a
        // null key 1 byte, the value 2 + 1,000 bytes, no headers 1 byte: a 1,007-byte body, 2 length bytes.
        assert_eq!(record_size(0, 0, None, Some(1_000)), 1_009);
        assert_eq!(record_size(63, 0, None, Some(1_000)), 1_009);
        assert_eq!(record_size(64, 0, None, Some(1_000)), 1_010);
        assert_eq!(record_size(0, 200, None, Some(1_000)), 1_010);
        // A 6-byte key and a 100-byte value: a 113-byte body, whose length (zigzag 226) takes 2 bytes.
        assert_eq!(record_size(0, 0, Some(6), Some(100)), 115);
        assert_eq!(single_record_batch(Some(6), Some(100)), 176);
        // A tombstone: null value.
        assert_eq!(record_size(0, 0, Some(6), None), 13);
        assert_eq!(
            record_size_upper_bound(None, Some(1_000)),
            21 + 1 + 1_002 + 1
        );
    }
}
