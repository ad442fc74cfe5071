//! What just happened (linked, unlinked, cancelled, an error), until dismissed.

use super::context::use_ui;
use crate::messages::Texts;
use auth0_account_link_core::session::{Command, Notice};
use yew::prelude::*;

/// A notice's words.
pub fn notice_text(notice: &Notice, texts: &Texts) -> String {
    match notice {
        Notice::Linked => texts.get("status.linked"),
        Notice::Unlinked => texts.get("unlinked"),
        Notice::Cancelled(words) => words
            .clone()
            .unwrap_or_else(|| texts.get("error.cancelled")),
        Notice::Error(e) => {
            let words = texts.error(e);
            // What the sentence is about: the identity provider's words, or the account.
            match (e.idp_error(), e.account()) {
                (Some((error, description)), _) => {
                    format!("{words} ({})", description.unwrap_or(error))
                }
                (None, Some(account)) => format!("{words} ({account})"),
                (None, None) => words,
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Notice,
}

#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    let ui = use_ui();
    let notice = &props.notice;
    let body = html! {
        <>
            <span class="aal-notice-text">{ notice_text(notice, &ui.texts) }</span>
            <button type="button" class="aal-dismiss" onclick={ui.send::<MouseEvent>(Command::Dismiss)}>
                { ui.texts.get("dismiss") }
            </button>
        </>
    };
    let code = notice.code().unwrap_or("");
    // Static class strings (see the confirm dialog: a computed `class` brings `Classes`).
    if notice.is_error() {
        html! { <div class="aal-notice aal-error" role="alert" data-code={code}>{ body }</div> }
    } else {
        html! { <div class="aal-notice" role="status" data-code={code}>{ body }</div> }
    }
}
