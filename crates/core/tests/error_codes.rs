//! The stable error codes are a public contract (that the TypeScript union and the
//! package README list exactly these is checked in `js_copies.rs`).

use auth0_account_link_core::error::ErrorCode;

#[test]
fn codes_are_distinct_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for code in ErrorCode::ALL {
        let s = code.as_str();
        assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        assert!(seen.insert(s), "{s} twice");
    }
}
