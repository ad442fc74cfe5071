//! The Yew component (feature `yew`), for Yew apps:
//! `<AccountLink config={…} token={…} on_linked={…} on_error={…} />`.
//!
//! A thin adapter: the behaviour is [`crate::widget::Widget`], the markup is
//! [`crate::view::render`] turned into Yew's virtual DOM here, so the component and
//! `mount()` show the same thing and behave the same way.

use crate::browser::focus;
use crate::runner::{Status, TokenSource};
use crate::view::{self, El, Node, AUTOFOCUS};
use crate::widget::{Command, Hooks, Widget, WidgetState};
use account_link_core::config::LinkConfig;
use account_link_core::management::Identity;
use account_link_core::LinkError;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;
use yew::virtual_dom::{VNode, VTag, VText};

#[derive(Properties, Clone)]
pub struct AccountLinkProps {
    pub config: LinkConfig,
    /// Resolves to the primary user's Management API access token.
    pub token: TokenSource,
    #[prop_or_default]
    pub on_linked: Callback<Vec<Identity>>,
    #[prop_or_default]
    pub on_unlinked: Callback<Vec<Identity>>,
    #[prop_or_default]
    pub on_error: Callback<LinkError>,
}

impl PartialEq for AccountLinkProps {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
            && Rc::ptr_eq(&self.token, &other.token)
            && self.on_linked == other.on_linked
            && self.on_unlinked == other.on_unlinked
            && self.on_error == other.on_error
    }
}

/// Host callbacks that always reach the parent's latest props.
fn hooks(latest: &Rc<RefCell<AccountLinkProps>>) -> Hooks {
    let (a, b, c) = (latest.clone(), latest.clone(), latest.clone());
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
    }
}

#[function_component(AccountLink)]
pub fn account_link(props: &AccountLinkProps) -> Html {
    let latest = use_mut_ref(|| props.clone());
    *latest.borrow_mut() = props.clone();
    let state = use_state_eq(WidgetState::default);
    let slot: Rc<RefCell<Option<Widget>>> = use_mut_ref(|| None);
    {
        let (state, slot, latest) = (state.setter(), slot.clone(), latest.clone());
        let token = props.token.clone();
        use_effect_with(
            (
                props.config.clone(),
                Rc::as_ptr(&props.token) as *const () as usize,
            ),
            move |(config, _)| {
                // A new configuration is a new widget, from a fresh state.
                state.set(WidgetState::default());
                let widget = Widget::new(config.clone(), token, hooks(&latest), move |s| {
                    state.set(s.clone())
                });
                *slot.borrow_mut() = Some(widget);
                move || {
                    if let Some(widget) = slot.borrow_mut().take() {
                        widget.dispose();
                    }
                }
            },
        );
    }
    // As with `mount()`: a render that takes the focused control away puts the focus back
    // inside the widget, and a dialog that appears takes it on its marked action.
    let root = use_node_ref();
    let had_focus = root
        .cast::<web_sys::Element>()
        .is_some_and(|r| focus::is_within(&r));
    {
        let root = root.clone();
        use_effect(move || {
            if let Some(r) = root.cast::<web_sys::Element>() {
                focus::restore(&r, had_focus);
            }
        });
    }
    {
        let root = root.clone();
        let dialog = (
            matches!(state.status, Status::Confirming(_)),
            state.confirm_unlink.is_some(),
        );
        use_effect_with(dialog, move |_| {
            let target = root
                .cast::<web_sys::Element>()
                .and_then(|r| r.query_selector(&format!("[{AUTOFOCUS}]")).ok().flatten());
            if let Some(target) = target {
                focus::give(&target);
            }
        });
    }
    let on_command = Callback::from(move |command: Command| {
        // Synchronous: a Link command opens the popup inside this click handler.
        let widget = slot.borrow().clone();
        if let Some(widget) = widget {
            widget.command(command);
        }
    });
    let mut tag = vtag(view::render(&state, &props.config), &on_command);
    tag.node_ref = root;
    tag.into()
}

/// The view's tree as Yew virtual DOM. Text stays text.
pub fn to_html(el: El, on_command: &Callback<Command>) -> Html {
    vtag(el, on_command).into()
}

fn vtag(el: El, on_command: &Callback<Command>) -> VTag {
    let mut tag = VTag::new(el.tag);
    for (name, value) in el.attrs {
        tag.add_attribute(name, value);
    }
    if let Some(command) = el.on_click {
        let callback = on_command.reform(move |_: MouseEvent| command.clone());
        tag.add_listener(Rc::new(yew::html::onclick::Wrapper::new(callback)));
    }
    for child in el.children {
        tag.add_child(match child {
            Node::El(child) => vtag(child, on_command).into(),
            Node::Text(text) => VNode::from(VText::new(text)),
        });
    }
    tag
}
