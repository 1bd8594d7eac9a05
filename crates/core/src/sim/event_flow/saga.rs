//! The payment-first saga: the order states an order moves through as the services' events arrive, and
//! the CQRS read model rebuilt from them.

use super::*;

/// The order states of the saga, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum OrderState {
    Pending,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

/// The saga's bookkeeping: state counts, timings and the optional read model.
#[derive(Clone)]
pub(super) struct Saga {
    pub(super) counts: [u64; 5],
    pub(super) delivered: Histogram,
    pub(super) cancelled: Histogram,
    /// The CQRS read model, when kept.
    pub(super) view: Option<OrderView>,
}

/// The order-state read model and the state-change events it was built from, in log order.
#[derive(Clone, Default)]
pub(super) struct OrderView {
    pub(super) states: BTreeMap<u64, OrderState>,
    pub(super) log: Vec<(u64, OrderState)>,
}

impl Saga {
    pub(super) fn transition(&mut self, number: u64, from: Option<OrderState>, to: OrderState) {
        if let Some(from) = from {
            self.counts[from as usize] -= 1;
        }
        self.counts[to as usize] += 1;
        if let Some(view) = &mut self.view {
            view.states.insert(number, to);
            view.log.push((number, to));
        }
    }
}

impl Saga {
    pub(super) fn report(&self) -> SagaReport {
        let view = self.view.as_ref().map(|OrderView { states: live, log }| {
            // Replay: rebuild the read model from the first event on, as a new projection would.
            let mut rebuilt: BTreeMap<u64, OrderState> = BTreeMap::new();
            for &(number, state) in log {
                rebuilt.insert(number, state);
            }
            let mut counts = [0; 5];
            for state in live.values() {
                counts[*state as usize] += 1;
            }
            ViewReport {
                orders: live.len() as u64,
                states: states(&counts),
                events: log.len() as u64,
                replay_matches: rebuilt == *live,
            }
        });
        SagaReport {
            states: states(&self.counts),
            delivered_ms: self.delivered.summary(),
            cancelled_ms: self.cancelled.summary(),
            view,
        }
    }
}

pub(super) fn states(counts: &[u64; 5]) -> OrderStates {
    OrderStates {
        pending: counts[0],
        paid: counts[1],
        shipped: counts[2],
        delivered: counts[3],
        cancelled: counts[4],
    }
}
