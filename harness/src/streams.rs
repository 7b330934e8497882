//! Consuming a table's stream in process, as a Lambda event source mapping
//! would: records in order, delivered in batches to a handler, a failed
//! batch delivered again.

use emulator::State;
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;

/// Where a new consumer starts reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartingPosition {
    /// Every record still kept (the last 24 hours).
    TrimHorizon,
    /// Only records published after the consumer was made.
    Latest,
}

/// Why [`StreamConsumer::deliver`] stopped: the handler failed one batch
/// more often than the retries allowed.
#[derive(Debug)]
pub struct DeliveryFailed<E> {
    /// The batch that kept failing (later records were not delivered).
    pub batch: Vec<Value>,
    pub error: E,
}

/// A consumer of one table's stream records (see [`StartingPosition`]).
pub struct StreamConsumer {
    state: Arc<State>,
    table: String,
    batch_size: usize,
    retries: usize,
    /// The last sequence number delivered.
    position: u64,
}

impl StreamConsumer {
    pub(crate) fn new(state: Arc<State>, table: &str, start: StartingPosition, batch_size: usize) -> StreamConsumer {
        let position = match start {
            StartingPosition::TrimHorizon => 0,
            StartingPosition::Latest => state.latest_stream_sequence(),
        };
        StreamConsumer { state, table: table.to_string(), batch_size: batch_size.max(1), retries: 2, position }
    }

    /// How often a failed batch is delivered again before `deliver` gives up (default 2).
    pub fn retries(mut self, retries: usize) -> StreamConsumer {
        self.retries = retries;
        self
    }

    /// Delivers every record published since the last delivery, in order, in
    /// batches of at most the batch size. A batch whose handler fails is
    /// delivered again; after the retries it stays undelivered (the next call
    /// starts with it) and its error is returned. Returns the records delivered.
    pub async fn deliver<F, Fut, E>(&mut self, mut handler: F) -> Result<usize, DeliveryFailed<E>>
    where
        F: FnMut(Vec<Value>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let records = self.state.stream_records_after(&self.table, self.position);
        let mut delivered = 0;
        for chunk in records.chunks(self.batch_size) {
            let batch: Vec<Value> = chunk.iter().map(|(_, record)| record.clone()).collect();
            let mut attempt = 0;
            loop {
                match handler(batch.clone()).await {
                    Ok(()) => break,
                    Err(error) if attempt >= self.retries => return Err(DeliveryFailed { batch, error }),
                    Err(_) => attempt += 1,
                }
            }
            self.position = chunk.last().map_or(self.position, |(sequence, _)| *sequence);
            delivered += chunk.len();
        }
        Ok(delivered)
    }
}
