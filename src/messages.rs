//! The message catalog: every string the widget shows, by key. English is built in (the
//! error sentences are the core's per-code user messages); other languages are catalogs
//! loaded on demand (the package's `locales/*.js`), and a host's `messages` override any
//! text. IdP and user strings are only ever rendered as text nodes.

use auth0_account_link_core::error::{ErrorCode, Sentence};
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{Notice, Position, View};
use auth0_account_link_core::LinkError;
use std::borrow::Cow;
use std::rc::Rc;

/// The English texts of every key but the errors' sentences (`error.…`, from the core's
/// [`Sentence`]). A placeholder `{name}` is filled in where the text is used.
pub const ENGLISH: [(&str, &str); 44] = [
    ("title", "Linked accounts"),
    ("loading", "Loading your linked accounts…"),
    ("identities_label", "Accounts you can sign in with"),
    ("primary", "primary"),
    ("actions_label", "Link another account"),
    ("link_with", "Link {provider}"),
    ("another_account", "Another account"),
    ("unlink", "Unlink"),
    ("unlink_label", "Unlink {provider} {account}"),
    (
        "unlink_question",
        "Unlink this account? You will no longer be able to sign in with it.",
    ),
    ("unlink_confirm", "Yes, unlink"),
    ("cancel", "Cancel"),
    ("confirm_title", "Link this account?"),
    ("confirm_link", "Link this account"),
    (
        "merge_title",
        "This sign-in is an existing account with other sign-in methods",
    ),
    ("merge_logins_label", "Linking moves all of them to you:"),
    (
        "merge_not_moved",
        "Not moved: that account's profile, its settings, and this app's data kept under it.",
    ),
    ("merge_confirm", "Move them to my account"),
    (
        "discard_settings",
        "Its saved settings ({settings}) do not come along: linking removes them.",
    ),
    (
        "carry_settings",
        "Its saved settings ({settings}) are copied to your account before linking.",
    ),
    (
        "discard_app_data",
        "What this app keeps for that account stays with it and does not move to yours.",
    ),
    ("continue_in_tab", "Continue in this tab"),
    ("try_again", "Try again"),
    ("try_again_in", "Try again in {seconds} s"),
    ("dismiss", "Dismiss"),
    ("unlinked", "The account was unlinked."),
    ("email_unverified_mark", "email not verified"),
    ("no_email", "no email"),
    ("provider_label", "Provider"),
    ("name_label", "Name"),
    ("email_label", "Email"),
    ("provider.auth0", "Email and password"),
    ("provider.email", "Email code"),
    ("provider.sms", "Text message"),
    ("status.preparing", "Getting ready…"),
    ("status.ready", "Choose an account to link."),
    (
        "status.popup_blocked",
        "Your browser blocked the sign-in window.",
    ),
    (
        "status.awaiting_login",
        "Sign in with the other account in the window that opened.",
    ),
    (
        "status.reauthenticating",
        "Confirm it's you, {account}: sign in again in the window, then with the account to link.",
    ),
    ("status.verifying", "Checking the other account…"),
    ("status.confirming", "Confirm the account to link."),
    ("status.linking", "Linking…"),
    ("status.unlinking", "Unlinking…"),
    ("status.linked", "The account was linked."),
];

/// The catalog key of an error's sentence: `error.<code>`, `error.link_outcome_unknown`,
/// `error.popup_cut_off`.
pub fn sentence_key(sentence: Sentence) -> Cow<'static, str> {
    match sentence {
        Sentence::Code(code) => Cow::Owned(format!("error.{}", code.as_str())),
        Sentence::LinkOutcomeUnknown => Cow::Borrowed("error.link_outcome_unknown"),
        Sentence::PopupCutOff => Cow::Borrowed("error.popup_cut_off"),
    }
}

/// Every message key: [`ENGLISH`]'s, then those of the errors' sentences (the exact
/// ones, then each code's).
pub fn keys() -> impl Iterator<Item = Cow<'static, str>> {
    let sentences = Sentence::EXACT
        .into_iter()
        .chain(ErrorCode::ALL.into_iter().map(Sentence::Code));
    ENGLISH
        .iter()
        .map(|(k, _)| Cow::Borrowed(*k))
        .chain(sentences.map(sentence_key))
}

/// The English text of `key`, if it is one.
pub fn english(key: &str) -> Option<Cow<'static, str>> {
    ENGLISH
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .or_else(|| {
            // `error.<code>` by the code's name (no key formatted per code), else an exact one.
            let code = key.strip_prefix("error.")?;
            ErrorCode::ALL
                .into_iter()
                .find(|c| c.as_str() == code)
                .map(Sentence::Code)
                .or_else(|| {
                    Sentence::EXACT
                        .into_iter()
                        .find(|s| sentence_key(*s) == key)
                })
                .map(Sentence::english)
        })
        .map(Cow::Borrowed)
}

/// The language subtag of a locale (`de` of `de-AT`).
pub fn language(locale: &str) -> &str {
    locale.split('-').next().unwrap_or_default()
}

