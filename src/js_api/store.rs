//! `createAccountLink(options)`: the session's view as a framework-neutral store, for apps
//! that draw their own UI. The same session machine as the widget's (it lists the
//! identities, prepares the next attempt — the sign-in again asked ahead of the click —
//! asks "link this account?" as a question the app answers); `getSnapshot()` is one frozen
//! object per change (`useSyncExternalStore`, Svelte stores and Vue's `shallowRef` read it
//! as it is), `subscribe(listener)` hears each change, the actions are commands. Its texts
//! (`statusMessage`, notices, `userMessage`, labels) come from the widget's catalogs.

use super::errors::{js_error, js_error_in};
use super::options::{before_link_option, merge_option, parse_options};
use super::texts::Catalog;
use super::{set, to_js};
use crate::host::ask_before_link;
use crate::messages::Texts;
use crate::runner::{Host, Runner};
use auth0_account_link_core::config::Connection;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{
    Answer, Asked, Command, Notice, Policy, Question, QuestionId, Tell, View,
};
use js_sys::{Function, Object};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

struct Shared {
    /// `undefined` until the texts are in (the package's entry says `loading` until then).
    snapshot: JsValue,
    listeners: Vec<Function>,
    /// The session's view the snapshot shows.
    view: View,
    /// What the host was told last (`linked`, `unlinked`, an error), for the snapshot.
    last: Option<Tell>,
    /// The connections offered for a link, with their labels.
    connections: Vec<Connection>,
    catalog: Catalog,
}

/// What `createAccountLink` returns.
#[wasm_bindgen]
pub struct AccountLinkStore {
    runner: Runner,
    shared: Rc<RefCell<Shared>>,
}

/// A store over a new session for `options` (those of `mount`, and `carryUserMetadata`,
/// `beforeLink`); it lists the identities and prepares the first attempt at once.
#[wasm_bindgen(js_name = createAccountLink)]
pub fn create_account_link(options: JsValue) -> Result<AccountLinkStore, JsValue> {
    let (config, token) = parse_options(&options).map_err(|e| js_error(&e))?;
    let before_link = before_link_option(&options).map_err(|e| js_error(&e))?;
    let catalog = Catalog::checked(config.locale(), &options).map_err(|e| js_error(&e))?;
    let shared = Rc::new(RefCell::new(Shared {
        snapshot: JsValue::UNDEFINED,
        listeners: Vec::new(),
        view: View::default(),
        last: None,
        connections: config.connections().to_vec(),
        catalog: catalog.clone(),
    }));
    let slot: Rc<RefCell<Option<Runner>>> = Rc::default();
    let (viewed, told, asked) = (shared.clone(), shared.clone(), slot.clone());
    let host = Host {
        view: Rc::new(move |view| {
            viewed.borrow_mut().view = view;
            publish(&viewed);
        }),
        // Told after the step's view: the snapshot is made again with it.
        tell: Rc::new(move |tell| {
            told.borrow_mut().last = Some(tell);
            publish(&told);
        }),
        ask: Rc::new(move |Asked { id, question }| {
            // The app answers the user's questions from the snapshot; `beforeLink` is the
            // host's own function, asked as the widget asks it.
            if let Question::BeforeLink(profile) = question {
                let slot = asked.clone();
                ask_before_link(before_link.as_ref(), profile, move |answer| {
                    let runner = slot.borrow().clone();
                    if let Some(runner) = runner {
                        runner.command(Command::Answer(id, answer));
                    }
                });
            }
        }),
    };
    let runner = Runner::new(config, Policy::widget(true), token, host)
        .merging_user_metadata(merge_option(&options));
    *slot.borrow_mut() = Some(runner.clone());
    shared.borrow_mut().view = runner.view();
    // The first snapshot once the locale's catalog is in (at once for English).
    let loaded = Rc::downgrade(&shared);
    catalog.then(move |_| {
        if let Some(shared) = loaded.upgrade() {
            publish(&shared);
        }
    });
    runner.open();
    Ok(AccountLinkStore { runner, shared })
}

#[wasm_bindgen]
impl AccountLinkStore {
    /// The view now: the same object until something changes (`undefined` while the
    /// locale's catalog loads).
    #[wasm_bindgen(js_name = getSnapshot)]
    pub fn get_snapshot(&self) -> JsValue {
        self.shared.borrow().snapshot.clone()
    }

    /// Calls `listener()` after every change; returns the function that stops it.
    pub fn subscribe(&self, listener: Function) -> Function {
        self.shared.borrow_mut().listeners.push(listener.clone());
        let shared = Rc::downgrade(&self.shared);
        Closure::once_into_js(move || {
            if let Some(shared) = shared.upgrade() {
                shared.borrow_mut().listeners.retain(|l| l != &listener);
            }
        })
        .unchecked_into()
    }

    /// Links another account (with this connection): call it from a click handler, the
    /// login window opens inside it.
    pub fn link(&self, connection: Option<String>) {
        self.runner.command(Command::Link(connection));
    }

    /// Removes this login (`{ provider, user_id }`, an identity of the snapshot, or
    /// `{ provider, userId }`): the call is the decision. With the sign-in again, call it
    /// from a click handler.
    pub fn unlink(&self, identity: JsValue) -> Result<(), JsValue> {
        let target = super::identity_ref(&identity).map_err(|e| js_error(&e))?;
        self.runner.command(Command::Unlink(target));
        Ok(())
    }

    /// Answers the open question (`snapshot.question.id`): `true` links (or unlinks).
    pub fn answer(&self, question: u32, yes: bool) {
        let answer = if yes { Answer::Yes } else { Answer::No(None) };
        self.runner
            .command(Command::Answer(QuestionId::from_number(question), answer));
    }

