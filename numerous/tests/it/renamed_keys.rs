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