/// Texts replacing the English ones, by key: a locale's catalog, a host's `messages`.
/// (A list, not a map: some sixty keys are searched faster than a hasher is shipped.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages(Rc<Vec<(String, String)>>);

impl Messages {
    /// Checks every key (a typo would otherwise be ignored silently): `Err` names the
    /// first unknown one.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let mut list: Vec<(String, String)> = Vec::new();
        for (key, text) in pairs {
            if english(&key).is_none() {
                return Err(key);
            }
            list.push((key, text));
        }
        Ok(Messages(Rc::new(list)))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The texts the widget renders with: the host's overrides, else the locale's catalog,
/// else English; and the writing direction of the locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    locale: Rc<str>,
    overrides: Messages,
    catalog: Messages,
}

impl Texts {
    pub fn new(locale: &str, catalog: Messages, overrides: Messages) -> Self {
        Texts {
            locale: locale.into(),
            overrides,
            catalog,
        }
    }

    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// `rtl` for right-to-left languages (the locale's language subtag), else `ltr`.
    pub fn dir(&self) -> &'static str {
        let language = language(&self.locale);
        let rtl = ["ar", "he", "fa", "ur", "yi", "ps", "dv", "ckb", "sd", "ug"];
        if rtl.iter().any(|l| l.eq_ignore_ascii_case(language)) {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The text of `key` (a key the catalog lacks shows as itself: a typo is seen, not
    /// silently blank).
    pub fn get(&self, key: &str) -> String {
        match self.overrides.get(key).or_else(|| self.catalog.get(key)) {
            Some(text) => text.to_owned(),
            None => english(key).map_or_else(|| key.to_owned(), Cow::into_owned),
        }
    }

    /// The text of `key` with its `{name}` placeholders filled (an unknown name stays as
    /// written). Scans for braces by hand: a substring search would ship a searcher.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let template = self.get(key);
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                break;
            };
            let name = &after[..close];
            match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&rest[open..open + close + 2]),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The user's sentence for an error.
    pub fn error(&self, e: &LinkError) -> String {
        self.get(&sentence_key(e.sentence()))
    }

    /// A readable name for a provider: translated for Auth0's own (`auth0` database,
    /// `email` / `sms` passwordless), the brand name for the others.
    pub fn provider(&self, provider: &str) -> String {
        match provider {
            "auth0" | "email" | "sms" => self.get(&format!("provider.{provider}")),
            other => auth0_account_link_core::config::default_label(other),
        }
    }

    /// What the session is doing, for a live region: empty for an outcome (linked, failed,
    /// cancelled), which the notice alone says. Names the primary user (see [`who`]) when
    /// the window asks them to sign in again. The widget's status line and the store's
    /// `statusMessage` both say this.
    pub fn status(&self, view: &View) -> String {
        let key = match view.position {
            Position::Idle | Position::Preparing => "status.preparing",
            Position::Ready => "status.ready",
            Position::PopupBlocked => "status.popup_blocked",
            Position::Reauthenticating => {
                let account = view
                    .identities
                    .as_ref()
                    .and_then(|ids| ids.first())
                    .map(who)
                    .unwrap_or_default();
                return self.fill("status.reauthenticating", &[("account", &account)]);
            }
            Position::AwaitingLogin => "status.awaiting_login",
            Position::Verifying => "status.verifying",
            Position::Confirming => "status.confirming",
            Position::Linking => "status.linking",
            Position::Unlinking => "status.unlinking",
            Position::Linked | Position::Failed | Position::Cancelled => return String::new(),
        };
        self.get(key)
    }

    /// A notice's words: the outcome, or the error's sentence with what it is about (the
    /// identity provider's words, or the account). The widget's notice and the store's
    /// `notice.message`.
    pub fn notice(&self, notice: &Notice) -> String {
        match notice {
            Notice::Linked => self.get("status.linked"),
            Notice::Unlinked => self.get("unlinked"),
            Notice::Cancelled(words) => {
                words.clone().unwrap_or_else(|| self.get("error.cancelled"))
            }
            Notice::Error(e) => {
                let words = self.error(e);
                match (e.idp_error(), e.account()) {
                    (Some((error, description)), _) => {
                        format!("{words} ({})", description.unwrap_or(error))
                    }
                    (None, Some(account)) => format!("{words} ({account})"),
                    (None, None) => words,
                }
            }
        }
    }
}

/// Who an identity is to the user: the email, else the name, else the user id (cleaned as
/// the core cleans every identity provider's string it shows).
pub fn who(identity: &Identity) -> String {
    let profile = identity.profile_data.clone().unwrap_or_default();
    profile
        .email
        .or(profile.name)
        .unwrap_or_else(|| auth0_account_link_core::encoding::display_text(&identity.user_id))
}

/// Whether a locale is English (built in: no catalog to load).
pub fn is_english(locale: &str) -> bool {
    language(locale).eq_ignore_ascii_case("en")
}
