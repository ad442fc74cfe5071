//! Encoders and decoders the protocol needs, written out so that the wasm bundle carries
//! no general-purpose crates for them: base64url (RFC 4648 §5, unpadded, strict),
//! percent-encoding (RFC 3986 unreserved set), `application/x-www-form-urlencoded`, and
//! JSON string escaping for the one request body the core writes.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url.
pub fn base64url_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn decode_char(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Strict unpadded base64url: rejects padding, `+`/`/`, whitespace, impossible lengths and
/// non-zero trailing bits (so every byte string has exactly one accepted encoding).
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let bytes = input.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= decode_char(c)? << (18 - 6 * i);
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]),
            3 => {
                if n & 0xff != 0 {
                    return None;
                }
                out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
            }
            2 => {
                if n & 0xffff != 0 {
                    return None;
                }
                out.push((n >> 16) as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes everything outside RFC 3986's unreserved set: safe for a path
/// segment (`auth0|123` → `auth0%7C123`) and for a query or form value.
pub fn percent_encode(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &b in input.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space). Invalid
/// escapes or invalid UTF-8 give `None`.
pub fn form_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Parses a query string or form body (without the leading `?`) into ordered pairs.
pub fn form_parse(input: &str) -> Option<Vec<(String, String)>> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form_decode(k)?, form_decode(v)?))
        })
        .collect()
}

/// Serialises pairs as `application/x-www-form-urlencoded`.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(k));
        out.push('=');
        out.push_str(&percent_encode(v));
    }
    out
}

/// A JSON string literal (with quotes) for `input`.
pub fn json_string(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 2);
    out.push('"');
    for c in input.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Compares two secrets without an early exit on the first differing byte.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Code points that hide or reorder what is shown around them, by Unicode property
/// (Unicode 16): every format character (`Cf`: bidi marks, embeddings, overrides and
/// isolates, the Arabic letter mark, zero-width characters, the soft hyphen, the BOM,
/// interlinear annotations, tag characters), the line and paragraph separators (`Zl`,
/// `Zp`) and the other `Default_Ignorable_Code_Point`s (variation selectors, Hangul
/// fillers, the combining grapheme joiner…). Ranges, ascending.
const HIDDEN: [(u32, u32); 27] = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
    // Noncharacters at the end of each plane are never text either.
    (0xFFFE, 0xFFFF),
    (0x10FFFE, 0x10FFFF),
];

/// Whether `c` may reorder or hide what is shown around it: a control character, or one
/// of [`HIDDEN`].
fn hides_or_reorders(c: char) -> bool {
    let c32 = u32::from(c);
    c.is_control() || HIDDEN.iter().any(|&(from, to)| (from..=to).contains(&c32))
}

/// An identity provider's string as the user may see it: without control, bidi-override
/// or zero-width characters (they can make `evil.example` read as `elpmaxe.live`, or
/// hide a difference between two addresses).
pub fn display_text(value: &str) -> String {
    value.chars().filter(|c| !hides_or_reorders(*c)).collect()
}

/// A picture URL for the page to load: `https:` only, with nothing hidden in it.
pub fn https_url(value: &str) -> Option<String> {
    let ok = value.len() > "https://".len()
        && value
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && !value
            .chars()
            .any(|c| c.is_whitespace() || hides_or_reorders(c));
    ok.then(|| value.to_owned())
}

/// `"value"` for messages: quotes, control characters dropped, at most 80 characters.
/// (Cheaper in wasm than `{:?}`, which pulls in Unicode escape tables.)
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(80) + 2);
    out.push('"');
    out.extend(value.chars().filter(|c| !c.is_control()).take(80));
    out.push('"');
    out
}
