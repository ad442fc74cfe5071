//! The stable error codes are a public contract: every code the core can produce is in
//! the package's TypeScript union and in its README, spelled the same.

use account_link_core::error::ErrorCode;

fn package_file(name: &str) -> String {
    let path = format!("{}/../../js/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_code_is_in_the_typescript_union_and_the_readme() {
    let types = package_file("index.d.ts");
    let readme = package_file("README.md");
    for code in ErrorCode::ALL {
        let quoted = format!("\"{}\"", code.as_str());
        assert!(types.contains(&quoted), "index.d.ts lacks {quoted}");
        let ticked = format!("`{}`", code.as_str());
        assert!(readme.contains(&ticked), "README.md lacks {ticked}");
    }
}

#[test]
fn codes_are_distinct_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for code in ErrorCode::ALL {
        let s = code.as_str();
        assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        assert!(seen.insert(s), "{s} twice");
    }
}
