//! The widget's state and behaviour, independent of how it is drawn: lists the user's
//! identities, links another account through the runner (with a confirm step showing the
//! verified secondary), unlinks with confirmation, reports progress and errors, and stays
//! usable after any error.
//!
//! The state is one [`WidgetState`], changed only by its reducer ([`Reducible`]); it lives
//! in the component's `use_reducer`, nowhere else. [`Widget`] owns the runner: it turns
//! [`Command`]s from the view into runner calls and the runner's updates into
//! [`Action`]s for the reducer. Every protocol decision is the core's, every browser
//! effect the runner's.

use crate::messages::Messages;
use crate::runner::{identity_op, Runner, Status, TokenSource, Update};
use account_link_core::config::LinkConfig;
use account_link_core::error::ErrorCode;
use account_link_core::flow::{IdentityOpKind, Outcome};
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::{Identity, IdentityRef};
use account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use yew::Reducible;

/// A message shown above the list until dismissed (or replaced). The state says *what*
/// happened; the view words it in the widget's locale.
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

/// Everything the view shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WidgetState {
    /// `None` until the first list arrives.
    pub identities: Option<Vec<Identity>>,
    /// The first list failed (the notice says why).
    pub list_failed: bool,
    pub status: Status,
    pub notice: Option<Notice>,
    /// The identity the user asked to unlink, awaiting "Yes, unlink".
    pub confirm_unlink: Option<Identity>,
    pub unlinking: bool,
    /// A secondary login ended without a link: the tenant's session now belongs to that
    /// account (the host was told with `session_changed`).
    pub session_changed: bool,
    /// The message catalog loaded for a locale.
    pub catalog: Option<(String, Messages)>,
}

/// What happened, as the reducer sees it.
#[derive(Debug, Clone)]
pub enum Action {
    /// A new flow starts (the component got a configuration that needs one).
    Reset,
    /// The identity list is being read (again).
    Listing,
    /// The user stopped waiting for the identity list.
    ListCancelled,
    Identities(Result<Vec<Identity>, LinkError>),
    Flow(Update),
    AskUnlink(Identity),
    CancelUnlink,
    Unlinking,
    Unlinked(Result<Vec<Identity>, LinkError>),
    /// The host's `beforeLink` said no (after the flow's own cancel).
    Stopped(Option<String>),
    Dismiss,
    /// A locale's message catalog arrived.
    Catalog(String, Messages),
}

impl WidgetState {
    /// A new list from a link or unlink answer, with the profiles the old list knew (the
    /// primary's comes only with the user).
    fn keep_profiles(&self, ids: Vec<Identity>) -> Vec<Identity> {
        match &self.identities {
            Some(previous) => account_link_core::management::carry_profiles(previous, ids),
            None => ids,
        }
    }

    /// The reducer, in place.
    pub fn apply(&mut self, action: Action) {
        match action {
            // A new flow keeps the texts it is drawn with.
            Action::Reset => {
                let catalog = self.catalog.take();
                *self = WidgetState::default();
                self.catalog = catalog;
            }
            Action::Listing => self.list_failed = false,
            Action::ListCancelled => {
                self.list_failed = true;
                self.notice = Some(Notice::Cancelled(None));
            }
            Action::Identities(Ok(ids)) => {
                self.identities = Some(ids);
                self.list_failed = false;
            }
            Action::Identities(Err(e)) => {
                self.notice = Some(Notice::Error(e));
                self.list_failed = true;
            }
            Action::Flow(Update::Status(s)) => self.status = s,
            Action::Flow(Update::AskConfirm(p)) => self.status = Status::Confirming(p),
            Action::Flow(Update::Outcome(Outcome::Ready)) => {}
            Action::Flow(Update::Outcome(Outcome::Linked(ids))) => {
                self.identities = Some(self.keep_profiles(ids));
                self.notice = Some(Notice::Linked);
                self.session_changed = false;
            }
            Action::Flow(Update::Outcome(Outcome::SessionChanged)) => self.session_changed = true,
            Action::Flow(Update::Outcome(Outcome::Failed(e))) => {
                self.notice = Some(Notice::Error(e))
            }
            Action::Flow(Update::Outcome(Outcome::Cancelled)) => {
                self.notice = Some(Notice::Cancelled(None))
            }
            Action::AskUnlink(identity) => self.confirm_unlink = Some(identity),
            Action::CancelUnlink => self.confirm_unlink = None,
            Action::Unlinking => self.unlinking = true,
            Action::Unlinked(result) => {
                self.unlinking = false;
                self.confirm_unlink = None;
                match result {
                    Ok(ids) => {
                        self.identities = Some(self.keep_profiles(ids));
                        self.notice = Some(Notice::Unlinked);
                    }
                    Err(e) => self.notice = Some(Notice::Error(e)),
                }
            }
            Action::Stopped(words) => self.notice = Some(Notice::Cancelled(words)),
            Action::Catalog(locale, catalog) => self.catalog = Some((locale, catalog)),
            Action::Dismiss => {
                self.notice = None;
                self.session_changed = false;
            }
        }
    }
}

