//! The message catalog: every string the widget shows. English first; error texts come
//! from the core's per-code user messages. IdP and user strings are only ever rendered as
//! text nodes.

use crate::runner::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Title,
    LoadingIdentities,
    LinkedAccounts,
    Primary,
    LinkAnother,
    LinkWith,
    AnotherAccount,
    Unlink,
    UnlinkQuestion,
    UnlinkConfirm,
    Cancel,
    ConfirmTitle,
    ConfirmLink,
    ContinueInTab,
    TryAgain,
    Dismiss,
    Unlinked,
    Unverified,
    NoEmail,
    ProviderLabel,
    NameLabel,
    EmailLabel,
}

/// English texts. Other locales fall back to English until translated.
pub fn text(msg: Msg, _locale: &str) -> &'static str {
    match msg {
        Msg::Title => "Linked accounts",
        Msg::LoadingIdentities => "Loading your linked accounts…",
        Msg::LinkedAccounts => "Accounts you can sign in with",
        Msg::Primary => "primary",
        Msg::LinkAnother => "Link another account",
        Msg::LinkWith => "Link",
        Msg::AnotherAccount => "Another account",
        Msg::Unlink => "Unlink",
        Msg::UnlinkQuestion => {
            "Unlink this account? You will no longer be able to sign in with it."
        }
        Msg::UnlinkConfirm => "Yes, unlink",
        Msg::Cancel => "Cancel",
        Msg::ConfirmTitle => "Link this account?",
        Msg::ConfirmLink => "Link this account",
        Msg::ContinueInTab => "Continue in this tab",
        Msg::TryAgain => "Try again",
        Msg::Dismiss => "Dismiss",
        Msg::Unlinked => "The account was unlinked.",
        Msg::Unverified => "email not verified",
        Msg::NoEmail => "no email",
        Msg::ProviderLabel => "Provider",
        Msg::NameLabel => "Name",
        Msg::EmailLabel => "Email",
    }
}

/// The live-region text for a flow status.
pub fn status_text(status: &Status, _locale: &str) -> &'static str {
    match status {
        Status::Idle | Status::Preparing => "Getting ready…",
        Status::Ready => "Choose an account to link.",
        Status::PopupBlocked => "Your browser blocked the sign-in window.",
        Status::AwaitingLogin => "Sign in with the other account in the window that opened.",
        Status::Verifying => "Checking the other account…",
        Status::Confirming(_) => "Confirm the account to link.",
        Status::Linking => "Linking…",
        Status::Linked => "The account was linked.",
        Status::Failed(e) => e.user_message(),
        Status::Cancelled => "Linking was cancelled. Nothing was linked.",
    }
}

/// A readable name for a provider (`google-oauth2` → `Google`).
pub fn provider_label(provider: &str) -> String {
    match provider {
        "auth0" => "Email and password".into(),
        other => account_link_core::config::default_label(other),
    }
}
