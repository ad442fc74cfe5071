//! The widget's one store (`use_reducer`): the session's latest view, and the catalog of
//! texts loaded for the locale. Both arrive as actions: the runner hands a new view after
//! each step of the session, the loader a catalog.

use crate::messages::Messages;
use auth0_account_link_core::session::View;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WidgetState {
    pub view: View,
    /// The message catalog loaded for a locale.
    pub catalog: Option<(String, Messages)>,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// What the session shows now.
    View(Box<View>),
    /// A locale's message catalog arrived.
    Catalog(String, Messages),
}

impl Reducible for WidgetState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            Action::View(view) => next.view = *view,
            Action::Catalog(locale, catalog) => next.catalog = Some((locale, catalog)),
        }
        Rc::new(next)
    }
}
