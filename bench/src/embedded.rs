//! In-process mode: the real SDK client against an embedded emulator with
//! no socket, and the cost of creating one.

use crate::options::Options;
use crate::results::InProcess;
use std::time::Duration;

pub async fn run(_options: &Options, _warmup: Duration) -> InProcess {
    InProcess {
        note: Some("skipped: the harness's in-process mode (harness::embedded) is not available yet".into()),
        ..InProcess::default()
    }
}
