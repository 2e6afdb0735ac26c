//! The gallery over real sockets and in headless Chromium.

use std::net::SocketAddr;

use example_widgets::Gallery;
use numerous::Options;
use serde_json::{Value, json};
use testkit::fantoccini::Locator;
use testkit::{Browser, Tab};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs `body` to `path` over a real socket; returns the status code and the JSON answer.
async fn post(addr: SocketAddr, path: &str, session: &str, body: &[u8]) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {session}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    let status = text[9..12].parse().unwrap();
    let json = text
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str(b).ok());
    (status, json.unwrap_or(Value::Null))
}

#[tokio::test]
async fn uploads_reach_the_handler_and_oversized_ones_are_refused() {
    let addr = testkit::serve::<Gallery>(Options::default().max_upload_bytes(4096)).await;
    let mut tab = Tab::open(addr, None).await;
    let session = tab.session.clone();

    let (status, body) = post(
        addr,
        "/upload/upload?name=a.txt",
        &session,
        b"first line\nsecond",
    )
    .await;
    assert_eq!((status, &body), (200, &json!({"ok": true})));
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["upload"]["file_name"], "a.txt");
    let patch = tab.recv().await;
    assert!(
        patch["state"]["log"]["content"]
            .as_str()
            .unwrap()
            .contains("First line: `first line`")
    );

    // Over the widget's own limit (2 KB): refused by the widget, with the numbers.
    let (status, body) = post(addr, "/upload/upload?name=big.txt", &session, &[b'x'; 3000]).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"], "too-large");
    assert_eq!(
        body["detail"],
        "widget `upload`: big.txt is 3000 bytes, over the limit of 2048 bytes"
    );
    // Over the server's limit: refused before it is read.
    let (status, body) = post(
        addr,
        "/upload/upload?name=huge.txt",
        &session,
        &[b'x'; 5000],
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(body["error"], "too-large");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("upload limit of 4096 bytes")
    );
    // Unknown session or widget.
    let (status, _) = post(addr, "/upload/upload?name=a.txt", "nope", b"x").await;
    assert_eq!(status, 404);
    let (status, _) = post(addr, "/upload/number?name=a.txt", &session, b"x").await;
    assert_eq!(status, 422);

    // The session kept the good file.
    tab.close().await;
    let tab = Tab::open(addr, Some(&session)).await;
    assert_eq!(tab.state["upload"]["file_name"], "a.txt");
}

/// A point added to a chart reaches the tab as the new points alone, not the series again.
#[tokio::test]
async fn a_month_added_to_the_chart_sends_only_the_new_points() {
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.state["spending"]["x"], "category");
    assert_eq!(
        tab.state["chart"]["series"][0]["points"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    tab.click("grow").await;
    let patch = tab.recv().await;
    let chart = &patch["state"]["chart"];
    assert_eq!(chart["$append"]["series.0.points"], json!([[12.0, 14.4]]));
    assert_eq!(chart["$append"]["series.1.points"], json!([[12.0, 24.0]]));
    assert!(chart.get("series").is_none(), "{chart}");
    // A reload gets the whole series, the new point included.
    let session = tab.session.clone();
    tab.close().await;
    let tab = Tab::open(addr, Some(&session)).await;
    assert_eq!(
        tab.state["chart"]["series"][0]["points"]
            .as_array()
            .unwrap()
            .len(),
        13
    );
}

/// The chat: what a tab sends reaches `#[on_submit]` checked (an empty or oversized message
/// is refused and changes nothing), and each new message goes to the tabs alone, as `$append`.
#[tokio::test]
async fn a_chat_message_is_checked_and_only_the_new_messages_are_sent() {
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.state["talk"]["me"], "you");
    assert_eq!(tab.state["talk"]["messages"], json!([]));
    tab.send(json!({"type": "msg", "widget": "talk", "content": {"text": "  two words  "}}))
        .await;
    let patch = tab.recv().await;
    let talk = &patch["state"]["talk"];
    let added = talk["$append"]["messages"].as_array().unwrap();
    assert_eq!(added.len(), 2, "{talk}");
    assert_eq!(
        (added[0]["author"].clone(), added[0]["text"].clone()),
        (json!("you"), json!("two words"))
    );
    assert!(
        added[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("You wrote 2 word(s).")
    );
    assert!(added[0]["time"].as_i64().unwrap() > 1_700_000_000);
    assert!(talk.get("label").is_none(), "only what is new: {talk}");
    for bad in [
        json!({"text": "   "}),
        json!({"text": "x".repeat(4001)}),
        json!({"text": 1}),
    ] {
        tab.send(json!({"type": "msg", "widget": "talk", "content": bad}))
            .await;
        let error = tab.recv_error().await;
        assert!(
            ["rejected", "invalid-input"].contains(&error["code"].as_str().unwrap()),
            "{error}"
        );
    }
    // A reload has the conversation.
    let session = tab.session.clone();
    tab.close().await;
    let tab = Tab::open(addr, Some(&session)).await;
    assert_eq!(tab.state["talk"]["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_table_searches_selects_and_removes_rows_by_key() {
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    let table = &tab.state["table"];
    assert_eq!(
        (table["select"].clone(), table["key"].clone()),
        (json!("many"), json!("id"))
    );
    assert_eq!(table["formats"]["measured"], "date");

    // Every row of Graz: 625 of 5,000, the page back to the first.
    tab.update("table", json!({"page": 3})).await;
    tab.recv().await;
    tab.recv().await;
    tab.update("table", json!({"search": "graZ"})).await;
    let patch = tab.recv().await;
    let t = &patch["state"]["table"];
    assert_eq!(
        (t["total"].clone(), t["all"].clone(), t["page"].clone()),
        (json!(625), json!(5000), json!(0))
    );
    assert!(t["rows"].as_array().unwrap().iter().all(|r| r[1] == "Graz"));
    let ids: Vec<u64> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_u64().unwrap())
        .collect();
    tab.recv().await; // the log

    // Two rows selected by their key; a key no row has is refused and changes nothing.
    tab.update("table", json!({"selected": [ids[0], ids[1]]}))
        .await;
    assert_eq!(
        tab.recv().await["state"]["table"]["selected"],
        json!([ids[0], ids[1]])
    );
    assert!(
        tab.recv().await["state"]["log"]["content"]
            .as_str()
            .unwrap()
            .contains("2 selected")
    );
    tab.update("table", json!({"selected": [99999]})).await;
    assert_eq!(tab.recv_error().await["code"], "rejected");

    // Remove asks first, in a dialog that says how many.
    tab.click("remove").await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["confirm"]["open"], true);
    assert!(
        patch["state"]["confirm_text"]["content"]
            .as_str()
            .unwrap()
            .contains("**2** selected rows")
    );
    // The handler removes them: the search and the page stay, the selection is empty.
    tab.click("confirm_remove").await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["confirm"]["open"], false);
    let t = &patch["state"]["table"];
    assert_eq!(
        (t["total"].clone(), t["all"].clone()),
        (json!(623), json!(4998))
    );
    assert_eq!(t["selected"], json!([]));
    assert_eq!(t["search"], "graZ");
    assert!(
        !t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r[0] == ids[0] || r[0] == ids[1])
    );
    assert!(
        patch["state"]["log"]["content"]
            .as_str()
            .unwrap()
            .contains("Removed **2** rows")
    );
}

