//! Lists the package's JavaScript and docs must hold as the core holds them. Where a list
//! has to exist on both sides (the callback page runs without the wasm; the types and the
//! README are read by people), these tests fail when the copies differ.

use auth0_account_link_core::config::LinkOptions;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::transaction::{CallbackResponse, REDIRECT_STATE_MARK, STATE_MARK};

const CALLBACK_JS: &str = include_str!("../../../js/callback.js");
// What both package entries share: the loader, the headless calls, the pure helpers.
const ENTRY_JS: &str = include_str!("../../../js/entry.js");
const INDEX_D_TS: &str = include_str!("../../../js/index.d.ts");
const ELEMENT_JS: &str = include_str!("../../../js/element.js");
const PACKAGE_README: &str = include_str!("../../../js/README.md");

/// The strings of the first `[ "…", … ]` array literal after `marker`.
fn array_after(source: &str, marker: &str) -> Vec<String> {
    let from = source
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not found"));
    let rest = &source[from..];
    let open = rest.find('[').expect("an array");
    let close = rest[open..].find(']').expect("its end") + open;
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn the_callback_page_forwards_exactly_the_parameters_a_response_owns() {
    let page = array_after(CALLBACK_JS, "for (const key of");
    let core: Vec<String> = CallbackResponse::PARAMETERS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(sorted(page), sorted(core));
}

#[test]
fn every_option_is_typed_and_documented_and_the_element_passes_only_real_options() {
    let typed = INDEX_D_TS
        .split("export interface AccountLinkOptions {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("AccountLinkOptions");
    for name in LinkOptions::NAMES {
        assert!(
            typed.contains(&format!("\n  {name}?:")) || typed.contains(&format!("\n  {name}:")),
            "option {name} is not in index.d.ts's AccountLinkOptions"
        );
    }
    for name in LinkOptions::NAMES {
        assert!(
            PACKAGE_README.contains(&format!("`{name}`")),
            "option {name} is not documented in js/README.md"
        );
    }
    // element.js sets options as `text("attribute", "option")` and `options.<name> =`.
    let mut set_by_element: Vec<String> = ELEMENT_JS
        .split("text(\"")
        .skip(1)
        .filter_map(|s| s.split('"').nth(2).map(str::to_owned))
        .collect();
    set_by_element.extend(
        ELEMENT_JS
            .split("options.")
            .skip(1)
            .filter_map(|s| s.split(' ').next())
            .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(str::to_owned),
    );
    assert!(
        set_by_element.len() >= 8,
        "the scan finds them: {set_by_element:?}"
    );
    for name in set_by_element {
        assert!(
            LinkOptions::NAMES.contains(&name.as_str()),
            "element.js sets {name}, which is no option"
        );
    }
}

#[test]
fn every_error_code_is_typed_and_documented() {
    let typed = INDEX_D_TS
        .split("export type AccountLinkErrorCode =")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("AccountLinkErrorCode");
    let typed: Vec<String> = typed
        .split('|')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let core: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(sorted(typed), sorted(core.clone()));
    for code in core {
        assert!(
            PACKAGE_README.contains(&format!("\n| `{code}`")),
            "{code} has no row in js/README.md's error table"
        );
    }
}

#[test]
fn the_entrys_load_error_says_what_the_core_says_for_config_invalid() {
    let said = ErrorCode::ConfigInvalid.user_message();
    assert!(
        ENTRY_JS.contains(&format!("error.userMessage = \"{said}\";")),
        "js/entry.js's load error must say {said:?}"
    );
    assert!(ENTRY_JS.contains("error.code = \"config_invalid\";"));
    assert!(ENTRY_JS.contains(&format!(
        "error.actor = \"{}\";",
        ErrorCode::ConfigInvalid.actor().as_str()
    )));
}

#[test]
fn the_callback_page_knows_a_login_that_left_its_tab_by_the_cores_mark() {
    let line = CALLBACK_JS
        .lines()
        .find(|l| l.starts_with("const REDIRECT_STATE_MARK = "))
        .expect("callback.js declares REDIRECT_STATE_MARK");
    assert_eq!(
        line,
        format!("const REDIRECT_STATE_MARK = {REDIRECT_STATE_MARK:?};")
    );
}

#[test]
fn the_entry_knows_the_widgets_redirect_returns_by_the_cores_mark() {
    let line = ENTRY_JS
        .lines()
        .find(|l| l.starts_with("const STATE_MARK = "))
        .expect("entry.js declares STATE_MARK");
    assert_eq!(line, format!("const STATE_MARK = {STATE_MARK:?};"));
    assert!(REDIRECT_STATE_MARK.starts_with(STATE_MARK));
}

/// The package's entry opens the headless `unlink`'s login window in the click while the
/// wasm loads, unless the options turn the primary's sign-in again off: the same rule the
/// core applies (on unless `reauthenticate: false`).
#[test]
fn the_entry_opens_an_unlinks_window_exactly_when_the_core_signs_the_primary_in_again() {
    use auth0_account_link_core::config::LinkConfig;
    let base = || LinkOptions {
        domain: Some("t.example.com".into()),
        client_id: Some("c".into()),
        app_origin: Some("https://app.example.com".into()),
        ..LinkOptions::default()
    };
    let with = |reauthenticate| {
        LinkConfig::new(&LinkOptions {
            reauthenticate,
            ..base()
        })
        .expect("valid")
        .reauthenticate_max_age_seconds()
        .is_some()
    };
    assert!(with(None) && with(Some(true)) && !with(Some(false)));
    let unlink = ENTRY_JS
        .split("  function unlink(")
        .nth(1)
        .and_then(|rest| rest.split("\n  }").next())
        .expect("the entry's unlink");
    assert!(
        unlink.contains(r#"own(options, "reauthenticate") === false) return init()"#),
        "the entry skips the window only for reauthenticate: false: {unlink}"
    );
    assert!(
        unlink.contains(r#"openLoginWindow("about:blank")"#),
        "{unlink}"
    );
}
