//! The widget's state and behaviour, independent of how it is drawn: lists the user's
//! identities, links another account through the runner (with a confirm step showing the
//! verified secondary), unlinks with confirmation, reports progress and errors, and stays
//! usable after any error.
//!
//! All state is one [`WidgetState`] changed only by [`WidgetState::apply`]; the view
//! ([`crate::view`]) is a function of it. Both renderers — the DOM renderer behind
//! `mount()` and the Yew component — drive the same [`Widget`] with [`Command`]s. Every
//! protocol decision is the core's, every browser effect the runner's.

use crate::messages::{status_text, text, Msg};
use crate::runner::{identity_op, Runner, Status, TokenSource, Update};
use account_link_core::config::LinkConfig;
use account_link_core::error::ErrorCode;
use account_link_core::flow::{IdentityOpKind, IdentityOpOutput, Outcome};
use account_link_core::management::{Identity, IdentityRef};
use account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// A message shown above the list until dismissed (or replaced).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    /// The stable code, for errors and cancellations.
    pub code: Option<&'static str>,
    pub is_error: bool,
}

/// Everything the view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetState {
    /// `None` until the first list arrives.
    pub identities: Option<Vec<Identity>>,
    pub list_error: Option<LinkError>,
    pub status: Status,
    pub notice: Option<Notice>,
    /// The identity the user asked to unlink, awaiting "Yes, unlink".
    pub confirm_unlink: Option<Identity>,
    pub unlinking: bool,
}

impl Default for WidgetState {
    fn default() -> Self {
        WidgetState {
            identities: None,
            list_error: None,
            status: Status::Idle,
            notice: None,
            confirm_unlink: None,
            unlinking: false,
        }
    }
}

/// What happened, as the reducer sees it.
#[derive(Debug, Clone)]
pub enum Action {
    Identities(Result<Vec<Identity>, LinkError>),
    Flow(Update),
    AskUnlink(Identity),
    CancelUnlink,
    Unlinking,
    Unlinked(Result<Vec<Identity>, LinkError>),
    Dismiss,
}

/// What the user asked for (a button in the view).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Link with this connection (`None`: let the user choose on the login page). Opens
    /// the popup synchronously: send it from the click handler.
    Link(Option<String>),
    /// After a blocked popup: continue in this tab (redirect mode).
    ContinueInTab,
    Retry,
    /// The answer to "Link this account?".
    Confirm(bool),
    /// Ask "Unlink this account?" about one of the listed identities.
    AskUnlink(IdentityRef),
    CancelUnlink,
    ConfirmUnlink,
    Dismiss,
}

fn error_notice(e: &LinkError) -> Notice {
    let mut text = e.user_message().to_owned();
    if let Some((error, description)) = e.idp_error() {
        text = format!("{text} ({})", description.unwrap_or(error));
    }
    if let Some(s) = e.retry_after_seconds() {
        text = format!("{text} ({s} s)");
    }
    Notice {
        text,
        code: Some(e.code().as_str()),
        is_error: true,
    }
}

fn info_notice(text: &str, code: Option<&'static str>) -> Notice {
    Notice {
        text: text.to_owned(),
        code,
        is_error: false,
    }
}

impl WidgetState {
    /// The reducer.
    pub fn apply(&mut self, action: Action, locale: &str) {
        match action {
            Action::Identities(Ok(ids)) => {
                self.identities = Some(ids);
                self.list_error = None;
            }
            Action::Identities(Err(e)) => {
                self.notice = Some(error_notice(&e));
                self.list_error = Some(e);
            }
            Action::Flow(Update::Status(s)) => self.status = s,
            Action::Flow(Update::AskConfirm(p)) => self.status = Status::Confirming(p),
            Action::Flow(Update::Outcome(Outcome::Ready)) => {}
            Action::Flow(Update::Outcome(Outcome::Linked(ids))) => {
                self.identities = Some(ids);
                self.notice = Some(info_notice(status_text(&Status::Linked, locale), None));
            }
            Action::Flow(Update::Outcome(Outcome::Failed(e))) => {
                self.notice = Some(error_notice(&e))
            }
            Action::Flow(Update::Outcome(Outcome::Cancelled)) => {
                self.notice = Some(info_notice(
                    status_text(&Status::Cancelled, locale),
                    Some(ErrorCode::Cancelled.as_str()),
                ))
            }
            Action::AskUnlink(identity) => self.confirm_unlink = Some(identity),
            Action::CancelUnlink => self.confirm_unlink = None,
            Action::Unlinking => self.unlinking = true,
            Action::Unlinked(result) => {
                self.unlinking = false;
                self.confirm_unlink = None;
                match result {
                    Ok(ids) => {
                        self.identities = Some(ids);
                        self.notice = Some(info_notice(text(Msg::Unlinked, locale), None));
                    }
                    Err(e) => self.notice = Some(error_notice(&e)),
                }
            }
            Action::Dismiss => self.notice = None,
        }
    }
}

