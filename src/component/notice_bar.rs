//! What just happened (linked, unlinked, cancelled, an error), until dismissed.

use super::context::use_ui;
use auth0_account_link_core::session::{Command, Notice};
use yew::prelude::*;

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
            <span class="aal-notice-text">{ ui.texts.notice(notice) }</span>
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
