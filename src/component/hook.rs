//! `use_account_link`: a linking session for a Yew view. It takes its own inputs (the
//! configuration, the token source, what the host hears), so an app that draws its own
//! UI uses it without [`super::AccountLink`].

use super::state::{Action, WidgetState};
use super::{ask_before_link, BeforeLink};
use crate::runner::{Host, MergeUserMetadata, Runner, TokenSource};
use auth0_account_link_core::config::LinkConfig;
use auth0_account_link_core::flow::Linked;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{Asked, Command, Policy, Question, Tell};
use auth0_account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// What the host hears from a widget, and its `beforeLink`.
#[derive(Clone, PartialEq, Default)]
pub struct Events {
    pub on_linked: Callback<Linked>,
    pub on_unlinked: Callback<Vec<Identity>>,
    pub on_error: Callback<LinkError>,
    /// Asked with the verified secondary once the user confirmed, before the link call.
    pub before_link: Option<BeforeLink>,
    /// The host's `carryUserMetadata` function (the configuration says to use it).
    pub merge_user_metadata: Option<MergeUserMetadata>,
}

type Latest = Rc<RefCell<(TokenSource, Events)>>;
type Slot = Rc<RefCell<Option<Runner>>>;

/// The driver of a widget's session: the view goes to the reducer, what the host hears
/// to the latest callbacks (a parent re-rendering with new ones never restarts anything),
/// the `beforeLink` question to the latest hook.
fn host(latest: &Latest, slot: &Slot, dispatcher: UseReducerDispatcher<WidgetState>) -> Host {
    let (heard, asked, slot) = (latest.clone(), latest.clone(), slot.clone());
    Host {
        view: Rc::new(move |view| dispatcher.dispatch(Action::View(Box::new(view)))),
        tell: Rc::new(move |tell| {
            // Cloned out before `emit`: the parent may re-render at once.
            let events = heard.borrow().1.clone();
            match tell {
                Tell::Linked(linked) => events.on_linked.emit(linked),
                Tell::Unlinked(ids) => events.on_unlinked.emit(ids),
                Tell::Failed(e) => events.on_error.emit(e),
                // An `account-link:error` with code `session_changed` (the public contract).
                Tell::SessionChanged => events.on_error.emit(LinkError::session_changed()),
            }
        }),
        ask: Rc::new(move |Asked { id, question }| match question {
            // The view shows the user's questions; the answer is a command naming them.
            Question::Confirm(_) | Question::Unlink(_) => {}
            Question::BeforeLink(profile) => {
                let hook = asked.borrow().1.before_link.clone();
                let slot = slot.clone();
                ask_before_link(hook.as_ref(), profile, move |answer| {
                    let runner = slot.borrow().clone();
                    if let Some(runner) = runner {
                        runner.command(Command::Answer(id, answer));
                    }
                });
            }
        }),
    }
}

/// The session's state (one reducer) and a callback for the user's commands. The session
/// opens when the component mounts (finishing a redirect return, listing, preparing) and
/// ends when it unmounts (popup closed, listeners removed, timers cleared, requests
/// aborted). A new configuration goes to the session, which decides what it changes.
#[hook]
pub fn use_account_link(
    config: &LinkConfig,
    token: &TokenSource,
    events: &Events,
) -> (UseReducerHandle<WidgetState>, Callback<Command>) {
    let state = use_reducer(WidgetState::default);
    let latest: Latest = use_mut_ref(|| (token.clone(), events.clone()));
    *latest.borrow_mut() = (token.clone(), events.clone());
    let slot: Slot = use_mut_ref(|| None);
    {
        let (slot, config, dispatcher) = (slot.clone(), config.clone(), state.dispatcher());
        use_effect_with((), move |_| {
            let current = latest.clone();
            let token = TokenSource::from(move |()| {
                let token = current.borrow().0.clone();
                token.emit(())
            });
            let merging = latest.clone();
            let merge = MergeUserMetadata::from(move |both| {
                let merge = merging.borrow().1.merge_user_metadata.clone();
                merge.map_or_else(|| Err("no function was given".to_owned()), |m| m.emit(both))
            });
            let host = host(&latest, &slot, dispatcher);
            let runner = Runner::new(config, Policy::widget(true), token, host)
                .merging_user_metadata(Some(merge));
            *slot.borrow_mut() = Some(runner.clone());
            runner.open();
            move || {
                let runner = slot.borrow_mut().take();
                if let Some(runner) = runner {
                    runner.dispose();
                }
            }
        });
    }
    {
        let slot = slot.clone();
        use_effect_with(config.clone(), move |config| {
            let runner = slot.borrow().clone();
            if let Some(runner) = runner {
                runner.configure(config.clone());
            }
        });
    }
    let on_command = use_callback((), move |command: Command, _| {
        // Synchronous: a Link command opens the popup inside this click handler.
        let runner = slot.borrow().clone();
        if let Some(runner) = runner {
            runner.command(command);
        }
    });
    (state, on_command)
}
