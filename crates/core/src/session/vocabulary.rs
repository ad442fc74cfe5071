//! What a session is told and what it tells: its inputs ([`Input`], [`Command`], the
//! answers to its questions), its outputs ([`Output`], [`Tell`], [`Asked`]), and what a
//! view shows ([`View`], [`Offers`], [`Notice`]).

use crate::config::LinkConfig;
use crate::error::{ErrorCode, LinkError};
use crate::flow::{Effect, Event, IdentityOpEffect, IdentityOpEvent, Linked, Position};
use crate::id_token::SecondaryProfile;
use crate::management::{Identity, IdentityRef};
use crate::secret::PersistedTransaction;
use crate::transaction::CallbackResponse;

/// A message shown above the list until dismissed (or replaced). The session says *what*
/// happened; the view words it in its locale.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Linked,
    Unlinked,
    /// Cancelled by the user, or stopped by the host's `beforeLink` with its own words.
    Cancelled(Option<String>),
    Error(LinkError),
}

impl Notice {
    /// The stable code shown as `data-code` (errors and cancellations).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Notice::Linked | Notice::Unlinked => None,
            Notice::Cancelled(_) => Some(ErrorCode::Cancelled.as_str()),
            Notice::Error(e) => Some(e.code().as_str()),
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Notice::Error(_))
    }
}

/// What the UI may offer now: the session's rules, published so no view restates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Offers {
    /// A prepared attempt is ready: a link button opens the popup inside its click.
    pub link: bool,
    /// The last attempt (or the list) failed or was cancelled: it can be tried again.
    pub retry: bool,
    /// The popup could not be used and a `redirectUri` is set: continue in this tab.
    pub continue_in_tab: bool,
    /// Something the user waits for can be stopped (never once the link request is out).
    pub cancel: bool,
    /// A listed identity other than the primary can be asked about.
    pub unlink: bool,
}

/// Everything a view of the session shows: a snapshot, taken after each step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub position: Position,
    /// `None` until the first list arrives.
    pub identities: Option<Vec<Identity>>,
    /// The identity list is being read.
    pub listing: bool,
    /// The user waits on something the widget does not show happening (the list, getting
    /// ready, the host's `beforeLink`, which has no time limit of its own): after a while
    /// the UI offers to stop waiting ([`Offers::cancel`]).
    pub waiting: bool,
    pub notice: Option<Notice>,
    /// A secondary login ended without a link: the tenant's session now belongs to that
    /// account (the host was told with `session_changed`).
    pub session_changed: bool,
    /// The question open now (the widget draws the user's: confirm and unlink).
    pub question: Option<Asked>,
    /// An unlink request is out.
    pub unlinking: bool,
    pub offers: Offers,
}

/// Which rules a driver's session follows. Every driver asks the same questions in the
/// same order; they differ only in what they were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Read the identity list when opened (the widget shows it).
    pub list_identities: bool,
    /// Ask [`Question::Confirm`] with the verified secondary before linking.
    pub confirm: bool,
    /// The host has a `beforeLink`: ask [`Question::BeforeLink`] after the confirm.
    pub before_link: bool,
    /// After an attempt ends, prepare the next one (the widget stays ready to link);
    /// otherwise the session makes one attempt (a headless call).
    pub stay_ready: bool,
}

impl Policy {
    /// The widget: lists, asks the user, stays ready.
    pub fn widget(before_link: bool) -> Policy {
        Policy {
            list_identities: true,
            confirm: true,
            before_link,
            stay_ready: true,
        }
    }

    /// A headless link: one attempt; asks the host's `confirm` when given one.
    pub fn headless(confirm: bool, before_link: bool) -> Policy {
        Policy {
            list_identities: false,
            confirm,
            before_link,
            stay_ready: false,
        }
    }

    /// Somebody says yes before a link request.
    pub(super) fn asks_first(self) -> bool {
        self.confirm || self.before_link
    }
}

/// Names one question of a session (ids keep counting across attempts and new options, so
/// an answer to an earlier question never passes for one of a later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionId(pub(super) u32);

