//! A simulator, a client, and a token for each simulator test.

use std::time::Duration;

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sleipnir::sim::{SimConfig, Simulator, StatsReport};

pub struct Odin {
    pub sim: Simulator,
    pub client: Client,
    pub token: String,
}

pub const ALICE: &str = "user00001@sim.example.net";

/// A simulator with `config`, logged in.
pub async fn odin(config: SimConfig) -> Odin {
    let sim = Simulator::start(config, 0).expect("simulator starts");
    sleipnir::odin::install_crypto();
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let token = login(&client, &sim).await;
    Odin { sim, client, token }
}

/// A default simulator of 20 users, logged in.
pub async fn small() -> Odin {
    odin(SimConfig {
        users: 20,
        ..SimConfig::default()
    })
    .await
}

pub async fn login(client: &Client, sim: &Simulator) -> String {
    let response = client
        .post(format!("{}/auth/token", sim.base_url()))
        .json(&json!({"username": "admin@sim.example.net", "password": "sleipnir-sim"}))
        .send()
        .await
        .expect("login answered");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_string()
}

impl Odin {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.sim.base_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("answered")
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.client
            .put(format!("{}{path}", self.sim.base_url()))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("answered")
    }

    /// Any request, with a JSON body if given.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.sim.base_url()))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("answered")
    }

    /// Any request with a JSON body, expecting 200 with a JSON body.
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let what = format!("{method} {path}");
        let response = self.send(method, path, Some(body)).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "{what}: {text}");
        serde_json::from_str(&text).expect("json")
    }

    /// GET and expect 200 with a JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    /// PUT and expect 200 with a JSON body.
    pub async fn put_json(&self, path: &str, body: Value) -> Value {
        let response = self.put(path, body).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "PUT {path}: {text}");
        serde_json::from_str(&text).expect("json")
    }

    /// All four resources of a user, from `/__sim/state`.
    pub async fn state(&self, user_id: &str) -> Value {
        self.sim_json(&format!("/__sim/state?userId={user_id}"))
            .await
    }

    pub async fn stats(&self) -> StatsReport {
        self.sim_json("/__sim/stats").await
    }

    /// GET a simulator-only path (no token) as JSON.
    async fn sim_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        self.client
            .get(self.sim.url(path))
            .send()
            .await
            .expect("answered")
            .json()
            .await
            .expect("json")
    }
}

/// Expect an Odin error in the simulator's default shape (`--error-body error`: the text in
/// `error`, no `details`): the status, and a body `{status, error}` whose text is returned.
pub async fn error(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["status"], status.as_u16());
    assert!(body.get("details").is_none(), "no `details`: {body}");
    body["error"].as_str().expect("error").to_string()
}
