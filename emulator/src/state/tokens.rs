//! `ClientRequestToken`s of TransactWriteItems: DynamoDB remembers each for
//! 10 minutes with a fingerprint of its request, so a retry is answered
//! without applying the transaction again.

use crate::error::{ApiError, ApiResult, ErrorKind};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

/// How long DynamoDB remembers a `ClientRequestToken`.
pub const TOKEN_TTL_MILLIS: i64 = 10 * 60 * 1000;

/// The `ClientRequestToken`s of recent TransactWriteItems requests: each with
/// a fingerprint of its request, and whether it is still running or done.
#[derive(Default)]
pub struct TransactionTokens {
    inner: Mutex<TokenBook>,
}

#[derive(Default)]
struct TokenBook {
    entries: HashMap<String, TokenEntry>,
    /// Completed tokens in completion order, so expiry is cheap.
    expiry: VecDeque<(i64, String)>,
}

struct TokenEntry {
    fingerprint: (u64, usize),
    done_at: Option<i64>,
}

/// What a token's claim found.
pub enum TokenClaim<'a> {
    /// New: run the transaction, then finish the guard with its outcome.
    Claimed(TokenClaimGuard<'a>),
    /// Seen with the same request and done: answer without applying again.
    Replay,
}

fn fingerprint(request: &Value) -> (u64, usize) {
    // serde_json maps are sorted, so equal requests serialise identically.
    let text = request.to_string();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    (hasher.finish(), text.len())
}

impl TransactionTokens {
    /// Claims `token` for `request` at `now` (clock milliseconds).
    pub fn claim<'a>(&'a self, token: &'a str, request: &Value, now: i64) -> ApiResult<TokenClaim<'a>> {
        let print = fingerprint(request);
        let mut book = self.inner.lock();
        while let Some((done_at, _)) = book.expiry.front() {
            if now - *done_at < TOKEN_TTL_MILLIS {
                break;
            }
            if let Some((_, old)) = book.expiry.pop_front() {
                if book.entries.get(&old).and_then(|e| e.done_at).is_some_and(|d| now - d >= TOKEN_TTL_MILLIS) {
                    book.entries.remove(&old);
                }
            }
        }
        match book.entries.get(token) {
            None => {
                book.entries.insert(token.to_string(), TokenEntry { fingerprint: print, done_at: None });
                Ok(TokenClaim::Claimed(TokenClaimGuard { tokens: self, token, finished: false }))
            }
            Some(entry) if entry.fingerprint != print => Err(ApiError::new(
                ErrorKind::IdempotentParameterMismatch,
                "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.",
            )),
            Some(TokenEntry { done_at: None, .. }) => Err(ApiError::new(
                ErrorKind::TransactionInProgress,
                "The transaction with the given request token is already in progress.",
            )),
            Some(_) => Ok(TokenClaim::Replay),
        }
    }

    /// Records the outcome: a success is remembered for 10 minutes, a failure forgotten.
    fn finish(&self, token: &str, succeeded: bool, now: i64) {
        let mut book = self.inner.lock();
        if succeeded {
            if let Some(entry) = book.entries.get_mut(token) {
                entry.done_at = Some(now);
            }
            book.expiry.push_back((now, token.to_string()));
        } else {
            book.entries.remove(token);
        }
    }
}

/// Holds a claimed token until the transaction ends; a transaction that ends
/// without recording its outcome (an internal failure) releases the token.
pub struct TokenClaimGuard<'a> {
    tokens: &'a TransactionTokens,
    token: &'a str,
    finished: bool,
}

impl TokenClaimGuard<'_> {
    pub fn finish(mut self, succeeded: bool, now: i64) {
        self.tokens.finish(self.token, succeeded, now);
        self.finished = true;
    }
}

impl Drop for TokenClaimGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.tokens.finish(self.token, false, 0);
        }
    }
}
