//! sessionStorage for the redirect fallback: only the pending transaction (state, nonce,
//! verifier), under one key per client, deleted on use. Never tokens.

use super::window;

fn key(client_id: &str) -> String {
    format!("auth0-account-link:transaction:{client_id}")
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// `false` when sessionStorage is unavailable (the redirect fallback then cannot resume).
pub fn save_transaction(client_id: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(&key(client_id), value).is_ok())
}

/// Reads the pending transaction without deleting it.
pub fn peek_transaction(client_id: &str) -> Option<String> {
    storage()?.get_item(&key(client_id)).ok().flatten()
}

/// Reads and deletes the pending transaction.
pub fn take_transaction(client_id: &str) -> Option<String> {
    let s = storage()?;
    let value = s.get_item(&key(client_id)).ok().flatten();
    if s.remove_item(&key(client_id)).is_err() {
        crate::browser::warn("could not delete the pending transaction from sessionStorage");
    }
    value
}

pub fn clear_transaction(client_id: &str) {
    if let Some(s) = storage() {
        if s.remove_item(&key(client_id)).is_err() {
            crate::browser::warn("could not delete the pending transaction from sessionStorage");
        }
    }
}