/// What the host hears about: the same three things as the DOM events of `mount()`.
#[derive(Clone)]
pub struct Hooks {
    pub on_linked: Rc<dyn Fn(Vec<Identity>)>,
    pub on_unlinked: Rc<dyn Fn(Vec<Identity>)>,
    pub on_error: Rc<dyn Fn(LinkError)>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            on_linked: Rc::new(|_| {}),
            on_unlinked: Rc::new(|_| {}),
            on_error: Rc::new(|_| {}),
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

struct Inner {
    config: LinkConfig,
    token: TokenSource,
    hooks: Hooks,
    state: WidgetState,
    on_change: Rc<dyn Fn(&WidgetState)>,
    runner: Option<Runner>,
    /// The identities the flow checks "already linked" against; kept current after
    /// every list, link and unlink.
    known: Option<Vec<Identity>>,
    /// An attempt got as far as Ready: after its outcome, prepare a fresh one (new PKCE).
    was_ready: bool,
    /// A redirect-mode resume ends without a Ready first: prepare after it too.
    resuming: bool,
    disposed: bool,
}

/// One widget instance. Cheap to clone; [`Widget::dispose`] ends it (closes the popup,
/// removes listeners, clears timers; late completions are ignored).
#[derive(Clone)]
pub struct Widget {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for Widget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Widget")
    }
}