    pub fn retry(&self) {
        self.runner.command(Command::Retry);
    }

    /// Stops what the user waits for (refused once the link request is out).
    pub fn cancel(&self) {
        self.runner.command(Command::Cancel);
    }

    /// After a blocked popup: continue in this tab (with `redirectUri`).
    #[wasm_bindgen(js_name = continueInTab)]
    pub fn continue_in_tab(&self) {
        self.runner.command(Command::ContinueInTab);
    }

    /// Clears the notice.
    pub fn dismiss(&self) {
        self.runner.command(Command::Dismiss);
    }

    /// Ends the session: closes its window and frame, aborts its requests; listeners are
    /// dropped. (An unmounting component calls it.)
    pub fn destroy(&self) {
        self.runner.dispose();
        self.shared.borrow_mut().listeners.clear();
    }
}

/// A new snapshot, then every listener (nothing while the catalog loads).
fn publish(shared: &Rc<RefCell<Shared>>) {
    let snapshot = {
        let s = shared.borrow();
        let Some(texts) = s.catalog.ready() else {
            return;
        };
        snapshot(&s, &texts)
    };
    let listeners = {
        let mut s = shared.borrow_mut();
        s.snapshot = snapshot;
        s.listeners.clone()
    };
    for listener in listeners {
        if let Err(e) = listener.call0(&JsValue::UNDEFINED) {
            crate::browser::warn(&format!(
                "a store listener threw: {}",
                crate::browser::describe(&e)
            ));
        }
    }
}

fn told_value(tell: &Tell, texts: &Texts) -> JsValue {
    let told = Object::new();
    match tell {
        Tell::Linked(linked) => {
            set(&told, "kind", "linked");
            set(&told, "secondaryUserId", linked.secondary_user_id.as_str());
        }
        Tell::Unlinked(_) => set(&told, "kind", "unlinked"),
        Tell::Failed(e) => {
            set(&told, "kind", "error");
            set(&told, "error", js_error_in(e, texts));
        }
        Tell::SessionChanged => set(&told, "kind", "session_changed"),
    }
    told.into()
}

/// Identities as the snapshot lists them: the primary marked, labelled, frozen.
fn identities(ids: &[Identity], texts: &Texts) -> JsValue {
    let list: js_sys::Array = super::identities_js(ids, texts).unchecked_into();
    for value in list.iter() {
        Object::freeze(value.unchecked_ref::<Object>());
    }
    Object::freeze(&list).into()
}

/// A secondary's profile as a question shows it, with its provider's `label`.
fn profile_js(
    profile: &auth0_account_link_core::id_token::SecondaryProfile,
    texts: &Texts,
) -> JsValue {
    let value = to_js(profile);
    set(&value, "label", texts.provider(&profile.provider));
    value
}

/// The view as one frozen object, in the store's language.
fn snapshot(shared: &Shared, texts: &Texts) -> JsValue {
    let view = &shared.view;
    let s = Object::new();
    set(&s, "status", view.position.name());
    set(&s, "statusMessage", texts.status(view));
    set(
        &s,
        "identities",
        view.identities
            .as_deref()
            .map_or(JsValue::NULL, |ids| identities(ids, texts)),
    );
    set(&s, "listing", view.listing);
    set(&s, "waiting", view.waiting);
    set(&s, "unlinking", view.unlinking);
    set(&s, "sessionChanged", view.session_changed);
    let notice = match &view.notice {
        None => JsValue::NULL,
        Some(notice) => {
            let n = Object::new();
            match notice {
                Notice::Linked => set(&n, "kind", "linked"),
                Notice::Unlinked => set(&n, "kind", "unlinked"),
                Notice::Cancelled(_) => set(&n, "kind", "cancelled"),
                Notice::Error(e) => {
                    set(&n, "kind", "error");
                    set(&n, "error", js_error_in(e, texts));
                }
            }
            set(&n, "message", texts.notice(notice));
            if let Some(code) = notice.code() {
                set(&n, "code", code);
            }
            n.into()
        }
    };
    set(&s, "notice", notice);
    let question = match &view.question {
        None => JsValue::NULL,
        Some(Asked { id, question }) => {
            let q = Object::new();
            set(&q, "id", id.number());
            match question {
                Question::Confirm(profile) => {
                    set(&q, "kind", "confirm");
                    set(&q, "profile", profile_js(profile, texts));
                }
                Question::BeforeLink(profile) => {
                    set(&q, "kind", "beforeLink");
                    set(&q, "profile", profile_js(profile, texts));
                }
                Question::Unlink(identity) => {
                    set(&q, "kind", "unlink");
                    // Never the primary: the session offers no unlink of it.
                    let value = super::identity_js(identity, false, texts);
                    set(
                        &q,
                        "identity",
                        Object::freeze(value.unchecked_ref::<Object>()),
                    );
                }
            }
            q.into()
        }
    };
    set(&s, "question", question);
    let offers = Object::new();
    set(&offers, "link", view.offers.link);
    set(&offers, "retry", view.offers.retry);
    set(&offers, "continueInTab", view.offers.continue_in_tab);
    set(&offers, "cancel", view.offers.cancel);
    set(&offers, "unlink", view.offers.unlink);
    set(&s, "offers", Object::freeze(&offers));
    let connections = js_sys::Array::new();
    for c in &shared.connections {
        let value = Object::new();
        set(&value, "connection", c.name());
        set(&value, "label", c.label());
        connections.push(&Object::freeze(&value));
    }
    set(&s, "connections", Object::freeze(&connections));
    set(
        &s,
        "last",
        shared
            .last
            .as_ref()
            .map_or(JsValue::NULL, |tell| told_value(tell, texts)),
    );
    Object::freeze(&s).into()
}
