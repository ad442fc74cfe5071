//! The view and its two renderers in headless Chromium: the framework-free DOM renderer
//! behind `mount()` (markup, in-place patching, clicks → commands, text never parsed as
//! markup, clean removal) and, with the `yew` feature, the Yew component (same markup,
//! same commands, a working widget after a failure).
#![cfg(target_arch = "wasm32")]

use account_link_core::config::{ConnectionOption, LinkConfig, LinkOptions};
use account_link_core::error::ErrorCode;
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::{Identity, IdentityRef, ProfileData};
use account_link_core::LinkError;
use auth0_account_link::browser::window;
use auth0_account_link::dom::DomView;
use auth0_account_link::runner::{Status, TokenSource};
use auth0_account_link::view;
use auth0_account_link::widget::{Command, Hooks, Notice, Widget, WidgetState};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{eventually, page_options};

fn host() -> Element {
    let document = window().document().expect("document");
    let host = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append host");
    host
}

fn config() -> LinkConfig {
    LinkConfig::new(&LinkOptions {
        connections: Some(vec![ConnectionOption {
            name: "google-oauth2".into(),
            label: None,
        }]),
        ..page_options("spa-client")
    })
    .expect("config")
}

fn identity(provider: &str, user_id: &str, email: &str) -> Identity {
    Identity {
        connection: provider.into(),
        user_id: user_id.into(),
        provider: provider.into(),
        is_social: provider != "auth0",
        profile_data: Some(ProfileData {
            email: Some(email.into()),
            ..Default::default()
        }),
    }
}

/// The primary (database) identity and a linked Google one.
fn primary_and_google() -> Vec<Identity> {
    vec![
        identity("auth0", "primary", "alice@example.com"),
        identity("google-oauth2", "g-1", "a@gmail.example"),
    ]
}

/// `ids` listed, with "Unlink this account?" asked about the second.
fn asking_to_unlink(ids: &[Identity]) -> WidgetState {
    WidgetState {
        confirm_unlink: Some(ids[1].clone()),
        ..listed(ids.to_vec(), Status::Ready)
    }
}

fn listed(ids: Vec<Identity>, status: Status) -> WidgetState {
    WidgetState {
        identities: Some(ids),
        status,
        ..Default::default()
    }
}

fn q(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("selector")
        .unwrap_or_else(|| panic!("{selector} is rendered"))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("selector")
        .length()
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().expect("html element").click();
}

type Commands = Rc<RefCell<Vec<Command>>>;

fn dom_view(state: &WidgetState) -> (Element, DomView, Commands) {
    let host = host();
    let commands: Commands = Rc::default();
    let c = commands.clone();
    let view = DomView::new(&host, view::render(state, &config()), move |cmd| {
        c.borrow_mut().push(cmd)
    });
    (host, view, commands)
}

#[wasm_bindgen_test]
fn renders_the_identities_and_a_button_per_connection() {
    let state = listed(
        vec![
            identity("auth0", "primary", "alice@example.com"),
            identity("google-oauth2", "g-1", "alice@gmail.example"),
        ],
        Status::Ready,
    );
    let (host, view, _) = dom_view(&state);
    let root = view.root();
    assert_eq!(root.tag_name(), "SECTION");
    assert_eq!(root.class_name(), "aal");
    assert_eq!(count(root, "li.aal-identity"), 2);
    // The primary is never offered for unlinking.
    assert_eq!(count(root, "li.aal-identity:first-child .aal-unlink"), 0);
    assert_eq!(count(root, "li.aal-identity .aal-unlink"), 1);
    assert_eq!(
        q(root, "li[data-provider=google-oauth2] .aal-who").text_content(),
        Some("alice@gmail.example".into())
    );
    let status = q(root, ".aal-status");
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        status.get_attribute("data-status").as_deref(),
        Some("ready")
    );
    assert_eq!(
        count(root, ".aal-link"),
        2,
        "google-oauth2 + another account"
    );
    assert_eq!(count(root, ".aal-link[disabled]"), 0);
    drop(view);
    host.remove();
}

