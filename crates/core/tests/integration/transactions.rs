//! Transactions in the world, through `examples/transactions.json`: markers take offsets, the last
//! stable offset holds `read_committed` readers back, aborted records reach only `read_uncommitted` ones,
//! a restarted producer fences the old one, and the coordinator aborts a transaction left open.

use std::collections::BTreeSet;

use kplay_core::time::Instant;
use kplay_core::world::event::EventKind;
use kplay_core::world::state::WorldState;
use kplay_core::world::{Script, World};

fn example() -> Script {
    serde_json::from_str(include_str!("../../../../examples/transactions.json"))
        .expect("the example parses")
}

/// The world at `ms` and the offsets each group fetched by then.
fn at(ms: u64) -> (WorldState, Vec<(String, u64)>, Vec<EventKind>) {
    let mut world = World::replay(&example(), Instant::from_millis(ms)).expect("accepted");
    let events: Vec<EventKind> = std::iter::from_fn(|| world.poll_event())
        .map(|e| e.kind)
        .collect();
    let fetched = events
        .iter()
        .filter_map(|e| match e {
            EventKind::Fetched { group, offset, .. } => Some((group.clone(), *offset)),
            _ => None,
        })
        .collect();
    (world.state(), fetched, events)
}

fn offsets(fetched: &[(String, u64)], group: &str) -> BTreeSet<u64> {
    fetched
        .iter()
        .filter(|(g, _)| g == group)
        .map(|&(_, o)| o)
        .collect()
}

#[test]
fn an_open_transaction_holds_read_committed_back_at_the_last_stable_offset() {
    let (state, fetched, _) = at(15_000);
    let p = &state.topics.get("payments").expect("topic").partitions[0];
    // 5 committed (0-4), COMMIT at 5, 3 aborted (6-8), ABORT at 9, 4 open from 10, 2 plain (14, 15).
    assert_eq!((p.high_watermark, p.last_stable_offset), (16, 10));
    assert_eq!(offsets(&fetched, "ledger"), (0..5).collect());
    let dashboard: BTreeSet<u64> = [0, 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15].into();
    assert_eq!(
        offsets(&fetched, "dashboard"),
        dashboard,
        "read_uncommitted reads aborted and open records, never a marker"
    );
}

#[test]
fn a_restarted_producer_fences_the_old_one_and_aborts_what_it_left_open() {
    let (state, fetched, events) = at(25_000);
    let ledger = offsets(&fetched, "ledger");
    assert!(
        ledger.is_superset(&[14, 15, 17, 18].into()),
        "the fence's abort marker (16) frees the plain records, then the new commit: {ledger:?}"
    );
    assert!(ledger.is_disjoint(&[6, 7, 8, 10, 11, 12, 13].into()));
    let zombie = &state.produced[14];
    assert_eq!(
        (zombie.status.as_ref(), zombie.error.as_deref()),
        ("failed", Some("INVALID_PRODUCER_EPOCH"))
    );
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionEnded { reason, control: "abort", .. } if reason == "fenced"
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionFailed { producer, call: "commit-transaction", .. } if producer == "checkout"
    )));
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!((txn.epoch, txn.state.as_ref()), (2, "CompleteCommit"));
}

#[test]
fn the_coordinator_aborts_a_transaction_open_past_its_timeout() {
    // Begun at 30 s (its first partition added at 30.005 s): past 60 s at the 100 s check, not at 90 s.
    let (state, _, _) = at(99_999);
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!(txn.state.as_ref(), "Ongoing");
    let (state, _, events) = at(100_500);
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::TransactionEnded { reason, .. } if reason == "timeout"
    )));
    let txn = state.transactions.get("checkout-1").expect("registered");
    assert_eq!((txn.epoch, txn.state.as_ref()), (3, "CompleteAbort"));
    let p = &state.topics.get("payments").expect("topic").partitions[0];
    assert_eq!(p.isr, [0, 1, 2], "an idle follower stays in sync");
    assert_eq!((p.log_end_offset, p.last_stable_offset), (22, 22));
}
