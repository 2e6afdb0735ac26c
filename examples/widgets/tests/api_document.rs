//! The OpenAPI document agrees with the routes: a walk of every operation it lists, with good
//! and bad requests (an unknown session and widget, a body that is not JSON, one over the limit,
//! each widget's described input), finds every answer among the ones the document gives for it.

use example_widgets::Gallery;
use numerous::Options;
use serde_json::{Value, json};
use testkit::{Response, http, serve};

async fn call(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> Response {
    http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}

#[tokio::test]
async fn every_answer_of_the_api_is_in_its_document() {
    let limit = 4096;
    let addr = serve::<Gallery>(Options::default().max_message_bytes(limit)).await;
    let doc: Value = serde_json::from_str(&call(addr, "GET", "/api/openapi.json", "").await.body)
        .expect("the document is JSON");
    let describe: Value =
        serde_json::from_str(&call(addr, "GET", "/api/describe", "").await.body).unwrap();
    let session: Value =
        serde_json::from_str(&call(addr, "POST", "/api/sessions", "").await.body).unwrap();
    let id = session["session"].as_str().unwrap().to_owned();
    let widgets = describe["widgets"].as_array().unwrap();
    // No input property claims the type `null`: a field that starts empty takes any value.
    for w in widgets {
        for (field, schema) in w["input"]["properties"].as_object().unwrap() {
            assert_ne!(schema["type"], "null", "{}.{field}", w["key"]);
        }
    }
    let too_large = format!("\"{}\"", "x".repeat(limit + 1));
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let listed: Vec<u16> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.parse().unwrap())
                .collect();
            // The requests to make: each widget (and one unknown), each session (and one
            // unknown), and for a body the good ones and the bad ones.
            let ids = if path.contains("{id}") {
                vec![id.clone(), "0".repeat(32)]
            } else {
                vec![String::new()]
            };
            let keys: Vec<String> = if path.contains("{widget}") {
                widgets
                    .iter()
                    .map(|w| w["key"].as_str().unwrap().to_owned())
                    .chain(["no_such_widget".to_owned()])
                    .collect()
            } else {
                vec![String::new()]
            };
            for sid in &ids {
                for key in &keys {
                    let url = path.replace("{id}", sid).replace("{widget}", key);
                    let mut bodies = vec![String::new()];
                    if op.get("requestBody").is_some() {
                        bodies = vec!["{not json".to_owned(), too_large.clone(), "{}".to_owned()];
                        // Each field the description gives the widget, with its starting value.
                        if let Some(w) = widgets.iter().find(|w| w["key"] == key.as_str()) {
                            for field in w["input"]["properties"].as_object().unwrap().keys() {
                                bodies.push(json!({ field: w["state"][field] }).to_string());
                            }
                        }
                    }
                    for body in bodies {
                        let r = call(addr, &method.to_uppercase(), &url, &body).await;
                        assert!(
                            listed.contains(&r.status),
                            "{method} {url} with {body:.60} answered {} ({}), the document lists {listed:?}",
                            r.status,
                            r.body
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 50, "{checked}");
}
