//! Writing the console's HTML: every piece of text that is not a literal of
//! this module goes through [`Html::text`] (or [`esc`]), so table names, item
//! values and error messages can never become markup.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;

/// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A console URL with its query parameters percent-encoded (then escaped for the attribute).
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut url = format!("{}{path}", super::super::admin::PREFIX);
    for (i, (name, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        url.extend(utf8_percent_encode(value, NON_ALPHANUMERIC));
    }
    esc(&url)
}

/// A page being written. `raw` takes only this crate's literals and markup
/// built from escaped parts.
pub struct Html {
    out: String,
}

impl Html {
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&esc(text));
        self
    }

    /// `<a href=...>text</a>`.
    pub fn link(&mut self, path: &str, params: &[(&str, &str)], text: &str) -> &mut Self {
        let url = href(path, params);
        self.raw("<a href=\"").raw(&url).raw("\">").text(text).raw("</a>")
    }

    /// A cell holding text.
    pub fn cell(&mut self, text: &str) -> &mut Self {
        self.raw("<td>").text(text).raw("</td>")
    }

    /// A `<pre>` of pretty JSON.
    pub fn json(&mut self, value: &Value) -> &mut Self {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        self.raw("<pre>").text(&text).raw("</pre>")
    }

    pub fn error(&mut self, message: &str) -> &mut Self {
        self.raw("<p class=\"error\" role=\"alert\">").text(message).raw("</p>")
    }
}

/// Page chrome around a body written by `write`. `nonce` admits the page's
/// own style and script under the Content-Security-Policy; `refresh` reloads
/// the page every so many seconds (stream records as they arrive).
pub fn page(title: &str, nonce: &str, refresh: Option<u32>, write: impl FnOnce(&mut Html)) -> String {
    let mut html = Html { out: String::with_capacity(8192) };
    html.raw("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    if let Some(seconds) = refresh {
        html.raw(&format!("<meta http-equiv=\"refresh\" content=\"{seconds}\">"));
    }
    html.raw("<title>").text(title).raw(" · emulator console</title>");
    html.raw(&format!("<style nonce=\"{nonce}\">{STYLE}</style></head><body>"));
    html.raw("<header><strong>DynamoDB emulator</strong> <nav>");
    html.link("", &[], "Tables").raw(" ").link("settings", &[], "Faults & clock");
    html.raw("</nav></header><main><h1>").text(title).raw("</h1>");
    write(&mut html);
    html.raw(&format!("</main><script nonce=\"{nonce}\">{SCRIPT}</script></body></html>\n"));
    html.out
}

const STYLE: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}\
header{background:#24292f;color:#fff;padding:8px 16px}header a{color:#9ecbff;margin-left:16px}\
main{padding:8px 16px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}\
table{border-collapse:collapse;background:#fff;margin:8px 0}\
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top;max-width:40em;overflow-wrap:anywhere}\
th{background:#eaeef2}pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;max-height:30em}\
.error{color:#a40e26;background:#ffebe9;padding:6px;border:1px solid #ff8182}\
.tabs a{margin-right:12px}.tabs .current{font-weight:bold}\
form{margin:8px 0}label{margin-right:12px}input,select,textarea{font:inherit}textarea{width:40em;height:6em}\
output{display:block;color:#a40e26}.muted{color:#57606a}";

/// Forms marked `data-admin` send their fields to the admin API as JSON with
/// the admin header: a same-origin `fetch`, which no other site's page can
/// make (the admin API grants no CORS and refuses requests without the header).
const SCRIPT: &str = r#"
for (const form of document.querySelectorAll('form[data-admin]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = form.querySelector('output');
    const raw = form.querySelector('textarea');
    let body = raw ? raw.value : '{}';
    if (!raw) {
      const fields = {};
      for (const input of form.querySelectorAll('input[name]')) fields[input.name] = Number(input.value);
      body = JSON.stringify(fields);
    }
    try {
      const answer = await fetch(form.dataset.admin, {
        method: form.dataset.method || 'POST',
        headers: { 'x-emulator-admin': '1', 'content-type': 'application/json' },
        body,
      });
      if (answer.ok) { location.reload(); return; }
      const text = await answer.text();
      try { out.textContent = JSON.parse(text).message; } catch { out.textContent = text; }
    } catch (error) {
      out.textContent = String(error);
    }
  });
}
"#;

/// An attribute value as a person reads it: strings bare at the top, quoted
/// inside lists and maps; sets as `<<a, b>>` (PartiQL's spelling).
pub fn show(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, true);
    out
}

fn write_value(out: &mut String, value: &Value, top: bool) {
    let Some((tag, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        out.push_str(&value.to_string());
        return;
    };
    let list = |out: &mut String, items: &[Value], open: &str, close: &str, each: &dyn Fn(&mut String, &Value)| {
        out.push_str(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            each(out, item);
        }
        out.push_str(close);
    };
    match (tag.as_str(), inner) {
        ("S", Value::String(s)) if top => out.push_str(s),
        ("S", s) => out.push_str(&s.to_string()),
        ("N", Value::String(n)) => out.push_str(n),
        ("B", Value::String(b)) => {
            out.push_str("b64:");
            out.push_str(b);
        }
        ("BOOL", b) => out.push_str(&b.to_string()),
        ("NULL", _) => out.push_str("null"),
        ("SS" | "NS" | "BS", Value::Array(items)) => {
            let string_set = tag == "SS";
            list(out, items, "<<", ">>", &|out, item| match item {
                Value::String(s) if !string_set => out.push_str(s),
                other => out.push_str(&other.to_string()),
            })
        }
        ("L", Value::Array(items)) => list(out, items, "[", "]", &|out, item| write_value(out, item, false)),
        ("M", Value::Object(map)) => {
            out.push('{');
            for (i, (name, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(name.clone()).to_string());
                out.push_str(": ");
                write_value(out, item, false);
            }
            out.push('}');
        }
        _ => out.push_str(&value.to_string()),
    }
}

/// Bytes as a person reads them.
pub fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_never_becomes_markup() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        let page = page("<b>", "n", None, |h| {
            h.text("<img src=x onerror=alert(1)>").cell("</td><script>").link("table", &[("name", "a\"&b")], "<i>");
        });
        assert!(!page.contains("<b>") && !page.contains("<img") && !page.contains("<i>"));
        assert!(page.contains("/_emulator/table?name=a%22%26b"), "{page}");
    }

    #[test]
    fn values_read_as_written() {
        let item = json!({"M": {"a": {"S": "x"}, "b": {"L": [{"N": "1.50"}, {"NULL": true}, {"SS": ["p", "q"]}]}}});
        assert_eq!(show(&item), r#"{"a": "x", "b": [1.50, null, <<"p", "q">>]}"#);
        assert_eq!(show(&json!({"S": "plain"})), "plain");
        assert_eq!(show(&json!({"NS": ["1", "2"]})), "<<1, 2>>");
        assert_eq!(size(2048), "2.0 KiB");
    }
}