#[wasm_bindgen_test]
fn idp_strings_are_text_never_markup() {
    let evil = "<img src=x onerror=\"window.__pwned=1\">";
    let mut state = listed(
        vec![
            identity("auth0", "primary", "alice@example.com"),
            identity("github", "<b>1</b>", evil),
        ],
        Status::Ready,
    );
    state.notice = Some(Notice {
        text: evil.into(),
        code: Some("server_error"),
        is_error: true,
    });
    let (host, view, _) = dom_view(&state);
    let root = view.root();
    assert_eq!(count(root, "img"), 0);
    assert_eq!(count(root, "b"), 0);
    assert_eq!(
        q(root, ".aal-notice-text").text_content(),
        Some(evil.into())
    );
    assert_eq!(
        q(root, "li[data-provider=github]")
            .get_attribute("data-user-id")
            .as_deref(),
        Some("<b>1</b>")
    );
    drop(view);
    host.remove();
}

#[wasm_bindgen_test]
fn patching_keeps_nodes_updates_text_and_removes_stale_attributes() {
    let ids = vec![
        identity("auth0", "primary", "alice@example.com"),
        identity("google-oauth2", "g-1", "a@gmail.example"),
        identity("github", "7", "a@github.example"),
    ];
    let (host, mut view, _) = dom_view(&listed(ids.clone(), Status::Preparing));
    let status = q(view.root(), ".aal-status");
    let link = q(view.root(), ".aal-link");
    assert!(link.has_attribute("disabled"));

    view.render(view::render(&listed(ids.clone(), Status::Ready), &config()));
    // Same elements (focus would stay on them), new text, `disabled` gone.
    assert!(status.is_same_node(Some(&q(view.root(), ".aal-status"))));
    assert!(link.is_same_node(Some(&q(view.root(), ".aal-link"))));
    assert_eq!(
        status.get_attribute("data-status").as_deref(),
        Some("ready")
    );
    assert_eq!(
        status.text_content(),
        Some(auth0_account_link::messages::status_text(&Status::Ready, "en").into())
    );
    assert!(!link.has_attribute("disabled"));

    // A notice that comes and goes leaves its siblings' nodes alone.
    let actions = q(view.root(), ".aal-actions");
    let mut noticed = listed(ids.clone(), Status::Ready);
    noticed.notice = Some(Notice {
        text: "Linking was cancelled.".into(),
        code: Some("cancelled"),
        is_error: false,
    });
    view.render(view::render(&noticed, &config()));
    assert_eq!(count(view.root(), ".aal-notice[role=status]"), 1);
    view.render(view::render(&listed(ids.clone(), Status::Ready), &config()));
    assert_eq!(count(view.root(), ".aal-notice"), 0);
    assert!(actions.is_same_node(Some(&q(view.root(), ".aal-actions"))));
    assert!(link.is_same_node(Some(&q(view.root(), ".aal-link"))));

    // One identity unlinked: its row goes, the others stay.
    let fewer = vec![ids[0].clone(), ids[2].clone()];
    view.render(view::render(&listed(fewer, Status::Ready), &config()));
    assert_eq!(count(view.root(), "li.aal-identity"), 2);
    assert_eq!(count(view.root(), "li[data-provider=google-oauth2]"), 0);
    assert_eq!(count(view.root(), "li[data-provider=github]"), 1);
    drop(view);
    host.remove();
}

#[wasm_bindgen_test]
fn clicks_send_the_command_of_the_current_render() {
    let ids = primary_and_google();
    let (host, mut view, commands) = dom_view(&listed(ids.clone(), Status::Ready));
    click(&q(view.root(), ".aal-link[data-connection=google-oauth2]"));
    click(&q(view.root(), ".aal-unlink"));
    assert_eq!(
        *commands.borrow(),
        vec![
            Command::Link(Some("google-oauth2".into())),
            Command::AskUnlink(IdentityRef {
                provider: "google-oauth2".into(),
                user_id: "g-1".into()
            }),
        ]
    );

    let mut asking = asking_to_unlink(&ids);
    view.render(view::render(&asking, &config()));
    commands.borrow_mut().clear();
    click(&q(view.root(), ".aal-confirm-unlink"));
    click(&q(view.root(), ".aal-dialog .aal-cancel"));
    // A disabled button sends nothing.
    asking.unlinking = true;
    view.render(view::render(&asking, &config()));
    click(&q(view.root(), ".aal-confirm-unlink"));
    assert_eq!(
        *commands.borrow(),
        vec![Command::ConfirmUnlink, Command::CancelUnlink]
    );
    drop(view);
    host.remove();
}