impl Widget {
    /// Starts the widget: resumes a redirect-mode link whose response is in the URL,
    /// lists the identities, then prepares a link. `on_change` gets every new state.
    pub fn new(
        config: LinkConfig,
        token: TokenSource,
        hooks: Hooks,
        on_change: impl Fn(&WidgetState) + 'static,
    ) -> Widget {
        let widget = Widget {
            inner: Rc::new(RefCell::new(Inner {
                config: config.clone(),
                token: token.clone(),
                hooks,
                state: WidgetState::default(),
                on_change: Rc::new(on_change),
                runner: None,
                known: None,
                was_ready: false,
                resuming: true,
                disposed: false,
            })),
        };
        let weak = Rc::downgrade(&widget.inner);
        let runner = Runner::new(config.clone(), token.clone(), move |update| {
            if let Some(w) = Widget::from_weak(&weak) {
                w.on_update(update);
            }
        });
        widget.inner.borrow_mut().runner = Some(runner.clone());
        let resumed = runner.resume_from_redirect(true);
        widget.inner.borrow_mut().resuming = resumed;

        let weak = Rc::downgrade(&widget.inner);
        wasm_bindgen_futures::spawn_local(async move {
            let result = match identity_op(config, IdentityOpKind::List, None, token).await {
                Ok(IdentityOpOutput::User(user)) => Ok(user.identities),
                Ok(IdentityOpOutput::Identities(ids)) => Ok(ids),
                Err(e) => Err(e),
            };
            let Some(w) = Widget::from_weak(&weak) else {
                return;
            };
            let ids = result.as_ref().ok().cloned();
            if let Err(e) = &result {
                (w.hooks().on_error)(e.clone());
            }
            w.inner.borrow_mut().known = ids.clone();
            w.apply(Action::Identities(result));
            if !resumed {
                runner.prepare(ids, true);
            }
        });
        widget
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Widget> {
        let inner = weak.upgrade()?;
        if inner.borrow().disposed {
            return None;
        }
        Some(Widget { inner })
    }

    /// The current state (for a renderer).
    pub fn state(&self) -> WidgetState {
        self.inner.borrow().state.clone()
    }

    fn runner(&self) -> Option<Runner> {
        self.inner.borrow().runner.clone()
    }

    fn hooks(&self) -> Hooks {
        self.inner.borrow().hooks.clone()
    }

    /// Reduces, then tells the renderer. No borrow is held while the renderer runs.
    fn apply(&self, action: Action) {
        let (state, on_change) = {
            let mut inner = self.inner.borrow_mut();
            let locale = inner.config.locale().to_owned();
            inner.state.apply(action, &locale);
            (inner.state.clone(), inner.on_change.clone())
        };
        on_change(&state);
    }

    fn on_update(&self, update: Update) {
        let hooks = self.hooks();
        let rearm = match &update {
            Update::Outcome(Outcome::Ready) => {
                self.inner.borrow_mut().was_ready = true;
                false
            }
            Update::Outcome(Outcome::Linked(ids)) => {
                self.inner.borrow_mut().known = Some(ids.clone());
                (hooks.on_linked)(ids.clone());
                true
            }
            Update::Outcome(Outcome::Failed(e)) => {
                (hooks.on_error)(e.clone());
                // A blocked popup keeps its prepared attempt for "Continue in this tab".
                e.code() != ErrorCode::PopupBlocked
            }
            Update::Outcome(Outcome::Cancelled) => {
                (hooks.on_error)(LinkError::new(
                    ErrorCode::Cancelled,
                    "the user cancelled the link",
                ));
                true
            }
            _ => false,
        };
        self.apply(Action::Flow(update));
        if !rearm {
            return;
        }
        let (again, known) = {
            let mut inner = self.inner.borrow_mut();
            let resumed = std::mem::take(&mut inner.resuming);
            let was_ready = std::mem::take(&mut inner.was_ready);
            (was_ready || resumed, inner.known.clone())
        };
        if again {
            if let Some(runner) = self.runner() {
                runner.prepare(known, true);
            }
        }
    }

    /// Runs a user command. `Link` opens the popup before returning: call it from the
    /// click handler.
    pub fn command(&self, command: Command) {
        if self.inner.borrow().disposed {
            return;
        }
        match command {
            Command::Link(connection) => {
                if let Some(r) = self.runner() {
                    r.start(connection);
                }
            }
            Command::ContinueInTab => {
                if let Some(r) = self.runner() {
                    r.start_redirect(None);
                }
            }
            Command::Retry => {
                if let Some(r) = self.runner() {
                    r.retry();
                }
            }
            Command::Confirm(accepted) => {
                if let Some(r) = self.runner() {
                    r.confirm(accepted);
                }
            }
            Command::AskUnlink(target) => {
                // Looked up in the current list: a stale button cannot name another account.
                let identity = self
                    .inner
                    .borrow()
                    .state
                    .identities
                    .as_ref()
                    .and_then(|ids| {
                        ids.iter()
                            .find(|i| i.provider == target.provider && i.user_id == target.user_id)
                            .cloned()
                    });
                if let Some(identity) = identity {
                    self.apply(Action::AskUnlink(identity));
                }
            }
            Command::CancelUnlink => self.apply(Action::CancelUnlink),
            Command::Dismiss => self.apply(Action::Dismiss),
            Command::ConfirmUnlink => self.unlink(),
        }
    }

    fn unlink(&self) {
        let (target, known, config, token) = {
            let inner = self.inner.borrow();
            let Some(identity) = &inner.state.confirm_unlink else {
                return;
            };
            if inner.state.unlinking {
                return;
            }
            let target = IdentityRef {
                provider: identity.provider.clone(),
                user_id: identity.user_id.clone(),
            };
            (
                target,
                inner.state.identities.clone(),
                inner.config.clone(),
                inner.token.clone(),
            )
        };
        self.apply(Action::Unlinking);
        let weak = Rc::downgrade(&self.inner);
        wasm_bindgen_futures::spawn_local(async move {
            let result =
                match identity_op(config, IdentityOpKind::Unlink(target), known, token).await {
                    Ok(IdentityOpOutput::Identities(ids)) => Ok(ids),
                    Ok(IdentityOpOutput::User(u)) => Ok(u.identities),
                    Err(e) => Err(e),
                };
            let Some(w) = Widget::from_weak(&weak) else {
                return;
            };
            let hooks = w.hooks();
            match &result {
                Ok(ids) => {
                    // The unlinked account can be linked again: prepare with the new list.
                    w.inner.borrow_mut().known = Some(ids.clone());
                    if let Some(runner) = w.runner() {
                        runner.prepare(Some(ids.clone()), true);
                    }
                    (hooks.on_unlinked)(ids.clone());
                }
                Err(e) => (hooks.on_error)(e.clone()),
            }
            w.apply(Action::Unlinked(result));
        });
    }

    /// Ends the widget: the runner closes its popup, removes its listener and clears its
    /// timers; pending requests complete into nothing.
    pub fn dispose(&self) {
        let runner = {
            let mut inner = self.inner.borrow_mut();
            inner.disposed = true;
            inner.runner.take()
        };
        if let Some(r) = runner {
            r.dispose();
        }
    }
}