#[tokio::test]
async fn the_table_pages_and_sorts_on_the_server() {
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.state["table"]["rows"].as_array().unwrap().len(), 10);
    assert_eq!(tab.state["table"]["total"], 5000);

    tab.update("table", json!({"page": 499})).await;
    // The tab that changed the page gets the new rows (a table echoes its input), then the log.
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["table"]["rows"][0][0], 4990);
    assert!(tab.recv().await["state"]["log"].is_object());
    tab.update("table", json!({"sort_by": "visitors", "descending": true}))
        .await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["table"]["page"], 0);
    let first = patch["state"]["table"]["rows"][0][4].as_u64().unwrap();
    let second = patch["state"]["table"]["rows"][1][4].as_u64().unwrap();
    assert!(first >= second && first > 9900, "{first} {second}");
    assert!(tab.recv().await["state"]["log"].is_object());
    tab.update("table", json!({"page": 500})).await;
    assert_eq!(tab.recv_error().await["code"], "rejected");

    // The file is named in the state and fetched over HTTP, not carried in the state.
    tab.click("download").await;
    let patch = tab.recv().await;
    let file = &patch["state"]["download"]["file"];
    assert_eq!(file["name"], "table.csv");
    let size = file["size"].as_u64().unwrap();
    assert!(size > 1000);
    assert!(patch.to_string().len() < 1000, "{patch}");
    let nonce = patch["state"]["download"]["nonce"].as_u64().unwrap();
    let r = testkit::http(
        addr,
        &format!(
            "GET /download/download?nonce={nonce} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {}",
            tab.session
        ),
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("filename=\"table.csv\"")
    );
    assert_eq!(r.body.len() as u64, size);
    assert!(
        r.body
            .starts_with("id,city,measured,temperature,visitors\r\n"),
        "{}",
        &r.body[..40]
    );
    // Every row, not only the page shown: a header and 5,000 records.
    assert_eq!(r.body.lines().count(), 5001);
    // Another session (or none) gets nothing; an old file number neither.
    let r = testkit::http(
        addr,
        "GET /download/download HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: nope",
        b"",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = testkit::http(
        addr,
        &format!(
            "GET /download/download?nonce=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {}",
            tab.session
        ),
        b"",
    )
    .await;
    assert_eq!(r.status, 404);
}

/// Drops a file of `content` on the FileUpload's zone, as a user dragging it from the desktop.
async fn drop_file(browser: &Browser, name: &str, content: &str, mime: &str) {
    drop_files(browser, &[(name, content, mime)]).await;
}

