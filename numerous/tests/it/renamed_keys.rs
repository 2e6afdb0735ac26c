//! Custom widgets whose JavaScript keys are not Rust field names (`className`, `static`):
//! `#[serde(rename)]` holds both ways, for what the server sends and what the browser writes.

use numerous::testing::TestSession;

#[numerous::widget(module = "tests/widgets/styled.js")]
#[derive(Debug, Default)]
pub struct Styled {
    /// The CSS class the box takes (`small`, `big`).
    #[input]
    #[serde(rename = "className")]
    pub class_name: String,
    #[serde(rename = "static")]
    pub fixed: String,
}

#[numerous::app(template = "styled.html")]
#[derive(Debug)]
struct App {
    #[widget(init = Styled { class_name: "small".into(), fixed: "hi".into() })]
    box_: Styled,
}

#[numerous::handlers]
impl App {}

#[tokio::test]
async fn renamed_keys_hold_both_ways() {
    let mut tab = TestSession::<App>::new();
    assert!(
        tab.welcome()
            .contains(r#""box_":{"className":"small","static":"hi"}"#),
        "{}",
        tab.welcome()
    );
    // the browser writes `className`
    let frames = tab
        .send(r#"{"type":"update","widget":"box_","state":{"className":"big"}}"#)
        .await;
    assert!(frames.iter().all(|f| !f.contains("error")), "{frames:?}");
    assert_eq!(tab.app().box_.class_name, "big");
    // not the Rust name, and not a field without #[input]: refused, naming the fix
    let frames = tab
        .send(r#"{"type":"update","widget":"box_","state":{"static":"x"}}"#)
        .await;
    let error = frames
        .iter()
        .find(|f| f.contains("\"error\""))
        .expect("an error");
    assert!(error.contains("unknown field `static`"), "{error}");
    assert!(error.contains("#[input]"), "{error}");
    assert_eq!(tab.app().box_.fixed, "hi");
}

/// `/api/describe` gives an input field's doc comment under the name the browser writes.
#[tokio::test]
async fn an_input_fields_doc_is_in_the_description_under_its_json_name() {
    let addr = testkit::serve::<App>(numerous::Options::default()).await;
    let r = testkit::get_with_cookie(addr, "/api/describe", "", "").await;
    let d: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let input = &d["widgets"][0]["input"]["properties"];
    assert_eq!(
        input["className"]["description"], "The CSS class the box takes (`small`, `big`).",
        "{d}"
    );
}

/// A struct-wide `rename_all` holds for what the browser writes too (the module check and the
/// server agree on `maxValue`), and `null` written to an `Option` field clears it.
#[numerous::widget(module = "tests/widgets/camel.js")]
#[derive(Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Camel {
    #[input]
    pub max_value: f64,
    #[input]
    pub note: Option<String>,
}

#[numerous::app(template = "styled.html")]
#[derive(Debug)]
struct CamelApp {
    #[widget(init = Camel { max_value: 1.0, note: Some("kept".into()) })]
    box_: Camel,
}

#[numerous::handlers]
impl CamelApp {}

#[tokio::test]
async fn rename_all_holds_for_what_the_browser_writes() {
    let mut tab = TestSession::<CamelApp>::new();
    assert!(
        tab.welcome()
            .contains(r#""box_":{"maxValue":1.0,"note":"kept"}"#),
        "{}",
        tab.welcome()
    );
    let frames = tab
        .send(r#"{"type":"update","widget":"box_","state":{"maxValue":3.0}}"#)
        .await;
    assert!(frames.iter().all(|f| !f.contains("error")), "{frames:?}");
    assert_eq!(tab.app().box_.max_value, 3.0);
    assert_eq!(tab.app().box_.note.as_deref(), Some("kept"));
    let frames = tab
        .send(r#"{"type":"update","widget":"box_","state":{"note":null}}"#)
        .await;
    assert!(frames.iter().all(|f| !f.contains("error")), "{frames:?}");
    assert_eq!(tab.app().box_.note, None, "null clears an Option field");
    // The Rust name is not the JSON one.
    let frames = tab
        .send(r#"{"type":"update","widget":"box_","state":{"max_value":5.0}}"#)
        .await;
    assert!(
        frames
            .iter()
            .any(|f| f.contains("unknown field `max_value`")),
        "{frames:?}"
    );
    assert_eq!(tab.app().box_.max_value, 3.0);
}
