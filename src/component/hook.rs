//! `use_account_link`: the widget's state (one reducer) and the runner that drives it.

use super::AccountLinkProps;
use crate::runner::TokenSource;
use crate::widget::{Action, Command, Hooks, Widget, WidgetState};
use account_link_core::config::LinkConfig;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The effect dependency that decides when the widget starts a new flow: equal while
/// [`LinkConfig::same_flow`] holds, so a new locale or label re-renders without closing
/// a popup in flight.
#[derive(Clone)]
struct FlowConfig(LinkConfig);

impl PartialEq for FlowConfig {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_flow(&other.0)
    }
}

/// Host callbacks that always reach the latest props (a parent re-rendering with new
/// callbacks or a new token function never restarts the flow).
fn hooks(latest: &Rc<RefCell<AccountLinkProps>>) -> Hooks {
    let (a, b, c, d) = (
        latest.clone(),
        latest.clone(),
        latest.clone(),
        latest.clone(),
    );
    // Each callback is cloned out before `emit`: the parent may re-render at once.
    Hooks {
        on_linked: Rc::new(move |ids| {
            let cb = a.borrow().on_linked.clone();
            cb.emit(ids)
        }),
        on_unlinked: Rc::new(move |ids| {
            let cb = b.borrow().on_unlinked.clone();
            cb.emit(ids)
        }),
        on_error: Rc::new(move |e| {
            let cb = c.borrow().on_error.clone();
            cb.emit(e)
        }),
        before_link: Rc::new(move || d.borrow().before_link.clone()),
    }
}

fn latest_token(latest: &Rc<RefCell<AccountLinkProps>>) -> TokenSource {
    let latest = latest.clone();
    Rc::new(move || {
        let token = latest.borrow().token.clone();
        token()
    })
}

/// The widget's state and a callback for the user's commands. Starts a [`Widget`] (list,
/// prepare, resume a redirect) when mounted and whenever the configuration needs a new
/// flow; disposes of it (popup closed, listeners removed, timers cleared) on unmount.
#[hook]
pub fn use_account_link(
    props: &AccountLinkProps,
) -> (UseReducerHandle<WidgetState>, Callback<Command>) {
    let state = use_reducer(WidgetState::default);
    let latest = use_mut_ref(|| props.clone());
    *latest.borrow_mut() = props.clone();
    let slot: Rc<RefCell<Option<Widget>>> = use_mut_ref(|| None);
    {
        let (slot, dispatcher) = (slot.clone(), state.dispatcher());
        use_effect_with(
            FlowConfig(props.config.clone()),
            move |FlowConfig(config)| {
                dispatcher.dispatch(Action::Reset);
                let widget = Widget::new(
                    config.clone(),
                    latest_token(&latest),
                    hooks(&latest),
                    move |action| dispatcher.dispatch(action),
                );
                *slot.borrow_mut() = Some(widget);
                move || {
                    if let Some(widget) = slot.borrow_mut().take() {
                        widget.dispose();
                    }
                }
            },
        );
    }
    let on_command = use_callback((), move |command: Command, _| {
        // Synchronous: a Link command opens the popup inside this click handler.
        let widget = slot.borrow().clone();
        if let Some(widget) = widget {
            widget.command(command);
        }
    });
    (state, on_command)
}
