//! Answers that are not Odin's: a redirect (never followed: the password and tokens go only
//! to the target's own scheme, host and port), and a success whose body is not JSON (a login
//! page, or a proxy in front of Odin).

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};

use super::OdinError;

/// The request an answer is about, as messages name it: `POST https://HOST/api/v2/auth/token`
/// (the query left out: it holds nothing a message needs). Never holds a header or a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// `GET`, `PUT`, `POST`.
    pub method: String,
    /// The URL without its query.
    pub url: String,
}

impl RequestLine {
    /// The line of `request`.
    pub(super) fn of(request: &reqwest::Request) -> RequestLine {
        let mut url = request.url().clone();
        url.set_query(None);
        url.set_fragment(None);
        RequestLine {
            method: request.method().to_string(),
            url: url.to_string(),
        }
    }
}

impl std::fmt::Display for RequestLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.url)
    }
}

/// The error of a 3xx answer to `request` (sent to `url`, under the target `base_url`), or
/// `None` for a 3xx that redirects nowhere (no `Location`, e.g. a 304).
pub(super) fn redirected(
    request: &RequestLine,
    url: &reqwest::Url,
    base_url: &str,
    status: u16,
    headers: &HeaderMap,
) -> Option<OdinError> {
    let location = headers.get(LOCATION)?.to_str().ok()?.trim();
    if location.is_empty() {
        return None;
    }
    let absolute = url
        .join(location)
        .map_or_else(|_| location.to_string(), |u| u.to_string());
    Some(OdinError::Redirected {
        request: request.to_string(),
        status,
        target: suggested_target(&absolute, url, base_url),
        location: absolute,
    })
}

/// The target that `location` stands for: the location without the part of the request's
/// path below the target (`…/api/v2/auth/token` → `…/api/v2`), else the location itself.
fn suggested_target(location: &str, url: &reqwest::Url, base_url: &str) -> String {
    let mut location_url = match reqwest::Url::parse(location) {
        Ok(u) => u,
        Err(_) => return location.to_string(),
    };
    location_url.set_query(None);
    location_url.set_fragment(None);
    let base_path = reqwest::Url::parse(base_url)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let below = url.path().strip_prefix(&base_path).unwrap_or_default();
    let text = location_url.to_string();
    match text.strip_suffix(below) {
        Some(target) if !below.is_empty() => target.trim_end_matches('/').to_string(),
        _ => text.trim_end_matches('/').to_string(),
    }
}

/// Whether a success's body may be Odin's JSON: its content type says JSON, or it says
/// nothing useful and the body starts as a JSON object or list does (or is empty). A body
/// is not parsed here: a large answer is read into its caller's own shape.
pub(super) fn looks_like_json(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = content_type(headers).to_ascii_lowercase();
    if content_type.contains("json") {
        return true;
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let starts_as_json = matches!(first, None | Some(b'{' | b'['));
    starts_as_json && !content_type.starts_with("text/html")
}

/// The error of a success whose body is not JSON: its status, content type and, for a web
/// page, its `<title>`.
pub(super) fn not_json(
    request: &RequestLine,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> OdinError {
    let content_type = content_type(headers);
    let text = String::from_utf8_lossy(body);
    let title = title_of(&text);
    OdinError::NotOdin {
        request: request.to_string(),
        status,
        content_type: if content_type.is_empty() {
            "none".to_string()
        } else {
            content_type
        },
        title,
    }
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// The text of an HTML page's `<title>` (any case, attributes allowed), its white space
/// folded and cut to 120 characters; `None` without one.
fn title_of(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title: String = page[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(120)
        .collect();
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(reqwest::header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_redirect_names_its_location_and_the_target_it_stands_for() {
        let url = reqwest::Url::parse("https://odin.example.net/api/v2/auth/token").unwrap();
        let line = RequestLine {
            method: "POST".into(),
            url: url.to_string(),
        };
        let base = "https://odin.example.net/api/v2";
        let moved = headers(&[(LOCATION, "http://other.example.net:8080/api/v2/auth/token")]);
        let Some(OdinError::Redirected {
            status,
            location,
            target,
            ..
        }) = redirected(&line, &url, base, 308, &moved)
        else {
            panic!("not a redirect");
        };
        assert_eq!(status, 308);
        assert_eq!(location, "http://other.example.net:8080/api/v2/auth/token");
        assert_eq!(target, "http://other.example.net:8080/api/v2");
        // A relative location, and one that is not below a target.
        let relative = headers(&[(LOCATION, "/login?next=%2F")]);
        let Some(OdinError::Redirected {
            location, target, ..
        }) = redirected(&line, &url, base, 302, &relative)
        else {
            panic!("not a redirect");
        };
        assert_eq!(location, "https://odin.example.net/login?next=%2F");
        assert_eq!(target, "https://odin.example.net/login");
        assert!(redirected(&line, &url, base, 304, &HeaderMap::new()).is_none());
    }

    #[test]
    fn json_is_told_by_its_content_type_or_its_first_character() {
        let json = headers(&[(CONTENT_TYPE, "application/json; charset=utf-8")]);
        let html = headers(&[(CONTENT_TYPE, "text/html")]);
        assert!(looks_like_json(&json, b"<oops>"));
        assert!(looks_like_json(&HeaderMap::new(), b" {\"a\":1}"));
        assert!(looks_like_json(&HeaderMap::new(), b"[]"));
        assert!(looks_like_json(&HeaderMap::new(), b""));
        assert!(!looks_like_json(&html, b"{}"));
        assert!(!looks_like_json(&HeaderMap::new(), b"<!doctype html>"));
        assert!(!looks_like_json(&HeaderMap::new(), b"OK"));
    }

    #[test]
    fn a_page_is_named_by_its_title() {
        assert_eq!(
            title_of("<html><head><TITLE lang=en>\n  Sign in ·\n Portal </title>").as_deref(),
            Some("Sign in · Portal")
        );
        assert_eq!(title_of("<html><title></title>"), None);
        assert_eq!(title_of("no page"), None);
        let line = RequestLine {
            method: "GET".into(),
            url: "https://h/api/v2/users".into(),
        };
        let error = not_json(
            &line,
            200,
            &headers(&[(CONTENT_TYPE, "text/html")]),
            b"<title>Sign in</title>",
        );
        assert_eq!(
            error.to_string(),
            "`GET https://h/api/v2/users` answered HTTP 200 with a web page (text/html, \
             title `Sign in`), not Odin's JSON: a login page or proxy in front of Odin?"
        );
    }
}
