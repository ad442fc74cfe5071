//! What every part of the widget shares, given once through a Yew context instead of
//! through each part's props: the texts in the widget's locale and the command callback.

use crate::messages::Texts;
use auth0_account_link_core::session::Command;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Ui {
    pub texts: Texts,
    /// Where the parts send what the user asked for (the session's commands).
    pub on_command: Callback<Command>,
}

impl Ui {
    /// A callback for a DOM event that sends `command`.
    pub fn send<E: 'static>(&self, command: Command) -> Callback<E> {
        self.on_command.reform(move |_: E| command.clone())
    }
}

/// The widget's [`Ui`]. Parts are only drawn inside [`super::AccountLink`], which
/// provides it.
#[hook]
pub fn use_ui() -> Ui {
    use wasm_bindgen::UnwrapThrowExt;
    use_context::<Ui>().expect_throw("unreachable: the widget's parts are drawn inside AccountLink")
}
