//! "Unlink this account?" The focus starts on Cancel, the safe answer of a destructive
//! question; Escape cancels.

use super::common::{on_escape, use_focus_on_mount};
use super::context::use_ui;
use crate::messages::who;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{Answer, Command, QuestionId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UnlinkDialogProps {
    /// The question this dialog answers: its buttons name it.
    pub question: QuestionId,
    pub identity: Identity,
    pub unlinking: bool,
}

#[function_component(UnlinkDialog)]
pub fn unlink_dialog(props: &UnlinkDialogProps) -> Html {
    let ui = use_ui();
    let cancel_ref = use_node_ref();
    use_focus_on_mount(cancel_ref.clone());
    let texts = &ui.texts;
    let identity = &props.identity;
    let no = Command::Answer(props.question, Answer::No(None));
    let confirm = ui.send::<MouseEvent>(Command::Answer(props.question, Answer::Yes));
    let cancel = ui.send::<MouseEvent>(no.clone());
    let question = texts.get("unlink_question");
    html! {
        <div
            class="aal-dialog"
            role="dialog"
            aria-modal="false"
            aria-label={question.clone()}
            onkeydown={on_escape(&ui, no)}
        >
            <p>{ question }</p>
            <p class="aal-who">
                { format!("{} · {}", texts.provider(&identity.provider), who(identity)) }
            </p>
            <div class="aal-dialog-actions">
                <button type="button" class="aal-confirm-unlink" disabled={props.unlinking} onclick={confirm}>
                    { texts.get("unlink_confirm") }
                </button>
                <button type="button" class="aal-cancel" disabled={props.unlinking} onclick={cancel} ref={cancel_ref}>
                    { texts.get("cancel") }
                </button>
            </div>
        </div>
    }
}
