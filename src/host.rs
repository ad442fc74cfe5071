//! The host's functions a session calls — the primary token, `beforeLink`, the settings
//! merge, a catalog loader — as one small handle: cheap to clone, equal when it is the same
//! function (what `yew::Callback` is to a component). The session, the runner and the
//! headless API use it, so they build without Yew (the package's headless wasm).

use crate::messages::Messages;
use auth0_account_link_core::id_token::SecondaryProfile;
use auth0_account_link_core::session::Answer;
use std::rc::Rc;

/// A host function from `I` to `O`.
pub struct HostFn<I, O = ()>(Rc<dyn Fn(I) -> O>);

impl<I, O> HostFn<I, O> {
    pub fn emit(&self, input: I) -> O {
        (self.0)(input)
    }
}

impl<I, O> Clone for HostFn<I, O> {
    fn clone(&self) -> Self {
        HostFn(self.0.clone())
    }
}

/// The same function (a new closure is another function, as with `yew::Callback`).
impl<I, O> PartialEq for HostFn<I, O> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<I, O> std::fmt::Debug for HostFn<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostFn")
    }
}

impl<I, O, F: Fn(I) -> O + 'static> From<F> for HostFn<I, O> {
    fn from(f: F) -> Self {
        HostFn(Rc::new(f))
    }
}

/// The continuation a host function answers through.
pub type Reply<T> = Box<dyn FnOnce(T)>;

/// Loads the catalog of a locale and gives it to the continuation: `Ok(None)` when there
/// is none (English is shown), `Err` with the reason it could not be loaded.
pub type MessageLoader = HostFn<(String, Reply<Result<Option<Messages>, String>>)>;

/// The host's say before a link, given to the continuation once it is decided:
/// [`Answer::Yes`] goes on; [`Answer::No`] stops it, with words for the user (or none).
pub type BeforeLink = HostFn<(SecondaryProfile, Reply<Answer>)>;

/// Asks the host's `beforeLink` (every driver asks through here); without one, the answer
/// is yes.
pub fn ask_before_link(
    hook: Option<&BeforeLink>,
    profile: SecondaryProfile,
    reply: impl FnOnce(Answer) + 'static,
) {
    match hook {
        Some(hook) => hook.emit((profile, Box::new(reply))),
        None => reply(Answer::Yes),
    }
}
