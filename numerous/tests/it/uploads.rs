//! What a handler gets from a FileUpload: the file while its handlers run, then nothing (the
//! bytes are dropped, so the same file can come again); with `multiple`, each file of a batch
//! in turn with its place in it. In-process through `TestSession::upload`, and over HTTP with a
//! batch's `part`/`of`.

use numerous::prelude::*;
use numerous::testing::TestSession;
use numerous::{Batch, Upload};

/// A file a handler saw: its name, its size, and its place in a batch.
type Seen = (String, usize, Option<(usize, usize)>);

#[numerous::app(template = "uploads.html")]
struct Uploads {
    #[widget(label = "One file", accept = ".csv")]
    one: FileUpload,
    #[widget(label = "Several files", multiple = true)]
    many: FileUpload,
    /// What the handlers saw.
    #[state]
    seen: Vec<Seen>,
    /// Set once a batch's last file arrived.
    #[state]
    batches: usize,
}

#[numerous::handlers]
impl Uploads {
    #[on_change(one)]
    fn one(&mut self) -> Result<(), String> {
        let file = self.one.file.as_ref().ok_or("the handler got no file")?;
        self.seen.push((file.name.clone(), file.bytes.len(), None));
        Ok(())
    }

    #[on_change(many)]
    fn many(&mut self) -> Result<(), String> {
        let file = self.many.file.as_ref().ok_or("the handler got no file")?;
        let batch = file.batch.map(|b| (b.index, b.count));
        self.seen.push((file.name.clone(), file.bytes.len(), batch));
        if file.batch.is_none_or(|b| b.is_last()) {
            self.batches += 1;
        }
        Ok(())
    }
}

fn file(name: &str, bytes: &[u8], batch: Option<(usize, usize)>) -> Upload {
    Upload {
        name: name.into(),
        mime: "text/csv".into(),
        bytes: bytes.to_vec(),
        batch: batch.map(|(index, count)| Batch { index, count }),
    }
}

#[tokio::test]
async fn the_handler_gets_the_file_then_it_is_dropped_and_may_come_again() {
    let mut tab = TestSession::<Uploads>::new();
    for _ in 0..2 {
        let frames = tab
            .upload(|a| &a.one, file("a.csv", b"x,1", None))
            .await
            .unwrap();
        assert!(
            TestSession::<Uploads>::errors(&frames).is_empty(),
            "{frames:?}"
        );
    }
    assert_eq!(
        tab.app().seen,
        [("a.csv".into(), 3, None), ("a.csv".into(), 3, None)]
    );
    // After its handlers, the session holds no file's bytes; the browser is told its name.
    assert!(tab.app().one.file.is_none());
    assert_eq!(tab.app().one.file_name, "a.csv");
    assert_eq!(tab.app().one.received.len(), 1);

    // A type outside `accept`, and a batch of several to a widget without `multiple`: refused,
    // no handler ran.
    let (code, message) = tab
        .upload(|a| &a.one, file("a.txt", b"x", None))
        .await
        .unwrap_err();
    assert_eq!(code, "rejected");
    assert!(
        message.contains("not one of the accepted types"),
        "{message}"
    );
    let (_, message) = tab
        .upload(|a| &a.one, file("b.csv", b"x", Some((1, 2))))
        .await
        .unwrap_err();
    assert!(message.contains("one file at a time"), "{message}");
    assert_eq!(tab.app().seen.len(), 2);
}

#[tokio::test]
async fn each_file_of_a_batch_is_handled_in_turn_with_its_place() {
    let mut tab = TestSession::<Uploads>::new();
    for (i, name) in ["a.csv", "b.csv", "c.csv"].iter().enumerate() {
        tab.upload(|a| &a.many, file(name, name.as_bytes(), Some((i + 1, 3))))
            .await
            .unwrap();
    }
    let seen: Vec<_> = tab
        .app()
        .seen
        .iter()
        .map(|(n, _, b)| (n.as_str(), *b))
        .collect();
    assert_eq!(
        seen,
        [
            ("a.csv", Some((1, 3))),
            ("b.csv", Some((2, 3))),
            ("c.csv", Some((3, 3)))
        ]
    );
    assert_eq!(tab.app().batches, 1);
    let names: Vec<_> = tab
        .app()
        .many
        .received
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["a.csv", "b.csv", "c.csv"]);
    // The next batch starts the list again.
    tab.upload(|a| &a.many, file("d.csv", b"d", Some((1, 1))))
        .await
        .unwrap();
    assert_eq!(tab.app().many.received.len(), 1);
    assert_eq!(tab.app().batches, 2);
}

/// Over HTTP: `?part=&of=` reach the handler; a batch that does not add up is a 400 in the one
/// error shape, and the session goes on.
#[tokio::test]
async fn a_batch_over_http_names_each_file_place() {
    let addr = testkit::serve::<Uploads>(numerous::Options::default()).await;
    let tab = testkit::Tab::open(addr, None).await;
    let post = async |query: &str, body: &str| {
        testkit::http(
            addr,
            &format!(
                "POST /upload/many?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {}\r\nContent-Type: text/plain\r\nContent-Length: {}",
                tab.session,
                body.len()
            ),
            body.as_bytes(),
        )
        .await
    };
    assert_eq!(post("name=a.txt&part=1&of=2", "aa").await.status, 200);
    assert_eq!(post("name=b.txt&part=2&of=2", "bbb").await.status, 200);
    for bad in [
        "name=c.txt&part=3&of=2",
        "name=c.txt&part=0&of=2",
        "name=c.txt&part=1",
        "name=c.txt&part=1&of=1001",
    ] {
        let r = post(bad, "c").await;
        assert_eq!(r.status, 400, "{bad}");
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["error"], "bad-request", "{bad}");
        assert!(body["detail"].as_str().unwrap().contains("part"), "{bad}");
    }
    // The widget's state names the batch's files; the bytes never reach the browser.
    let mut tab = tab;
    let state = loop {
        let patch = tab.recv().await;
        let received = &patch["state"]["many"]["received"];
        if received.as_array().is_some_and(|r| r.len() == 2) {
            break patch["state"]["many"].clone();
        }
    };
    assert_eq!(
        state["received"][1],
        serde_json::json!({"name": "b.txt", "size": 3})
    );
    assert!(!state.to_string().contains("bbb"));
}
