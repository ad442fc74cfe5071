//! One "Link …" button per configured connection, then "Another account", as a labelled
//! group. Enabled only when a prepared attempt is ready, so the popup opens inside the
//! click.

use super::context::use_ui;
use auth0_account_link_core::config::Connection;
use auth0_account_link_core::session::Command;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LinkActionsProps {
    pub connections: Vec<Connection>,
    pub ready: bool,
}

#[function_component(LinkActions)]
pub fn link_actions(props: &LinkActionsProps) -> Html {
    let ui = use_ui();
    let texts = &ui.texts;
    let button = |connection: Option<&str>, label: String| {
        let onclick = ui.send::<MouseEvent>(Command::Link(connection.map(str::to_owned)));
        html! {
            <button
                type="button"
                class="aal-link"
                data-connection={connection.unwrap_or("").to_owned()}
                disabled={!props.ready}
                {onclick}
            >
                { label }
            </button>
        }
    };
    html! {
        <div class="aal-actions" role="group" aria-label={texts.get("actions_label")}>
            { for props.connections.iter().map(|c| button(
                Some(c.name()),
                texts.fill("link_with", &[("provider", c.label())]),
            )) }
            { button(None, texts.get("another_account")) }
        </div>
    }
}