fn active_class() -> Option<String> {
    window()
        .document()
        .and_then(|d| d.active_element())
        .map(|e| e.class_name())
}

#[wasm_bindgen_test]
fn a_dialog_that_appears_takes_the_focus_once() {
    let ids = primary_and_google();
    let (host, mut view, _) = dom_view(&listed(ids.clone(), Status::Ready));
    let asking = asking_to_unlink(&ids);
    view.render(view::render(&asking, &config()));
    // The destructive question focuses its safe answer.
    assert_eq!(active_class().as_deref(), Some("aal-cancel"));

    // Re-rendering the same dialog does not take the focus back.
    q(view.root(), ".aal-link")
        .dyn_into::<HtmlElement>()
        .expect("button")
        .focus()
        .expect("focus");
    view.render(view::render(&asking, &config()));
    assert_eq!(active_class().as_deref(), Some("aal-link"));

    let confirming = listed(
        ids,
        Status::Confirming(SecondaryProfile {
            user_id: "github|7".into(),
            provider: "github".into(),
            name: Some("Alice".into()),
            nickname: None,
            email: Some("a@github.example".into()),
            email_verified: Some(true),
            picture: None,
        }),
    );
    view.render(view::render(&confirming, &config()));
    assert_eq!(active_class().as_deref(), Some("aal-confirm-link"));
    drop(view);
    host.remove();
}

#[wasm_bindgen_test]
fn a_render_that_removes_the_focused_control_keeps_the_focus_in_the_widget() {
    let ids = primary_and_google();
    let (host, mut view, _) = dom_view(&listed(ids.clone(), Status::Ready));
    let asking = asking_to_unlink(&ids);
    view.render(view::render(&asking, &config()));
    assert_eq!(active_class().as_deref(), Some("aal-cancel"));

    // The dialog goes: the focus moves to the first enabled action, not to the body.
    view.render(view::render(&listed(ids.clone(), Status::Ready), &config()));
    assert_eq!(active_class().as_deref(), Some("aal-link"));

    // Every action disabled: the widget's root holds the focus.
    view.render(view::render(
        &listed(ids.clone(), Status::AwaitingLogin),
        &config(),
    ));
    assert_eq!(active_class().as_deref(), Some("aal"));

    // Focus outside the widget is none of its business.
    let outside = window()
        .document()
        .expect("document")
        .create_element("button")
        .expect("button");
    host.append_child(&outside).expect("append");
    outside
        .dyn_ref::<HtmlElement>()
        .expect("button")
        .focus()
        .expect("focus");
    view.render(view::render(&listed(ids, Status::Ready), &config()));
    assert!(window()
        .document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| a.is_same_node(Some(&outside))));
    drop(view);
    host.remove();
}

#[wasm_bindgen_test]
fn dropping_the_view_removes_its_markup_and_listener() {
    let (host, view, commands) = dom_view(&listed(vec![], Status::Ready));
    let button = q(view.root(), ".aal-link");
    drop(view);
    assert_eq!(host.child_element_count(), 0);
    click(&button);
    assert!(commands.borrow().is_empty());
    host.remove();
}

/// A token source that fails: every operation ends before any request.
fn failing_token() -> TokenSource {
    Rc::new(|| Box::pin(async { Err("no session".to_owned()) }))
}

async fn wait_for(root: &Element, selector: &str) -> Element {
    eventually(selector, || count(root, selector) > 0).await;
    q(root, selector)
}

#[wasm_bindgen_test]
async fn a_widget_whose_token_fails_reports_it_and_stays_usable() {
    let host = host();
    let errors: Rc<RefCell<Vec<ErrorCode>>> = Rc::default();
    let e = errors.clone();
    let hooks = Hooks {
        on_error: Rc::new(move |err: LinkError| e.borrow_mut().push(err.code())),
        ..Default::default()
    };
    let slot: Rc<RefCell<Option<Widget>>> = Rc::default();
    let s = slot.clone();
    let view = Rc::new(RefCell::new(Some(DomView::new(
        &host,
        view::render(&WidgetState::default(), &config()),
        move |cmd| {
            let w = s.borrow().clone();
            if let Some(w) = w {
                w.command(cmd)
            }
        },
    ))));
    let v = view.clone();
    let widget = Widget::new(config(), failing_token(), hooks, move |state| {
        if let Some(dom) = v.borrow_mut().as_mut() {
            dom.render(view::render(state, &config()));
        }
    });
    *slot.borrow_mut() = Some(widget.clone());

    let notice = wait_for(&host, ".aal-notice[data-code=primary_token_unavailable]").await;
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    let retry = wait_for(&host, ".aal-retry").await;
    assert!(errors
        .borrow()
        .iter()
        .all(|c| *c == ErrorCode::PrimaryTokenUnavailable));
    assert!(!errors.borrow().is_empty(), "the host heard about it");

    // Still usable: dismiss works, retry runs the flow again (and fails the same way).
    click(&q(&host, ".aal-dismiss"));
    assert_eq!(count(&host, ".aal-notice"), 0);
    let before = errors.borrow().len();
    click(&retry);
    eventually("retry runs again", || errors.borrow().len() > before).await;

    widget.dispose();
    drop(view.borrow_mut().take());
    assert_eq!(host.child_element_count(), 0);
    host.remove();
}

