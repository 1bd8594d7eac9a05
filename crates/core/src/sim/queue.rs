//! The future event list: a binary heap keyed on reversed `(time, sequence)`, so events fire in time
//! order and simultaneous events in the order they were scheduled.

use alloc::collections::BinaryHeap;
use core::cmp::Ordering;

use crate::time::Instant;

#[derive(Clone)]
struct Entry<E> {
    time: Instant,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Events of type `E` waiting for their time.
#[derive(Clone)]
pub(crate) struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub(crate) fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    pub(crate) fn schedule(&mut self, time: Instant, event: E) {
        self.heap.push(Entry {
            time,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<(Instant, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Events waiting.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    pub(crate) fn peek_time(&self) -> Option<Instant> {
        self.heap.peek().map(|e| e.time)
    }
}

/// The one way the simulation avoids piling up wake-ups: at most one pending wake-up per owner (a service's
/// call-timeout timer, a consumer's wake-up). Scheduling while one is pending does nothing (the pending one
/// comes first, and the owner re-arms when it fires if it still needs to); the owner calls
/// [`Self::fired`] when the event arrives. A stale or early wake-up finds nothing to do and is harmless, so
/// nothing is ever cancelled.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wakeup {
    pending: bool,
}

impl Wakeup {
    /// Schedules `event` at `time` unless a wake-up is already pending.
    pub(crate) fn schedule<E>(&mut self, queue: &mut EventQueue<E>, time: Instant, event: E) {
        if !self.pending {
            self.pending = true;
            queue.schedule(time, event);
        }
    }

    /// The pending wake-up arrived.
    pub(crate) fn fired(&mut self) {
        self.pending = false;
    }

    /// Whether a wake-up is on its way.
    pub(crate) fn is_pending(self) -> bool {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_ties_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.schedule(Instant::from_micros(5), 'a');
        q.schedule(Instant::from_micros(1), 'b');
        q.schedule(Instant::from_micros(5), 'c');
        q.schedule(Instant::from_micros(1), 'd');
        let order: alloc::vec::Vec<(u64, char)> = core::iter::from_fn(|| q.pop())
            .map(|(t, e)| (t.as_micros(), e))
            .collect();
        assert_eq!(order, [(1, 'b'), (1, 'd'), (5, 'a'), (5, 'c')]);
    }

    #[test]
    fn a_wakeup_is_scheduled_once_until_it_fires() {
        let mut q = EventQueue::new();
        let mut wakeup = Wakeup::default();
        wakeup.schedule(&mut q, Instant::from_micros(3), 'a');
        wakeup.schedule(&mut q, Instant::from_micros(1), 'b');
        assert!(wakeup.is_pending());
        assert_eq!(q.pop(), Some((Instant::from_micros(3), 'a')));
        assert_eq!(q.pop(), None);
        wakeup.fired();
        wakeup.schedule(&mut q, Instant::from_micros(7), 'c');
        assert_eq!(q.pop(), Some((Instant::from_micros(7), 'c')));
    }
}
