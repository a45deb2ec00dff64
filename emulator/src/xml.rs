//! A minimal XML writer for Query API responses.

/// Escapes text for element content.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Builds XML by appending elements; the caller keeps open/close balanced.
#[derive(Default)]
pub(crate) struct Xml {
    buf: String,
}

impl Xml {
    /// An empty document fragment.
    pub(crate) fn new() -> Self {
        Xml::default()
    }
    /// `<name>`.
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }
    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }
    /// `<name>text</name>`.
    pub(crate) fn el(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.buf.push_str(&escape(text));
        self.close(name)
    }
    /// An element only when the value is present.
    pub(crate) fn opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.el(name, t);
        }
        self
    }
    /// `<name>true|false</name>`.
    pub(crate) fn bool(&mut self, name: &str, v: bool) -> &mut Self {
        self.el(name, if v { "true" } else { "false" })
    }
    /// A number element.
    pub(crate) fn num(&mut self, name: &str, v: i64) -> &mut Self {
        self.el(name, &v.to_string())
    }
    /// A list of strings: `<name><member>a</member>…</name>`.
    pub(crate) fn list(&mut self, name: &str, member: &str, items: &[String]) -> &mut Self {
        self.open(name);
        for i in items {
            self.el(member, i);
        }
        self.close(name)
    }
    /// The XML text.
    pub(crate) fn finish(self) -> String {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        let mut x = Xml::new();
        x.open("A").el("B", "1&2").bool("C", true).close("A");
        assert_eq!(x.finish(), "<A><B>1&amp;2</B><C>true</C></A>");
    }
}