#[cfg(feature = "yew")]
mod yew_component {
    use super::common::{primary_token, sleep, TENANT};
    use super::*;
    use auth0_account_link::component::{to_html, AccountLink, AccountLinkProps};
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;
    use yew::prelude::*;

    #[derive(Properties, PartialEq)]
    struct StaticProps {
        state: WidgetState,
        on_command: Callback<Command>,
    }

    /// Draws one fixed state through the component's converter.
    #[function_component(Static)]
    fn static_view(props: &StaticProps) -> Html {
        to_html(view::render(&props.state, &config()), &props.on_command)
    }

    fn without_command_indexes(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(at) = rest.find(" data-aal-cmd=\"") {
            out.push_str(&rest[..at]);
            let after = &rest[at + " data-aal-cmd=\"".len()..];
            rest = &after[after.find('"').expect("closing quote") + 1..];
        }
        out.push_str(rest);
        out
    }

    fn states() -> Vec<WidgetState> {
        let ids = primary_and_google();
        let mut notice = listed(ids.clone(), Status::Ready);
        notice.notice = Some(Notice {
            text: "<i>x</i>".into(),
            code: Some("rate_limited"),
            is_error: true,
        });
        vec![
            WidgetState::default(),
            listed(ids.clone(), Status::Preparing),
            notice,
            asking_to_unlink(&ids),
            listed(ids, Status::PopupBlocked),
        ]
    }

    #[wasm_bindgen_test]
    async fn the_yew_component_draws_the_same_markup_as_mount() {
        for state in states() {
            let (dom_host, dom, _) = dom_view(&state);
            let yew_host = host();
            let app = yew::Renderer::<Static>::with_root_and_props(
                yew_host.clone(),
                StaticProps {
                    state: state.clone(),
                    on_command: Callback::noop(),
                },
            )
            .render();
            sleep(0).await;
            assert_eq!(
                yew_host.inner_html(),
                without_command_indexes(&dom.root().outer_html()),
                "state {state:?}"
            );
            app.destroy();
            drop(dom);
            dom_host.remove();
            yew_host.remove();
        }
    }

    #[wasm_bindgen_test]
    async fn the_yew_component_sends_commands_on_click() {
        let commands: Commands = Rc::default();
        let c = commands.clone();
        let yew_host = host();
        let state = states().remove(3);
        let app = yew::Renderer::<Static>::with_root_and_props(
            yew_host.clone(),
            StaticProps {
                state,
                on_command: Callback::from(move |cmd| c.borrow_mut().push(cmd)),
            },
        )
        .render();
        sleep(0).await;
        click(&q(&yew_host, ".aal-confirm-unlink"));
        click(&q(&yew_host, ".aal-link[data-connection=google-oauth2]"));
        assert_eq!(
            *commands.borrow(),
            vec![
                Command::ConfirmUnlink,
                Command::Link(Some("google-oauth2".into()))
            ]
        );
        app.destroy();
        yew_host.remove();
    }

