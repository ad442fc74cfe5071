//! What just happened (linked, unlinked, cancelled, an error), until dismissed.

use super::context::use_ui;
use crate::messages::Texts;
use account_link_core::session::{Command, Notice};
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
    let error = notice.is_error();
    html! {
        <div
            class={classes!("aal-notice", error.then_some("aal-error"))}
            role={if error { "alert" } else { "status" }}
            data-code={notice.code().unwrap_or("")}
        >
            <span class="aal-notice-text">{ notice_text(notice, &ui.texts) }</span>
            <button type="button" class="aal-dismiss" onclick={ui.send::<MouseEvent>(Command::Dismiss)}>
                { ui.texts.get("dismiss") }
            </button>
        </div>
    }
}
