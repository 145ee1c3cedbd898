//! A minimal browser for the web front's tests: one cookie jar, no redirects followed (so tests
//! see them), pages read with CSS selectors, forms sent with the token of the last page.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION};
use scraper::{Html, Selector};

pub struct Browser {
    client: reqwest::Client,
    base: String,
    lang: &'static str,
    /// The form token from the last page that had one.
    csrf: Option<String>,
}

/// A page as the browser got it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub html: String,
}

impl Page {
    fn document(&self) -> Html {
        Html::parse_document(&self.html)
    }

    /// The text of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.document()
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector).join(" | ")
    }

    /// The attribute of the first element matching `selector`.
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.document()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
    }

    pub fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The message shown beside a form field.
    pub fn field_error(&self, field: &str) -> String {
        self.text(&format!("#{field}-error"))
    }
}

impl Browser {
    /// A browser that prefers `lang` (`Accept-Language`).
    pub fn new(base: &str, lang: &'static str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.trim_end_matches('/').to_owned(),
            lang,
            csrf: None,
        }
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let html = response.text().await.expect("body");
        let page = Page {
            status,
            headers,
            html,
        };
        if let Some(token) = page.attr("input[name=csrf]", "value") {
            self.csrf = Some(token);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html,application/xhtml+xml")
            .header("accept-language", self.lang)
            .send()
            .await
            .expect("GET");
        self.read(response).await
    }

    /// Sends a form with the token of the last page.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self
            .csrf
            .clone()
            .expect("a page with a form was loaded first");
        let mut fields = fields.to_vec();
        fields.push(("csrf", &token));
        self.post_raw(path, &fields, None).await
    }

    /// Sends a form exactly as given, optionally claiming to come from `origin`.
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("accept-language", self.lang)
            .form(fields);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.expect("POST");
        self.read(response).await
    }

    /// Sends a form with a file field (`multipart/form-data`), with the token of the last page.
    /// `file` is `(field, file name, bytes)`; `None` sends the field empty, as browsers do.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Page {
        let token = self
            .csrf
            .clone()
            .expect("a page with a form was loaded first");
        let mut form = reqwest::multipart::Form::new().text("csrf", token);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        form = match file {
            Some((name, file_name, bytes)) => form.part(
                name.to_owned(),
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            ),
            None => form.part(
                "cover",
                reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
            ),
        };
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("accept-language", self.lang)
            .multipart(form)
            .send()
            .await
            .expect("POST");
        self.read(response).await
    }

    /// Logs in through the form; panics unless it works.
    pub async fn log_in(&mut self, username: &str, password: &str) {
        self.get("/login").await;
        let page = self
            .post("/login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    }
}
