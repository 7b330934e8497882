//! Reading a table's stream records from inside the process (the harness's
//! `stream_records` and stream consumers), without shard iterators.

use super::State;
use crate::storage::stream::{RecordForm, StreamSink, StreamViewType};
use crate::storage::TableState;
use serde_json::Value;

impl State {
    /// Gives `table` a new stream (a new ARN and label each time) and
    /// attaches its writes to it.
    pub fn enable_stream(&self, table: &mut TableState, view: StreamViewType) {
        let def = &mut table.def;
        let stream = self.streams.create(&self.clock, &def.name, &def.arn, &def.key_schema, view);
        {
            let log = stream.read();
            def.latest_stream = Some((log.arn.clone(), log.label.clone()));
        }
        def.stream_view = Some(view);
        table.data.stream = StreamSink::attach(stream);
    }

    /// Turns `table`'s stream off: it closes, and stays readable for 24 hours.
    pub fn disable_stream(&self, table: &mut TableState) {
        let arn = table.def.latest_stream.as_ref().map(|(arn, _)| arn.clone());
        if let Some(stream) = arn.and_then(|arn| self.streams.get(&arn, self.clock.now_millis())) {
            stream.disable();
        }
        table.def.stream_view = None;
        table.data.stream = StreamSink::default();
    }

    /// Attaches every table whose definition has a stream enabled but no
    /// stream attached (restored from a snapshot or the journal): to its
    /// stream if that is kept and enabled (journal replay), else to a new one.
    pub fn attach_streams(&self) {
        let now = self.clock.now_millis();
        for (_, table) in self.catalog.entries() {
            let mut guard = table.inner.write();
            let (Some(view), false) = (guard.def.stream_view, guard.data.stream.is_attached()) else { continue };
            let kept = guard.def.latest_stream.as_ref().and_then(|(arn, _)| self.streams.get(arn, now));
            match kept.filter(|s| s.read().disabled_ms.is_none()) {
                Some(stream) => guard.data.stream = StreamSink::attach(stream),
                None => self.enable_stream(&mut guard, view),
            }
        }
    }

    /// The stream records of `table` (every stream it has had that is still
    /// kept, every shard) with a sequence number above `after`, oldest first,
    /// each with its sequence number and as a Lambda trigger receives it.
    pub fn stream_records_after(&self, table: &str, after: u64) -> Vec<(u64, Value)> {
        let mut out = Vec::new();
        for stream in self.streams.all(self.clock.now_millis()).into_iter().rev() {
            let log = stream.read();
            if log.table != table {
                continue;
            }
            for shard in &log.shards {
                for record in shard.records.iter().filter(|r| r.sequence > after) {
                    out.push((record.sequence, log.record_json(record, &self.config.region, RecordForm::LambdaEvent)));
                }
            }
        }
        out.sort_by_key(|(sequence, _)| *sequence);
        out
    }

    /// The sequence number of the newest record of any stream (0: none yet).
    pub fn latest_stream_sequence(&self) -> u64 {
        self.streams.latest_sequence()
    }
}
