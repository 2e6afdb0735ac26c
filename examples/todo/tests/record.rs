//! A to-do session recorded by the binary (`--record-sessions`) and replayed: its `#[state]`
//! list, a failed handler rolled back, the Clear button hidden and shown again (compared at each
//! step too); and a change to the recorded list is found at the step it was made.

use example_todo::Todo;
use numerous::recording::{Recording, Step};
use serde_json::{Value, json};
use testkit::Tab;
use testkit::cluster::{Instance, TempDir};

const BINARY: &str = env!("CARGO_BIN_EXE_example-todo");

/// The next frame that shows the list as `content`.
async fn list_shows(tab: &mut Tab, content: &str) {
    loop {
        let f = tab.recv().await;
        if f["state"]["list"]["content"]
            .as_str()
            .is_some_and(|c| c.contains(content))
        {
            return;
        }
    }
}

#[tokio::test]
async fn a_recorded_to_do_session_replays_its_state_and_its_failures() {
    let dir = TempDir::new("todo-recordings");
    let folder = dir.0.display().to_string();
    let mut app = Instance::start(BINARY, &["--record-sessions", &folder]).await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], app.port));

    let mut tab = Tab::open(addr, None).await;
    tab.update("new_item", json!({"value": "milk"})).await;
    tab.click("add").await;
    list_shows(&mut tab, "milk").await;
    // Nothing typed: the handler fails and what it pushed is rolled back.
    tab.click("add").await;
    assert_eq!(tab.recv_error().await["code"], "handler-failed");
    tab.update("new_item", json!({"value": "eggs"})).await;
    tab.click("add").await;
    list_shows(&mut tab, "eggs").await;
    tab.click("clear").await;
    list_shows(&mut tab, "Nothing to do").await;
    tab.close().await;
    app.terminate().await;

    let files: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    let recording = Recording::from_json(&text).unwrap();
    assert_eq!(recording.steps.len(), 6, "{:#?}", recording.steps);
    // Its start shows Clear hidden (`#[on_start]` hid it), as the tab was shown.
    let start: Value = serde_json::from_str(recording.start.get()).unwrap();
    assert_eq!(start["view"]["clear"]["hidden"], true, "{start}");
    let items = |step: &Step| -> Value {
        serde_json::from_str::<Value>(step.after().get()).unwrap()["state"]["items"].clone()
    };
    assert_eq!(items(&recording.steps[1]), json!(["milk"]));
    assert_eq!(
        items(&recording.steps[2]),
        json!(["milk"]),
        "the failed add is rolled back"
    );
    assert_eq!(items(&recording.steps[4]), json!(["milk", "eggs"]));
    assert_eq!(items(&recording.steps[5]), json!([]));
    numerous::testing::replay::<Todo>(&recording)
        .await
        .unwrap_or_else(|d| panic!("{d}"));

    // The recorded list says "bread" after the second add: the replay finds it there.
    let mut wrong = recording.clone();
    let Step::Frame { after, .. } = &mut wrong.steps[4] else {
        panic!("the second add is a frame");
    };
    let mut record: Value = serde_json::from_str(after.get()).unwrap();
    record["state"]["items"] = json!(["milk", "bread"]);
    *after = serde_json::value::to_raw_value(&record).unwrap();
    let d = numerous::testing::replay::<Todo>(&wrong).await.unwrap_err();
    assert_eq!(d.step, 5, "{d}");
    assert!(
        d.message
            .starts_with("the #[state] field `items` is [\"milk\",\"eggs\"] after the replay"),
        "{d}"
    );

    // A recording in which Clear stayed visible after the list was cleared: found too.
    let mut wrong = recording.clone();
    let Step::Frame { after, .. } = &mut wrong.steps[5] else {
        panic!("clear is a frame");
    };
    let mut record: Value = serde_json::from_str(after.get()).unwrap();
    assert_eq!(record["view"]["clear"]["hidden"], true, "{record}");
    record.as_object_mut().unwrap().remove("view");
    *after = serde_json::value::to_raw_value(&record).unwrap();
    let d = numerous::testing::replay::<Todo>(&wrong).await.unwrap_err();
    assert_eq!(d.step, 6, "{d}");
    assert!(d.message.starts_with("the widgets are shown as"), "{d}");
}