impl Reducible for WidgetState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
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
    /// Stop the attempt under way (getting ready takes too long).
    Cancel,
    /// Ask "Unlink this account?" about one of the listed identities.
    AskUnlink(Identity),
    CancelUnlink,
    /// "Yes, unlink" this identity (the one the question was about).
    ConfirmUnlink(Identity),
    Dismiss,
}

/// The host's say before a link, given to the continuation once it is decided: `Ok` goes
/// on; `Err` stops it, with words for the user (or none).
pub type BeforeLink = Rc<dyn Fn(SecondaryProfile, Box<dyn FnOnce(Result<(), Option<String>>)>)>;

/// What the host hears about (the same three things as the DOM events of `mount()`), and
/// the host's `beforeLink`, asked once the user confirmed and before the link call.
#[derive(Clone)]
pub struct Hooks {
    pub on_linked: Rc<dyn Fn(Vec<Identity>)>,
    pub on_unlinked: Rc<dyn Fn(Vec<Identity>)>,
    pub on_error: Rc<dyn Fn(LinkError)>,
    pub before_link: Rc<dyn Fn() -> Option<BeforeLink>>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            on_linked: Rc::new(|_| {}),
            on_unlinked: Rc::new(|_| {}),
            on_error: Rc::new(|_| {}),
            before_link: Rc::new(|| None),
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
    dispatch: Rc<dyn Fn(Action)>,
    runner: Option<Runner>,
    /// The identities the flow checks "already linked" against and unlinks from; kept
    /// current after every list, link and unlink.
    known: Option<Vec<Identity>>,
    /// An unlink request is in flight (a second "Yes, unlink" is ignored).
    unlinking: bool,
    /// The secondary the user is asked about, for `beforeLink`.
    asked: Option<SecondaryProfile>,
    /// The identity list is being read; `list_generation` tells a late answer from the
    /// current one.
    listing: bool,
    list_generation: u32,
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
    /// lists the identities, then prepares a link. Every change goes to `dispatch` (the
    /// component's reducer).
    pub fn new(
        config: LinkConfig,
        token: TokenSource,
        hooks: Hooks,
        dispatch: impl Fn(Action) + 'static,
    ) -> Widget {
        let widget = Widget {
            inner: Rc::new(RefCell::new(Inner {
                config: config.clone(),
                token: token.clone(),
                hooks,
                dispatch: Rc::new(dispatch),
                runner: None,
                known: None,
                unlinking: false,
                asked: None,
                listing: false,
                list_generation: 0,
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

        widget.list(!resumed);
        widget
    }

    /// Lists the identities (then prepares a link when `then_prepare`). A list that is
    /// cancelled or replaced by a newer one completes into nothing.
    fn list(&self, then_prepare: bool) {
        let Some(runner) = self.runner() else {
            return;
        };
        let (config, token, generation) = {
            let mut inner = self.inner.borrow_mut();
            inner.list_generation += 1;
            inner.listing = true;
            (
                inner.config.clone(),
                inner.token.clone(),
                inner.list_generation,
            )
        };
        self.apply(Action::Listing);
        let weak = Rc::downgrade(&self.inner);
        wasm_bindgen_futures::spawn_local(async move {
            let (pinned, lifetime) = (runner.primary_user_id(), runner.lifetime());
            let result = identity_op(
                config,
                IdentityOpKind::List,
                None,
                token,
                pinned,
                Some(lifetime),
            )
            .await;
            let Some(w) = Widget::from_weak(&weak) else {
                return;
            };
            {
                let mut inner = w.inner.borrow_mut();
                if inner.list_generation != generation {
                    return;
                }
                inner.listing = false;
            }
            // The user the widget acts for from now on: every later token must be theirs.
            let result = result.map(|(ids, user)| {
                runner.pin_primary_user(&user);
                ids
            });
            let ids = result.as_ref().ok().cloned();
            if let Err(e) = &result {
                (w.hooks().on_error)(e.clone());
            }
            w.inner.borrow_mut().known = ids.clone();
            w.apply(Action::Identities(result));
            if then_prepare {
                runner.prepare(ids, true);
            }
        });
    }

    /// Stops what the user is waiting for: the first list (its late answer is dropped),
    /// else the link attempt under way.
    fn cancel(&self) {
        let listing = {
            let mut inner = self.inner.borrow_mut();
            let listing = std::mem::take(&mut inner.listing);
            if listing {
                inner.list_generation += 1;
            }
            listing
        };
        if listing {
            (self.hooks().on_error)(LinkError::cancelled());
            self.apply(Action::ListCancelled);
        } else if let Some(runner) = self.runner() {
            runner.cancel();
        }
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Widget> {
        let inner = weak.upgrade()?;
        if inner.borrow().disposed {
            return None;
        }
        Some(Widget { inner })
    }

    fn runner(&self) -> Option<Runner> {
        self.inner.borrow().runner.clone()
    }

    fn hooks(&self) -> Hooks {
        self.inner.borrow().hooks.clone()
    }

    /// Sends an action to the reducer. No borrow is held while it runs.
    fn apply(&self, action: Action) {
        let dispatch = self.inner.borrow().dispatch.clone();
        dispatch(action);
    }

    fn on_update(&self, update: Update) {
        let hooks = self.hooks();
        match &update {
            Update::Outcome(Outcome::Linked(ids)) => {
                self.inner.borrow_mut().known = Some(ids.clone());
                (hooks.on_linked)(ids.clone());
            }
            Update::Outcome(Outcome::Failed(e)) => (hooks.on_error)(e.clone()),
            Update::Outcome(Outcome::Cancelled) => (hooks.on_error)(LinkError::cancelled()),
            Update::Outcome(Outcome::SessionChanged) => {
                (hooks.on_error)(LinkError::session_changed())
            }
            Update::AskConfirm(profile) => self.inner.borrow_mut().asked = Some(profile.clone()),
            _ => {}
        }
        let ended = matches!(
            update,
            Update::Outcome(Outcome::Linked(_) | Outcome::Failed(_) | Outcome::Cancelled)
        );
        self.apply(Action::Flow(update));
        // An ended attempt spent its PKCE material: the core says when to prepare anew.
        if let Some(runner) = self.runner().filter(|r| ended && r.needs_fresh_attempt()) {
            let known = self.inner.borrow().known.clone();
            runner.prepare(known, true);
        }
    }

    /// Runs a user command. `Link` opens the popup before returning: call it from the
    /// click handler.
    pub fn command(&self, command: Command) {
        if self.inner.borrow().disposed {
            return;
        }
        let runner = self.runner();
        match (command, runner) {
            (Command::Link(connection), Some(r)) => r.start(connection),
            (Command::ContinueInTab, Some(r)) => r.start_redirect(None),
            // Without a list there is nothing to link against yet: read it again first.
            (Command::Retry, Some(r)) => {
                if self.inner.borrow().known.is_none() {
                    self.list(true);
                } else {
                    r.retry();
                }
            }
            (Command::Confirm(true), Some(r)) => self.confirm(r),
            (Command::Confirm(false), Some(r)) => r.confirm(false),
            (Command::Cancel, Some(_)) => self.cancel(),
            (Command::AskUnlink(identity), _) => {
                // Only an identity of the current list can be asked about.
                if self.is_known(&identity) {
                    self.apply(Action::AskUnlink(identity));
                }
            }
            (Command::CancelUnlink, _) => self.apply(Action::CancelUnlink),
            (Command::Dismiss, _) => self.apply(Action::Dismiss),
            (Command::ConfirmUnlink(identity), _) => self.unlink(identity),
            (
                Command::Link(_)
                | Command::ContinueInTab
                | Command::Retry
                | Command::Confirm(_)
                | Command::Cancel,
                None,
            ) => {}
        }
    }

    /// "Link this account": asks the host's `beforeLink` first, if it has one (once: a
    /// second click while it decides is ignored), then lets the flow link or cancel.
    fn confirm(&self, runner: Runner) {
        let asked = self.inner.borrow_mut().asked.take();
        let Some(profile) = asked else {
            return;
        };
        let Some(before_link) = (self.hooks().before_link)() else {
            return runner.confirm(true);
        };
        let weak = Rc::downgrade(&self.inner);
        before_link(
            profile,
            Box::new(move |answer| {
                let Some(widget) = Widget::from_weak(&weak) else {
                    return;
                };
                match answer {
                    Ok(()) => runner.confirm(true),
                    Err(words) => {
                        runner.confirm(false);
                        widget.apply(Action::Stopped(words));
                    }
                }
            }),
        );
    }

    fn is_known(&self, identity: &Identity) -> bool {
        self.inner.borrow().known.as_ref().is_some_and(|ids| {
            ids.iter()
                .any(|i| i.provider == identity.provider && i.user_id == identity.user_id)
        })
    }

    fn unlink(&self, identity: Identity) {
        if !self.is_known(&identity) {
            return;
        }
        let (known, config, token) = {
            let mut inner = self.inner.borrow_mut();
            if std::mem::replace(&mut inner.unlinking, true) {
                return;
            }
            (
                inner.known.clone(),
                inner.config.clone(),
                inner.token.clone(),
            )
        };
        let target = IdentityRef {
            provider: identity.provider,
            user_id: identity.user_id,
        };
        let pinned = self.runner().and_then(|r| r.primary_user_id());
        let lifetime = self.runner().map(|r| r.lifetime());
        self.apply(Action::Unlinking);
        let weak = Rc::downgrade(&self.inner);
        wasm_bindgen_futures::spawn_local(async move {
            let result = identity_op(
                config,
                IdentityOpKind::Unlink(target),
                known,
                token,
                pinned,
                lifetime,
            )
            .await
            .map(|(ids, _)| ids);
            let Some(w) = Widget::from_weak(&weak) else {
                return;
            };
            w.inner.borrow_mut().unlinking = false;
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
