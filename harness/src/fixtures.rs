//! The fixture formats (CreateTable inputs, CloudFormation templates, plain
//! or DynamoDB JSON items) live in the emulator crate, so the binary's
//! `--seed` reads exactly what the harness reads.

pub use emulator::fixtures::*;