    /// Replaces `window.fetch` for one test: the Management API answers from here (no
    /// tenant can run inside the test page). Returns the calls seen, as "METHOD url".
    fn fake_management_api(user: &str, after_unlink: &str) -> js_sys::Array {
        let calls = js_sys::Array::new();
        let fetch = js_sys::Function::new_with_args(
            "calls, user, afterUnlink",
            "return (url, init) => { const method = (init && init.method) || 'GET'; calls.push(method + ' ' + url); \
             const body = method === 'GET' ? user : method === 'DELETE' ? afterUnlink : '{}'; \
             const status = method === 'GET' || method === 'DELETE' ? 200 : 500; \
             return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } })); };",
        )
        .call3(&JsValue::NULL, &calls, &user.into(), &after_unlink.into())
        .expect("fake fetch");
        let original = Reflect::get(&window(), &"fetch".into()).expect("fetch");
        Reflect::set(&window(), &"__realFetch".into(), &original).expect("keep fetch");
        Reflect::set(&window(), &"fetch".into(), &fetch).expect("replace fetch");
        calls
    }

    fn restore_fetch() {
        let original = Reflect::get(&window(), &"__realFetch".into()).expect("kept fetch");
        Reflect::set(&window(), &"fetch".into(), &original).expect("restore fetch");
    }

    #[wasm_bindgen_test]
    async fn the_yew_component_lists_and_unlinks_with_a_focused_confirmation() {
        let calls = fake_management_api(
            r#"{"user_id":"auth0|primary","identities":[
                {"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"},
                {"connection":"github","user_id":"7","provider":"github","profileData":{"email":"a@github.example"}}]}"#,
            r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0"}]"#,
        );
        let unlinked: Rc<RefCell<Vec<usize>>> = Rc::default();
        let u = unlinked.clone();
        let token: TokenSource = Rc::new(|| Box::pin(async { Ok(primary_token()) }));
        let yew_host = host();
        let app = yew::Renderer::<AccountLink>::with_root_and_props(
            yew_host.clone(),
            AccountLinkProps {
                config: config(),
                token,
                on_linked: Callback::noop(),
                on_unlinked: Callback::from(move |ids: Vec<Identity>| {
                    u.borrow_mut().push(ids.len())
                }),
                on_error: Callback::noop(),
            },
        )
        .render();
        wait_for(&yew_host, ".aal-status[data-status=ready]").await;
        assert_eq!(count(&yew_host, "li.aal-identity"), 2);
        click(&q(&yew_host, "li[data-provider=github] .aal-unlink"));
        wait_for(&yew_host, ".aal-confirm-unlink").await;
        sleep(0).await;
        assert_eq!(active_class().as_deref(), Some("aal-cancel"));
        click(&q(&yew_host, ".aal-confirm-unlink"));
        eventually("the unlinked row goes", || {
            count(&yew_host, "li.aal-identity") == 1
        })
        .await;
        assert_eq!(*unlinked.borrow(), vec![1]);
        // The focus (on the dialog's Cancel) did not fall to the page body: it is on the
        // root or an action (the re-prepare after an unlink briefly disables the actions).
        let active = window()
            .document()
            .and_then(|d| d.active_element())
            .expect("active element");
        assert!(yew_host.contains(Some(&active)), "{:?}", active_class());
        let calls: Vec<String> = calls.iter().filter_map(|c| c.as_string()).collect();
        assert_eq!(
            calls,
            vec![
                format!("GET {TENANT}/api/v2/users/auth0%7Cprimary"),
                format!("DELETE {TENANT}/api/v2/users/auth0%7Cprimary/identities/github/7"),
            ]
        );
        restore_fetch();
        app.destroy();
        yew_host.remove();
    }

    #[wasm_bindgen_test]
    async fn the_yew_component_reports_a_failing_token_and_offers_retry() {
        let errors: Rc<RefCell<Vec<ErrorCode>>> = Rc::default();
        let e = errors.clone();
        let yew_host = host();
        let app = yew::Renderer::<AccountLink>::with_root_and_props(
            yew_host.clone(),
            AccountLinkProps {
                config: config(),
                token: failing_token(),
                on_linked: Callback::noop(),
                on_unlinked: Callback::noop(),
                on_error: Callback::from(move |err: LinkError| e.borrow_mut().push(err.code())),
            },
        )
        .render();
        wait_for(
            &yew_host,
            ".aal-notice[data-code=primary_token_unavailable]",
        )
        .await;
        let retry = wait_for(&yew_host, ".aal-retry").await;
        let before = errors.borrow().len();
        assert!(before > 0);
        click(&retry);
        eventually("retry runs again", || errors.borrow().len() > before).await;
        app.destroy();
        sleep(0).await;
        assert_eq!(yew_host.child_element_count(), 0);
        yew_host.remove();
    }
}