/// Drops several files together (name, content, type).
async fn drop_files(browser: &Browser, files: &[(&str, &str, &str)]) {
    let files = json!(files);
    browser
        .client
        .execute(
            "const t = new DataTransfer(); \
             for (const [name, content, type] of arguments[0]) t.items.add(new File([content], name, { type })); \
             document.querySelector('#upload .numerous-drop').dispatchEvent(\
               new DragEvent('drop', { dataTransfer: t, bubbles: true, cancelable: true }));",
            vec![files],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_gallery_works_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    let log = "document.querySelector('#log').textContent";

    // Laid out as designed: a checkbox beside a labelled field sits on the field's control
    // line (centred on the input), not on its label line.
    browser
        .wait_until(
            "(() => { const mid = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.top + r.height / 2; }; \
             return Math.abs(mid('#checkbox input') - mid('#date input')) < 3; })()",
        )
        .await;

    // A slider drag: the handler moves the progress bar.
    browser
        .client
        .execute(
            "const s = document.querySelector('#slider input'); s.value = 70; s.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();
    browser
        .wait_until(&format!("{log}.includes('Volume 70')"))
        .await;
    browser
        .wait_until("document.querySelector('#progress progress').value === 0.7")
        .await;
    // The slider's track is filled up to its thumb (its range is 0 to 100).
    browser
        .wait_until(
            "document.querySelector('#slider input').style.getPropertyValue('--numerous-fill') === '70%'",
        )
        .await;
    // The metric counts what the handlers saw, with its change.
    browser
        .wait_until("document.querySelector('#events .numerous-metric-value').textContent !== '0'")
        .await;
    browser
        .wait_until(
            "document.querySelector('#events .numerous-metric-delta').dataset.trend === 'good'",
        )
        .await;

    // A table page.
    browser.click_button("Data").await;
    browser.click("#table button[data-page='next']").await;
    browser
        .wait_until("document.querySelector('#table').textContent.includes('Page 2 of 500')")
        .await;
    browser
        .wait_until("document.querySelector('#table tbody td:nth-child(2)').textContent === '10'")
        .await;

    // An upload, and one over the widget's limit, refused in the page.
    browser.click_button("Files").await;
    let dir = std::env::temp_dir().join(format!("numerous-gallery-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("hello.txt");
    std::fs::write(&small, "hello from chromium\n").unwrap();
    let input = browser
        .client
        .find(Locator::Css("#upload input[type=file]"))
        .await
        .unwrap();
    input.send_keys(&small.display().to_string()).await.unwrap();
    browser
        .wait_until(&format!("{log}.includes('hello.txt')"))
        .await;
    let big = dir.join("big.txt");
    std::fs::write(&big, "x".repeat(3000)).unwrap();
    let input = browser
        .client
        .find(Locator::Css("#upload input[type=file]"))
        .await
        .unwrap();
    input.send_keys(&big.display().to_string()).await.unwrap();
    browser
        .wait_until("document.querySelector('.numerous-upload-error')?.textContent.includes('over the limit of 2048 bytes')")
        .await;
    let _ = std::fs::remove_dir_all(dir);
    // A file dropped on the zone goes the same way as a picked one; its name and size show.
    drop_file(&browser, "dropped.txt", "dropped\n", "text/plain").await;
    browser
        .wait_until(&format!("{log}.includes('dropped.txt')"))
        .await;
    browser
        .wait_until("document.querySelector('#upload .numerous-upload-status').textContent === 'dropped.txt · 8 bytes'")
        .await;
    // Two files dropped together: each is uploaded and handled in turn, and both are listed.
    drop_files(
        &browser,
        &[
            ("a.csv", "x,1\n", "text/csv"),
            ("b.txt", "bee", "text/plain"),
        ],
    )
    .await;
    browser
        .wait_until(&format!("{log}.includes('b.txt (3 bytes, 2 of 2)')"))
        .await;
    browser
        .wait_until("document.querySelector('#upload .numerous-upload-status').textContent === 'a.csv · 4 bytes, b.txt · 3 bytes'")
        .await;
    // A dropped file the widget does not accept is refused in the page (the picker's filter
    // does not apply to a drop; the server checks too).
    drop_file(&browser, "tool.exe", "MZ", "application/x-msdownload").await;
    browser
        .wait_until("document.querySelector('.numerous-upload-error')?.textContent === 'tool.exe is not one of the accepted types (.txt,.csv,text/plain)'")
        .await;

    // A download: the page fetches the file over HTTP and saves it.
    browser.click("#download button").await;
    browser
        .wait_until("document.querySelector('#download').dataset.saved === 'table.csv'")
        .await;

    // Every other tab renders without errors.
    for tab in ["Choices", "Display", "Inputs"] {
        browser.click_button(tab).await;
    }
    browser
        .wait_until(
            "document.querySelector('#chart canvas') && document.querySelector('#spending canvas')",
        )
        .await;

    // The charts: named by label, kind and series; the legend hides a series; the data is a
    // table; a month added arrives as new points only and shows at once.
    browser.click_button("Display").await;
    assert_eq!(
        browser.accessible_name("#spending figure").await,
        "Spent per category: stacked bar chart of 2025, 2026"
    );
    browser
        .click("#spending .numerous-chart-data summary")
        .await;
    browser.click("#chart .numerous-chart-data summary").await;
    let rows = browser
        .run("return [...document.querySelectorAll('#spending .numerous-chart-data tbody th')].map((t) => t.textContent)")
        .await;
    assert_eq!(rows, json!(["Food", "Travel", "Office", "Training"]));
    browser.click("#spending .numerous-chart-key").await;
    browser
        .wait_until("document.querySelector('#spending .numerous-chart-key').getAttribute('aria-pressed') === 'false'")
        .await;
    // The values under the pointer, by category, as given (not stacked).
    browser
        .run(
            "const o = document.querySelector('#spending .u-over'); const r = o.getBoundingClientRect(); \
             o.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + r.width * 0.375, clientY: r.top + r.height / 2, bubbles: true })); return 1",
        )
        .await;
    browser
        .wait_until("!document.querySelector('#spending .numerous-chart-tip').hidden && document.querySelector('#spending .numerous-chart-tip').textContent === 'Travel2026: 210'")
        .await;
    // Dragging over the growth chart zooms into its months; a double click zooms out. (The
    // axes are drawn on the canvas: the month under the pointer at the left edge says where the
    // view starts.)
    let hover_left = "const o = document.querySelector('#chart .u-over'); const r = o.getBoundingClientRect(); \
         o.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + 2, clientY: r.top + r.height / 2, bubbles: true })); return 1";
    let left_month = "document.querySelector('#chart .numerous-chart-tip strong')?.textContent";
    browser.run(hover_left).await;
    browser.wait_until(&format!("{left_month} === '0'")).await;
    {
        // A real drag, through WebDriver's pointer: from the middle of the plot 150 px right.
        use testkit::fantoccini::actions::{
            InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
        };
        let over = browser
            .client
            .find(testkit::fantoccini::Locator::Css("#chart .u-over"))
            .await
            .unwrap();
        let drag = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement {
                element: over,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveBy {
                duration: Some(std::time::Duration::from_millis(100)),
                x: 150.0,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        browser.client.perform_actions(drag).await.unwrap();
    }
    browser.run(hover_left).await;
    browser
        .wait_until(&format!("Number({left_month}) >= 5"))
        .await;
    browser
        .run("document.querySelector('#chart .u-over').dispatchEvent(new MouseEvent('dblclick', { bubbles: true })); return 1")
        .await;
    browser.run(hover_left).await;
    browser.wait_until(&format!("{left_month} === '0'")).await;
    browser.click_button("Add a month").await;
    browser
        .wait_until(
            "document.querySelectorAll('#chart .numerous-chart-data tbody tr').length === 13",
        )
        .await;

    // Toppings are check boxes: no Ctrl+click to pick two.
    browser.click_button("Choices").await;
    browser.click("#multi [data-option='Olives'] input").await;
    browser.click("#multi [data-option='Chili'] input").await;
    browser
        .wait_until(&format!("{log}.includes('Toppings: Olives, Chili')"))
        .await;
    // The price range is one track with two handles and the part between them filled.
    browser.click_button("Inputs").await;
    browser
        .wait_until("document.querySelectorAll('#range .numerous-range-track input').length === 2 && document.querySelector('#range .numerous-range-fill').style.left === '10%'")
        .await;
    browser.finish().await;
}

/// Sends an upload's headers (declaring `length` bytes) and `body`, one chunk every `pause`.
async fn upload_raw(
    addr: SocketAddr,
    session: &str,
    name: &str,
    length: usize,
    chunks: &[&[u8]],
    pause: std::time::Duration,
) -> tokio::net::TcpStream {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /upload/upload?name={name} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {session}\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for chunk in chunks {
        tokio::time::sleep(pause).await;
        if s.write_all(chunk).await.is_err() {
            break;
        }
    }
    s
}

async fn response(mut s: tokio::net::TcpStream) -> testkit::Response {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("an answer within 10 s");
    testkit::parse_response(&out)
}

#[tokio::test]
async fn an_upload_declared_too_large_is_refused_before_its_body() {
    let addr = testkit::serve::<Gallery>(Options::default().max_upload_bytes(1 << 20)).await;
    let tab = Tab::open(addr, None).await;
    // No byte of the body is sent: the answer must come from the headers alone.
    let s = upload_raw(
        addr,
        &tab.session,
        "huge.bin",
        100 << 20,
        &[],
        Default::default(),
    )
    .await;
    let r = response(s).await;
    assert_eq!(r.status, 413, "{}", r.body);
    let s = upload_raw(addr, &tab.session, "big.txt", 3000, &[], Default::default()).await;
    let r = response(s).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("big.txt is 3000 bytes, over the limit of 2048 bytes"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_trickling_upload_is_cut_off() {
    let options = Options::default().header_read_timeout(std::time::Duration::from_millis(300));
    let addr = testkit::serve::<Gallery>(options).await;
    let tab = Tab::open(addr, None).await;
    let bytes = [b"x"; 200];
    let chunks: Vec<&[u8]> = bytes.iter().map(|b| &b[..]).collect();
    let s = tokio::spawn(async move {
        upload_raw(
            addr,
            &tab.session,
            "slow.txt",
            200,
            &chunks,
            std::time::Duration::from_millis(50),
        )
        .await
    });
    let r = response(s.await.unwrap()).await;
    assert_eq!(r.status, 408, "{}", r.body);
    assert!(r.body.contains("too slow"), "{}", r.body);
}

#[tokio::test]
async fn uploads_are_read_a_few_at_a_time() {
    let addr = testkit::serve::<Gallery>(Options::default().max_concurrent_uploads(1)).await;
    let mut tab = Tab::open(addr, None).await;
    // The first upload holds the only place while its body is on its way...
    let mut first = upload_raw(
        addr,
        &tab.session,
        "first.txt",
        10,
        &[b"first"],
        Default::default(),
    )
    .await;
    // ...so the second, complete at once, waits for it.
    let second = {
        let session = tab.session.clone();
        tokio::spawn(async move {
            let s = upload_raw(
                addr,
                &session,
                "second.txt",
                6,
                &[b"second"],
                Default::default(),
            )
            .await;
            response(s).await
        })
    };
    tab.expect_silence(300).await;
    first.write_all(b"-done").await.unwrap();
    assert_eq!(response(first).await.status, 200);
    assert_eq!(second.await.unwrap().status, 200);
    let mut names = Vec::new();
    while names.len() < 2 {
        let patch = tab.recv().await;
        if let Some(name) = patch["state"]["upload"]["file_name"].as_str() {
            names.push(name.to_owned());
        }
    }
    assert_eq!(names, ["first.txt", "second.txt"]);
}

#[tokio::test]
async fn refused_values_do_not_stay_on_screen_and_dates_can_be_typed_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;

    // 600 is over the Number's maximum: the server refuses it, the modal says why, and the
    // input shows the server's value again.
    let before = browser
        .client
        .execute(
            "return document.querySelector('#number input').value",
            vec![],
        )
        .await
        .unwrap();
    let input = browser
        .client
        .find(Locator::Css("#number input"))
        .await
        .unwrap();
    input.clear().await.unwrap();
    input.send_keys("600\n").await.unwrap();
    browser
        .client
        .execute(
            "document.querySelector('#number input').dispatchEvent(new Event('change'))",
            vec![],
        )
        .await
        .unwrap();
    browser
        .wait_until("document.getElementById('numerous-error-modal').classList.contains('numerous-visible')")
        .await;
    browser
        .wait_until(&format!(
            "document.querySelector('#number input').value === {before}"
        ))
        .await;

    // A date typed digit by digit is kept whole.
    browser
        .click("#numerous-error-modal [data-numerous-dismiss]")
        .await;
    let date = browser
        .client
        .find(Locator::Css("#date input"))
        .await
        .unwrap();
    date.click().await.unwrap();
    date.send_keys("12312026").await.unwrap();
    browser
        .wait_until("window.numerous.models.get('date').get('value') === '2026-12-31'")
        .await;
    browser
        .wait_until("document.querySelector('#log').textContent.includes('2026-12-31')")
        .await;
    browser.finish().await;
}

/// Every tab of the gallery, light and dark, at a laptop's and a phone's width: no serious or
/// critical axe-core violation (README, "Accessibility").
#[tokio::test]
async fn every_view_of_the_gallery_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.assert_accessible("the gallery").await;
    browser.finish().await;
}

/// What a screen reader reads and where the keyboard is: the tabs pattern (one Tab stop, arrows,
/// Home and End, panels named by their tabs), the names of grouped controls, and the focus kept
/// after a keyboard choice redraws a widget.
#[tokio::test]
async fn names_and_the_keyboard_work_as_their_users_expect_in_chromium() {
    use testkit::fantoccini::key::Key;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    let log = "document.querySelector('#log').textContent";
    let selected = |name: &str| {
        format!(
            "document.activeElement.getAttribute('role') === 'tab' \
             && document.activeElement.textContent === '{name}' \
             && document.activeElement.getAttribute('aria-selected') === 'true' \
             && !document.querySelector('[data-numerous-tab={name}]').hidden"
        )
    };

    // Tabs: one Tab stop in the bar; the arrows, Home and End move and choose, wrapping round.
    let stops = browser
        .client
        .execute(
            "return [...document.querySelectorAll('[role=tab]')].map((t) => t.tabIndex)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(stops, json!([0, -1, -1, -1, -1]));
    browser.focus("[role=tab]").await;
    browser.press(Key::Right).await;
    browser.wait_until(&selected("Choices")).await;
    browser.press(Key::End).await;
    browser.wait_until(&selected("Files")).await;
    browser.press(Key::Right).await;
    browser.wait_until(&selected("Inputs")).await;
    browser.press(Key::Left).await;
    browser.wait_until(&selected("Files")).await;
    browser.press(Key::Home).await;
    browser.wait_until(&selected("Inputs")).await;
    // Each panel is a tabpanel named by its tab, which points to it.
    let panel = "[data-numerous-tab=Inputs]";
    assert_eq!(browser.accessible_role(panel).await, "tabpanel");
    assert_eq!(browser.accessible_name(panel).await, "Inputs");
    browser
        .wait_until("document.getElementById(document.activeElement.getAttribute('aria-controls')).dataset.numerousTab === 'Inputs'")
        .await;

    // A range slider's thumbs carry the widget's label.
    assert_eq!(
        browser.accessible_name("#range input").await,
        "Price range, minimum"
    );
    assert_eq!(
        browser.accessible_name("#range input + input").await,
        "Price range, maximum"
    );
    assert_eq!(browser.accessible_role("#range fieldset").await, "group");
    assert_eq!(
        browser.accessible_name("#range fieldset").await,
        "Price range"
    );

    // Check boxes of a MultiSelect: the group has the label, each box its option alone, and a
    // click on the group's label ticks nothing (a box ticked by it would reach the server
    // before the click on Olives).
    browser.press(Key::Right).await;
    browser.wait_until(&selected("Choices")).await;
    assert_eq!(browser.accessible_role("#multi fieldset").await, "group");
    assert_eq!(browser.accessible_name("#multi fieldset").await, "Toppings");
    assert_eq!(
        browser.accessible_name("#multi input[value=Cheese]").await,
        "Cheese"
    );
    browser.click("#multi legend").await;
    browser.click("#multi input[value=Olives]").await;
    browser
        .wait_until(&format!("{log}.includes('Toppings: Olives.')"))
        .await;
    browser
        .wait_until("!document.querySelector('#multi input[value=Cheese]').checked")
        .await;

    // A radio button chosen with the arrows keeps the keyboard after the server's answer.
    browser.click("#radio input[value=Large]").await;
    browser
        .wait_until(&format!("{log}.includes('Size: Large.')"))
        .await;
    browser.press(Key::Up).await;
    browser
        .wait_until(&format!("{log}.includes('Size: Medium.')"))
        .await;
    assert_eq!(browser.focused().await, "input:Medium:");

    // The table: a header sorted from the keyboard keeps it, so does the pager.
    browser.press(Key::Tab).await; // out of the radio group, as a user would; then to Data
    browser
        .client
        .execute(
            "[...document.querySelectorAll('[role=tab]')].find((t) => t.textContent === 'Data').click()",
            vec![],
        )
        .await
        .unwrap();
    browser
        .wait_until("!document.querySelector('[data-numerous-tab=Data]').hidden")
        .await;
    browser.focus(r#"[data-focus="sort:city"]"#).await;
    browser.press(Key::Enter).await;
    browser
        .wait_until("document.querySelector('#table th[aria-sort=ascending]')?.textContent.startsWith('city')")
        .await;
    assert_eq!(browser.focused().await, "sort:city");
    browser.focus("[data-focus=next]").await;
    browser.press(Key::Enter).await;
    browser
        .wait_until("document.querySelector('#table .numerous-table-pages').textContent.includes('Page 2 of')")
        .await;
    assert_eq!(browser.focused().await, "next");
    // Back to the first page: Previous is disabled there, and the keyboard goes to Next.
    browser.focus("[data-focus=prev]").await;
    browser.press(Key::Enter).await;
    browser
        .wait_until("document.querySelector('#table .numerous-table-pages').textContent.includes('Page 1 of')")
        .await;
    assert_eq!(browser.focused().await, "next");

    // The search box is named, filters on the server, and keeps what is typed across the
    // redraw; dates and numbers show in the reader's locale.
    assert_eq!(
        browser.accessible_name("#table input[type=search]").await,
        "Search Measurements (5,000 rows, sorted, searched and paged on the server)"
    );
    browser
        .type_into("#table input[type=search]", "hanoi")
        .await;
    browser
        .wait_until("document.querySelector('#table .numerous-table-pages').textContent.includes('of 5000 rows')")
        .await;
    browser
        .wait_until("[...document.querySelectorAll('#table tbody td:nth-child(3)')].every((td) => td.textContent === 'Hanoi')")
        .await;
    assert_eq!(
        browser
            .run("return document.querySelector('#table input[type=search]').value")
            .await,
        "hanoi"
    );
    let date = browser
        .run("return document.querySelector('#table tbody td:nth-child(4)').textContent")
        .await;
    assert!(date.as_str().unwrap().contains("2026"), "{date}");

    // A row is selected from the keyboard by its box, named by its key; the pager counts it.
    let first = browser
        .run("return document.querySelector('#table tbody input[type=checkbox]').dataset.key")
        .await;
    let first = first.as_str().unwrap().to_owned();
    let pick = format!(r#"#table tbody input[data-key="{first}"]"#);
    assert_eq!(
        browser.accessible_name(&pick).await,
        format!("Select row {first}")
    );
    browser.focus(&pick).await;
    browser.press(Key::Space).await;
    browser
        .wait_until("document.querySelector('#table .numerous-table-pages').textContent.includes('1 selected')")
        .await;
    assert_eq!(browser.focused().await, format!("select:{first}"));
    // Remove asks in a dialog, which takes the keyboard: Esc keeps the rows, and the keyboard
    // comes back to the button.
    browser.click_button("Remove the selected rows").await;
    let dialog_open = "document.querySelector('#confirm dialog').open";
    browser.wait_until(dialog_open).await;
    // Named by its title (the audit below checks a dialog has a name).
    assert_eq!(
        browser
            .run("const d = document.querySelector('#confirm dialog'); return document.getElementById(d.getAttribute('aria-labelledby')).textContent")
            .await,
        json!("Remove the selected rows?")
    );
    browser
        .assert_views_accessible("the gallery with its dialog open")
        .await;
    browser.press(Key::Escape).await;
    browser.wait_until(&format!("!{dialog_open}")).await;
    browser
        .wait_until("document.activeElement?.textContent === 'Remove the selected rows'")
        .await;
    browser.click_button("Remove the selected rows").await;
    browser.wait_until(dialog_open).await;
    browser.click_button("Remove them").await;
    browser.wait_until(&format!("!{dialog_open}")).await;
    browser
        .wait_until(&format!(
            "{log}.includes('Removed **1** rows') || {log}.includes('Removed 1 rows')"
        ))
        .await;
    browser
        .wait_until("document.querySelector('#table .numerous-table-pages').textContent.includes('of 4999 rows')")
        .await;

    // A column is made wider from the keyboard on its resize handle.
    let handle = r#"#table [role=separator][aria-label="Resize column city"]"#;
    let before = browser
        .run("return document.querySelector('#table th[data-column=city]').offsetWidth")
        .await;
    browser.focus(handle).await;
    browser.press(Key::Right).await;
    browser.press(Key::Right).await;
    let after = browser
        .run("return document.querySelector('#table th[data-column=city]').offsetWidth")
        .await;
    assert!(
        after.as_f64().unwrap() >= before.as_f64().unwrap() + 30.0,
        "{before} → {after}"
    );
    browser.finish().await;
}

/// The pictures of README.md (docs/screenshots/), taken as a user sees the pages: the gallery
/// in light and dark at a laptop's width, on a phone, and the login page on a phone in dark.
/// Each is checked to be as wide as its view; `NUMEROUS_SCREENSHOTS=1` writes them
/// (`bench/screenshots.sh`).
#[tokio::test]
async fn screenshots_of_the_gallery_and_the_login_page() {
    use testkit::Scheme;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    let write = std::env::var("NUMEROUS_SCREENSHOTS").is_ok_and(|v| v == "1");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    let shoot = async |name: &str, width: u32| {
        let png = browser.screenshot().await;
        let png_width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        assert_eq!(png_width, width, "{name} is {png_width} px wide");
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        }
    };
    browser.set_width(1280).await;
    browser
        .wait_until("document.querySelector('#chart') !== null")
        .await;
    shoot("gallery-light", 1280).await;
    browser.click_button("Data").await;
    browser
        .wait_until("!document.querySelector('[data-numerous-tab=Data]').hidden")
        .await;
    browser.set_color_scheme(Scheme::Dark).await;
    shoot("gallery-dark", 1280).await;
    browser.click_button("Choices").await;
    browser
        .wait_until("!document.querySelector('[data-numerous-tab=Choices]').hidden")
        .await;
    browser.set_color_scheme(Scheme::Light).await;
    browser.set_width(390).await;
    shoot("gallery-phone", 390).await;

    // numerous's login page, on a phone in dark.
    let users = r#"[{"username": "ann", "password": "ann-password"}]"#;
    let auth = numerous::auth::Auth::new(numerous::auth::EnvProvider::from_json(users).unwrap())
        .secret("a test secret of thirty-two bytes or more");
    let signed = testkit::serve::<Gallery>(Options::default().auth(auth)).await;
    browser
        .client
        .goto(&format!("http://{signed}/"))
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.set_color_scheme(Scheme::Dark).await;
    shoot("login-phone-dark", 390).await;
    browser.finish().await;
}

/// The pictures of the widget reference (`docs/widgets/img/<kind>-{light,dark}.png`, linked by
/// the pages `numerous/tests/reference.rs` writes): each built-in widget as the gallery shows it,
/// in both themes. Each must be a picture of something (at least 24 px each way);
/// `NUMEROUS_SCREENSHOTS=1` writes them (`bench/screenshots.sh`).
#[tokio::test]
async fn screenshots_of_every_widget_for_the_reference() {
    use numerous::App as _;
    use testkit::Scheme;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.set_width(1000).await;
    browser.open(&format!("http://{addr}/")).await;
    browser
        .wait_until("document.querySelector('#chart canvas') !== null")
        .await;
    // One widget of each kind: the first in the gallery, or the one that shows it best.
    let preferred = ["order", "markdown", "chart"];
    let mut shown: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for w in Gallery::SPEC.widgets {
        if preferred.contains(&w.key) || !shown.contains_key(w.kind) {
            shown.insert(w.kind, w.key);
        }
    }
    assert_eq!(
        shown.len(),
        27,
        "every built-in kind is in the gallery: {shown:?}"
    );
    let write = std::env::var("NUMEROUS_SCREENSHOTS").is_ok_and(|v| v == "1");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/widgets/img");
    for (scheme, name) in [(Scheme::Light, "light"), (Scheme::Dark, "dark")] {
        browser.set_color_scheme(scheme).await;
        for (kind, key) in &shown {
            let tab = browser
                .run(&format!(
                    "return document.getElementById('{key}').closest('[data-numerous-tab]')?.dataset.numerousTab ?? null"
                ))
                .await;
            if let Some(tab) = tab.as_str() {
                browser.click_button(tab).await;
                browser
                    .wait_until(&format!(
                        "!document.querySelector('[data-numerous-tab={tab}]').hidden"
                    ))
                    .await;
            }
            // An accordion's headers go before its sections, which are the template's markup:
            // the picture is of the element around them.
            // A dialog is shown for its picture (in this page only: the server still has it
            // closed).
            if *kind == "chat" && name == "light" {
                // A conversation, not an empty box.
                browser
                    .type_into(&format!("#{key} textarea"), "Hello, how are you?")
                    .await;
                browser.press(testkit::fantoccini::key::Key::Enter).await;
                browser
                    .wait_until(&format!(
                        "document.querySelectorAll('#{key} li').length === 2"
                    ))
                    .await;
            }
            let css = match *kind {
                "accordion" => "#accordion-region".to_owned(),
                "modal" => {
                    browser
                        .run(&format!(
                            "document.querySelector('#{key} dialog').showModal(); return 1"
                        ))
                        .await;
                    format!("#{key} dialog")
                }
                _ => format!("#{key}"),
            };
            // Drawn: its module has put something of its size in it.
            browser
                .wait_until(&format!(
                    "document.querySelector('{css}').getBoundingClientRect().height >= 24"
                ))
                .await;
            let png = browser.element_screenshot(&css).await;
            if *kind == "modal" {
                browser
                    .run(&format!(
                        "document.querySelector('#{key} dialog').close(); return 1"
                    ))
                    .await;
            }
            let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
            let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
            assert!(
                width >= 24 && height >= 24,
                "{kind} ({key}) is {width}×{height} px in {name}"
            );
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("{kind}-{name}.png")), &png).unwrap();
            }
        }
    }
    browser.finish().await;
}

/// The chat in Chromium: Enter sends, the message shows as the reader's own with its author
/// and time, the answer follows at the bottom, text stays text, and the page passes the audit.
#[tokio::test]
async fn the_chat_sends_with_enter_and_shows_text_as_text_in_chromium() {
    use testkit::fantoccini::key::Key;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.click_button("Display").await;
    let input = "#talk textarea";
    assert_eq!(browser.accessible_name(input).await, "Talk to the gallery");
    browser.type_into(input, "Hello <b>there</b>").await;
    browser.press(Key::Enter).await;
    let items = "document.querySelectorAll('#talk li')";
    browser.wait_until(&format!("{items}.length === 2")).await;
    assert_eq!(browser.accessible_role("#talk [role=log]").await, "log");
    assert_eq!(
        browser.accessible_name("#talk [role=log]").await,
        "Talk to the gallery"
    );
    let shown = browser
        .run(&format!(
            "return [...{items}].map(li => [li.classList.contains('numerous-chat-own'), \
               li.querySelector('.numerous-chat-author').textContent, \
               li.querySelector('.numerous-chat-text').textContent, \
               li.querySelector('time').dateTime.length > 0, li.querySelector('b') === null])"
        ))
        .await;
    assert_eq!(
        shown[0],
        json!([true, "you", "Hello <b>there</b>", true, true])
    );
    assert_eq!(shown[1][0], json!(false));
    assert_eq!(shown[1][1], json!("gallery"));
    assert_eq!(
        browser
            .run(&format!("return document.querySelector('{input}').value"))
            .await,
        json!("")
    );
    browser
        .assert_views_accessible("the gallery with a conversation")
        .await;
    browser.finish().await;
}

/// The map pickers in Chromium, with no tiles (none fetched: the gallery runs offline): a click
/// puts the point, a latitude and longitude typed in move it, a drag draws the region and the
/// area in view makes one; each reaches the handler, the page says what was picked, and it
/// passes the audit.
#[tokio::test]
async fn a_point_and_a_region_are_picked_on_the_map_in_chromium() {
    use testkit::fantoccini::actions::{
        InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.click_button("Choices").await;
    browser
        .wait_until("document.querySelector('#place .leaflet-container') && document.querySelector('#place .leaflet-control-zoom-in')")
        .await;
    let log = "document.querySelector('#log').textContent";
    // A click in the middle of the map (all of it in view): the point is about its centre
    // (48° N, 10° E).
    browser
        .run("document.querySelector('#place .numerous-map-area').scrollIntoView({block: 'center'}); return 1")
        .await;
    browser.click("#place .numerous-map-area").await;
    browser
        .wait_until(&format!("{log}.includes('You are at')"))
        .await;
    let picked = browser
        .run("return [Number(document.querySelectorAll('#place input')[0].value), Number(document.querySelectorAll('#place input')[1].value)]")
        .await;
    let (lat, lon) = (picked[0].as_f64().unwrap(), picked[1].as_f64().unwrap());
    assert!(
        (lat - 48.0).abs() < 1.0 && (lon - 10.0).abs() < 1.0,
        "{picked}"
    );
    browser
        .wait_until("document.querySelector('#place .numerous-map-said').textContent.startsWith('Point: latitude')")
        .await;
    assert_eq!(
        browser
            .run("return document.querySelectorAll('#place path.numerous-map-point').length")
            .await,
        json!(1)
    );
    // Typed in: the point moves there.
    browser
        .run("const [a, b] = document.querySelectorAll('#place input'); a.value = ''; b.value = ''; return 1")
        .await;
    browser.type_into("#place input", "55.68").await;
    browser
        .type_into(
            "#place .numerous-map-form label:nth-of-type(2) input",
            "12.57",
        )
        .await;
    browser.click("#place button[type=submit]").await;
    browser
        .wait_until(&format!("{log}.includes('You are at 55.680, 12.570')"))
        .await;
    // A region: dragged on the map, then the area in view.
    browser
        .run("document.querySelector('#zone .numerous-map-area').scrollIntoView({block: 'center'}); return 1")
        .await;
    let area = browser
        .client
        .find(testkit::fantoccini::Locator::Css(
            "#zone .numerous-map-area",
        ))
        .await
        .unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: area,
            duration: None,
            x: -60.0,
            y: 40.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(std::time::Duration::from_millis(100)),
            x: 120.0,
            y: -80.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(drag).await.unwrap();
    browser
        .wait_until(&format!("{log}.includes('Delivery area: latitudes')"))
        .await;
    let said = "document.querySelector('#zone .numerous-map-said').textContent";
    browser
        .wait_until(&format!("{said}.startsWith('Region: latitudes')"))
        .await;
    let dragged = browser.run(&format!("return {said}")).await;
    browser
        .click("#zone .numerous-map-form button[type=button]")
        .await;
    browser.wait_until(&format!("{said} !== {dragged}")).await;
    // Nothing was fetched for the maps but numerous's own files.
    assert_eq!(
        browser
            .run("return document.querySelectorAll('.leaflet-tile').length + performance.getEntriesByType('resource').filter(e => !e.name.startsWith(location.origin)).length")
            .await,
        json!(0)
    );
    assert_eq!(
        browser
            .accessible_name("#place .leaflet-control-zoom-in")
            .await,
        "Zoom in"
    );
    browser
        .assert_views_accessible("the gallery with its maps")
        .await;
    browser.finish().await;
}

/// A form (`#[derive(numerous::Form)]`): "Order" reads the Choices tab at once; each refused
/// field shows its message under it in the same answer (the page passes the audit with them),
/// and once they are fixed the handler gets the typed order.
#[tokio::test]
async fn a_form_names_every_refused_field_at_once_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.click_button("Choices").await;
    browser.click_button("Order").await;
    let message =
        |key: &str| format!("document.getElementById('numerous-error-{key}')?.textContent");
    browser
        .wait_until(&format!(
            "{} === 'Choose one.' && {} === 'Pick one to three toppings.'",
            message("dropdown"),
            message("multi")
        ))
        .await;
    assert_eq!(
        browser
            .run(&format!("return {} ?? null", message("radio")))
            .await,
        json!(null)
    );
    browser
        .wait_until("document.querySelector('#log').textContent.includes('Not ordered: 2 field(s) to fix.')")
        .await;
    browser
        .assert_views_accessible("the gallery with a refused form")
        .await;
    // Fixing a field takes its message away at once; the order then goes through.
    browser
        .run("const s = document.querySelector('#dropdown select'); s.value = 'Green'; s.dispatchEvent(new Event('change', { bubbles: true })); return 1")
        .await;
    browser.click("#multi [data-option='Basil'] input").await;
    browser
        .wait_until(&format!(
            "!{} && !{}",
            message("dropdown"),
            message("multi")
        ))
        .await;
    browser.click_button("Order").await;
    browser
        .wait_until("document.querySelector('#log').textContent.includes('Ordered: a small green with basil.')")
        .await;
    browser.finish().await;
}

/// A message under a field (`ctx.field_error`, the Name box refuses digits): shown under the
/// box, which is marked invalid and described by it, and it passes the audit; the user's next
/// change takes it away.
#[tokio::test]
async fn a_field_error_shows_under_its_field_until_the_value_changes_in_chromium() {
    use testkit::fantoccini::key::Key;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Gallery>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.type_into("#text input", "R2D2").await;
    let shown =
        "document.getElementById('numerous-error-text')?.textContent === 'A name has no digits.'";
    browser.wait_until(shown).await;
    let described = browser
        .run(
            "const i = document.querySelector('#text input'); \
             return [i.getAttribute('aria-invalid'), i.getAttribute('aria-describedby'), \
               document.getElementById('numerous-error-text').getAttribute('role')]",
        )
        .await;
    assert_eq!(described, json!(["true", "numerous-error-text", "alert"]));
    browser
        .assert_views_accessible("the gallery with a field error")
        .await;
    // Away with the digits: the message goes, and the handler greets the name.
    browser.focus("#text input").await;
    for _ in 0..4 {
        browser.press(Key::Backspace).await;
    }
    browser.type_into("#text input", "Ada").await;
    browser
        .wait_until("document.querySelector('#log').textContent.includes('Hello, Ada!')")
        .await;
    browser
        .wait_until(
            "!document.getElementById('numerous-error-text') \
             && !document.querySelector('#text input').hasAttribute('aria-invalid')",
        )
        .await;
    browser.finish().await;
}
