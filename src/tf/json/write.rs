//! The one JSON writer of the crate: string escaping and the punctuation of
//! arrays and objects. Value and type encodings, the quoted strings in
//! messages and attribute paths, and the provider's log lines all write
//! through it, so there is one escaping rule.

use std::fmt::{self, Write};

/// Writes `s` as a double-quoted string: `"` and `\` escaped, newline,
/// carriage return and tab in their short forms, every other control
/// character as `\u00XX`. The result is a JSON string and also a valid
/// HCL / Go string literal, so messages quote with it too.
pub(crate) fn quoted(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if c.is_control() => write!(out, "\\u{:04x}", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

/// [`quoted`] into a `String`, which cannot fail.
pub(crate) fn string(out: &mut String, s: &str) {
    // Writing to a String never returns an error.
    let _ = quoted(out, s);
}

/// `s` as a double-quoted string (see [`quoted`]).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    string(&mut out, s);
    out
}

/// Writes `true` or `false`.
pub(crate) fn bool(out: &mut String, b: bool) {
    out.push_str(if b { "true" } else { "false" });
}

/// Writes `null`.
pub(crate) fn null(out: &mut String) {
    out.push_str("null");
}

/// Writes a float: shortest round-trip form, `null` for NaN and infinities
/// (JSON has no such numbers).
pub(crate) fn float(out: &mut String, f: f64) {
    if f.is_finite() {
        let _ = write!(out, "{f:?}");
    } else {
        null(out);
    }
}

/// Writes `[e1,e2,...]`, each element by `each`; stops at the first error.
pub(crate) fn array<T, E>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut String, T) -> Result<(), E>,
) -> Result<(), E> {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item)?;
    }
    out.push(']');
    Ok(())
}

/// Writes `{"k1":v1,"k2":v2,...}` in the order given, each value by `each`;
/// stops at the first error.
pub(crate) fn object<K: AsRef<str>, T, E>(
    out: &mut String,
    entries: impl IntoIterator<Item = (K, T)>,
    mut each: impl FnMut(&mut String, T) -> Result<(), E>,
) -> Result<(), E> {
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, key.as_ref());
        out.push(':');
        each(out, value)?;
    }
    out.push('}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    #[test]
    fn strings_are_escaped_once_for_json_and_messages() {
        let cases = [
            ("plain", r#""plain""#),
            ("a\"b\\c", r#""a\"b\\c""#),
            ("l1\nl2\r\t", r#""l1\nl2\r\t""#),
            ("\u{1}\u{1f}\u{7f}", r#""\u0001\u001f\u007f""#),
            ("é €", "\"é €\""),
        ];
        for (input, want) in cases {
            assert_eq!(quote(input), want, "{input:?}");
            let parsed: String = serde_json::from_str(want).unwrap();
            assert_eq!(parsed, input, "{want} is not the JSON for {input:?}");
        }
    }

    #[test]
    fn arrays_objects_and_scalars() {
        let mut out = String::new();
        let r: Result<(), Infallible> = object(&mut out, [("a", 1), ("b\"", 2)], |out, n| {
            array(out, 0..n, |out, i| {
                if i == 0 {
                    null(out);
                } else {
                    bool(out, true);
                }
                Ok(())
            })
        });
        assert!(r.is_ok());
        assert_eq!(out, r#"{"a":[null],"b\"":[null,true]}"#);

        let mut out = String::new();
        for f in [1.0, 0.5, 1e300, f64::NAN, f64::INFINITY] {
            float(&mut out, f);
            out.push(' ');
        }
        assert_eq!(out, "1.0 0.5 1e300 null null ");
    }

    #[test]
    fn a_failing_element_stops_the_writer() {
        let mut out = String::new();
        let r = array(&mut out, [1, 2, 3], |out, n| {
            if n == 2 {
                return Err("two");
            }
            out.push('x');
            Ok(())
        });
        assert_eq!(r, Err("two"));
        assert_eq!(out, "[x,");
    }
}