impl QuestionId {
    /// The id as a number (a JS host's store hands it out and takes it back).
    pub fn number(self) -> u32 {
        self.0
    }
    /// The id a host gave back: the session answers only the question open under it.
    pub fn from_number(n: u32) -> Self {
        QuestionId(n)
    }
}

/// A question the session waits on.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// "Link this account?": the widget shows its dialog, a headless call asks the host's
    /// `confirm`.
    Confirm(SecondaryProfile),
    /// The host's `beforeLink`, once the link is confirmed.
    BeforeLink(SecondaryProfile),
    /// "Unlink this account?" about a listed identity (the widget's dialog).
    Unlink(Identity),
}

/// The open question and its id: the answer names the id ([`Command::Answer`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    pub id: QuestionId,
    pub question: Question,
}

/// An answer to a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes,
    /// No; a host's `beforeLink` may give words for the user.
    No(Option<String>),
}

/// What the host hears (the DOM events, `on*` callbacks, a headless promise).
#[derive(Debug, Clone, PartialEq)]
pub enum Tell {
    Linked(Linked),
    Unlinked(Vec<Identity>),
    /// Every failure and a cancel (`cancelled`).
    Failed(LinkError),
    /// A secondary login signed another user in at the tenant and nothing was linked (said
    /// once, before the outcome it comes with): the host should sign its user in again.
    SessionChanged,
}

/// What the user (or a headless caller) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Link with this connection (`None`: the login page lets the user choose). Opens the
    /// popup: a widget sends it from the click handler; before the attempt is ready it is
    /// kept and run once it is (a headless call, whose window was opened in the click).
    Link(Option<String>),
    /// After a blocked popup: continue in this tab (redirect mode).
    ContinueInTab,
    Retry,
    /// The answer to the question with this id (dropped when another is open, or none).
    Answer(QuestionId, Answer),
    /// Stop what the user is waiting for: the identity list, else the attempt (refused
    /// once the link request is out).
    Cancel,
    /// Ask "Unlink this account?" about one of the listed identities.
    AskUnlink(Identity),
    /// Remove this login now (the host's headless `unlink` call: the call is the
    /// decision). With re-authentication on, the primary signs in again first in the
    /// window opened in the click; before the attempt is ready it is kept until it is.
    Unlink(IdentityRef),
    Dismiss,
}

/// Redirect mode, back on the page: the stored transaction and the URL's response.
#[derive(Debug)]
pub struct RedirectReturn {
    pub persisted: Option<PersistedTransaction>,
    pub callback: CallbackResponse,
}

/// What drives the session.
#[derive(Debug)]
pub enum Input {
    /// Begin: resume a redirect return, list the identities, prepare an attempt (as the
    /// policy says).
    Open(Option<RedirectReturn>),
    Command(Command),
    /// A result for the attempt of this generation (late ones are dropped).
    Attempt(u32, Event),
    /// A result for the identity operation with this id.
    Op(u32, IdentityOpEvent),
    /// The host's options, again (the same or new), with the primary user this tab kept
    /// for their client (read as at mount: another client is another session).
    Configure {
        config: LinkConfig,
        remembered_pin: Option<String>,
    },
}

/// What the driver runs.
#[derive(Debug)]
pub enum Output {
    /// An effect of the attempt of this generation; its result comes back as
    /// [`Input::Attempt`] with the same generation.
    Attempt(u32, Effect),
    /// Get a token or send a request for an identity operation; the result comes back as
    /// [`Input::Op`] with the same id.
    Op(u32, IdentityOpEffect),
    /// A question for the host (the widget draws the user's from the view); the answer is
    /// [`Command::Answer`] with its id.
    Ask(Asked),
    Tell(Tell),
    /// Keep this primary `sub` for the tab (sessionStorage, the identifier only): a
    /// secondary login completed, so the tenant's session may now be the other account's.
    RememberPin(String),
    /// The remembered pin is no longer needed (a link made the secondary the primary's, or
    /// the last login signed the primary in again).
    ForgetPin,
    /// Something dropped or refused, for a debug log (never a secret).
    Note(&'static str),
}
