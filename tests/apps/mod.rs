//! The seed applications' repositories, written against the SDK the way the
//! applications write them; the tests in `sdk/` drive them against the
//! emulator.
//!
//! - `ticket_office`: the ticket office's sales repository (shared/seeds/000);
//! - `ticket_office_projection`: its per-event sales read model, fed by the
//!   sales table's stream;
//! - `starter_kit_users`: the starter kit's `UserModel` (shared/seeds/001);
//! - `tenant_users`: the same model, multi-tenant, on multi-attribute GSI keys;
//! - `user_aggregate`: the user aggregate's unit of work (shared/seeds/002);
//! - `user_refresh_tokens`: its expiring refresh tokens (Time to Live);
//! - `forum_migration` and `forum`: the forum's JSON-to-DynamoDB migration and
//!   its posts adapter (shared/seeds/004).

pub mod forum;
pub mod forum_migration;
pub mod starter_kit_users;
pub mod tenant_users;
pub mod ticket_office;
pub mod ticket_office_projection;
pub mod user_aggregate;
pub mod user_refresh_tokens;
