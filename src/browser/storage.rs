//! sessionStorage, per tab and per client, never tokens: the redirect fallback's pending
//! transaction (state, nonce, verifier), deleted on use; and the pinned primary user's
//! `sub` (an identifier) while a secondary login has ended without a link.

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

fn pin_key(client_id: &str) -> String {
    format!("auth0-account-link:primary:{client_id}")
}

/// The primary `sub` this tab keeps after a secondary login (none when storage is off).
pub fn remembered_pin(client_id: &str) -> Option<String> {
    storage()?.get_item(&pin_key(client_id)).ok().flatten()
}

/// `false` when sessionStorage is unavailable.
pub fn remember_pin(client_id: &str, user_id: &str) -> bool {
    storage().is_some_and(|s| s.set_item(&pin_key(client_id), user_id).is_ok())
}

pub fn forget_pin(client_id: &str) {
    if let Some(s) = storage() {
        if s.remove_item(&pin_key(client_id)).is_err() {
            crate::browser::warn("could not delete the pinned primary user from sessionStorage");
        }
    }
}
