//! The chat through the typed test client (sessions in-process, topics between them, a test
//! database), and over real sockets: two tabs, fifty at once, history, the API, bad input.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use example_chat::{Chat, Store, options_with};
use numerous::Options;
use numerous::auth::User;
use numerous::testing::TestSession;
use serde_json::{Value, json};
use testkit::{Login, Tab, get_with_cookie, login};

const SECRET: &str = "a test secret of thirty-two bytes or more";

/// A fresh in-memory database.
async fn store() -> Store {
    Store::connect("sqlite::memory:").await.unwrap()
}

fn user(name: &str) -> User {
    User {
        id: format!("id-{name}"),
        username: name.into(),
        email: None,
        roles: Vec::new(),
        is_admin: false,
        is_active: true,
    }
}

fn test_options(store: Store) -> Options {
    options_with(Options::default(), store, |a| {
        a.secret(SECRET)
            .login_attempts_per_minute(1000, 100)
            .max_sessions_per_user(0)
    })
}

/// A chat message as a line: `author: text`, or `· text` for a notice.
fn line(author: &str, text: &str) -> String {
    if author.is_empty() {
        format!("· {text}")
    } else {
        format!("{author}: {text}")
    }
}

/// The chat's lines, oldest first.
fn lines(tab: &TestSession<Chat>) -> Vec<String> {
    tab.app()
        .messages
        .messages()
        .map(|m| line(&m.author, &m.text))
        .collect()
}

/// Sends `text` from the chat's box (Enter, or its Send button).
async fn say(tab: &mut TestSession<Chat>, text: &str) -> Vec<String> {
    tab.message(|a| &a.messages, json!({ "text": text })).await
}

/// Applies updates (topic deliveries) until the feed has `line`.
async fn until_line(tab: &mut TestSession<Chat>, line: &str) {
    tokio::time::timeout(Duration::from_secs(5), async {
        while !lines(tab).iter().any(|l| l == line) {
            tab.next_update().await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never saw {line:?}; feed: {:?}", lines(tab)));
}

#[tokio::test]
async fn two_sessions_talk_through_the_typed_client() {
    let options = test_options(store().await);
    let mut ann = TestSession::<Chat>::signed_in_with(options.clone(), user("ann"));
    let mut bob = TestSession::<Chat>::signed_in_with(options.clone(), user("bob"));
    ann.start().await;
    bob.start().await;
    assert_eq!(ann.app().name.value, "ann");

    let frames = say(&mut ann, "hello <b>bob</b>").await;
    assert!(
        TestSession::<Chat>::errors(&frames).is_empty(),
        "{frames:?}"
    );
    assert_eq!(ann.app().messages.sent(), None, "taken by the handler");
    until_line(&mut bob, "ann: hello <b>bob</b>").await;
    assert_eq!(bob.app().messages.me, "bob", "bob's own messages are his");

    say(&mut bob, "  hi ann  ").await;
    until_line(&mut ann, "bob: hi ann").await;

    // A new name is announced, and used from then on.
    bob.set(|a| &a.name, "Robert").await;
    let frames = bob.click(|a| &a.rename).await;
    assert_eq!(TestSession::<Chat>::toasts(&frames), ["You are now Robert"]);
    until_line(&mut ann, "· bob is now known as Robert").await;
    assert_eq!(bob.app().messages.me, "Robert");
    say(&mut bob, "it's me").await;
    until_line(&mut ann, "Robert: it's me").await;

    // A page opened later starts with the history.
    let mut carl = TestSession::<Chat>::signed_in_with(options, user("carl"));
    carl.start().await;
    assert_eq!(
        lines(&carl),
        [
            "ann: hello <b>bob</b>",
            "bob: hi ann",
            "· bob is now known as Robert",
            "Robert: it's me"
        ]
    );
}

#[tokio::test]
async fn bad_messages_are_refused_and_nothing_is_stored() {
    let options = test_options(store().await);
    let mut ann = TestSession::<Chat>::signed_in_with(options.clone(), user("ann"));
    ann.start().await;
    // The chat refuses an empty message; the app, one over its 1000 characters.
    for (text, says) in [
        ("", "an empty message"),
        ("   ", "an empty message"),
        (
            &"x".repeat(1001) as &str,
            "at most 1000 characters (this one has 1001)",
        ),
    ] {
        let frames = say(&mut ann, text).await;
        let errors = TestSession::<Chat>::errors(&frames);
        assert_eq!(errors.len(), 1, "{frames:?}");
        assert!(errors[0].1.contains(says), "{errors:?}");
    }
    ann.set(|a| &a.name, "n".repeat(51)).await;
    let frames = ann.click(|a| &a.rename).await;
    assert!(
        TestSession::<Chat>::errors(&frames)[0]
            .1
            .contains("at most 50")
    );
    // 1000 characters exactly is fine; the session went on through the errors.
    let frames = say(&mut ann, &"y".repeat(1000)).await;
    assert!(TestSession::<Chat>::errors(&frames).is_empty());
    let store = options.resources.get::<Store>().unwrap();
    assert_eq!(
        store.stats().await.unwrap().0,
        1,
        "only the good message was stored"
    );
}

async fn serve() -> SocketAddr {
    testkit::serve::<Chat>(test_options(store().await)).await
}

async fn tab(addr: SocketAddr, who: &Login) -> Tab {
    Tab::open_at(addr, "/ws", None, &[("cookie", &who.cookie())]).await
}

/// The lines a tab's chat gets, from the welcome and the patches after it.
fn feed_lines(state: &Value) -> Vec<String> {
    let chat = &state["messages"];
    let whole = chat["messages"].as_array();
    let new = chat["$append"]["messages"].as_array();
    whole
        .or(new)
        .map(|messages| {
            messages
                .iter()
                .map(|m| line(m["author"].as_str().unwrap(), m["text"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// Sends `text` from a tab's chat box.
async fn send(tab: &mut Tab, text: &str) {
    tab.send(json!({"type": "msg", "widget": "messages", "content": {"text": text}}))
        .await;
}

/// Reads a tab's frames until its feed got `n` chat lines (not counting what it had).
async fn read_lines(tab: &mut Tab, n: usize) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < n {
        let frame = tab.recv_within(Duration::from_secs(20)).await;
        if frame["type"] == "patch" {
            seen.extend(
                feed_lines(&frame["state"])
                    .into_iter()
                    .filter(|l| !l.starts_with('·')),
            );
        }
    }
    seen
}

#[tokio::test]
async fn messages_reach_every_tab_in_the_same_order_with_fifty_at_once() {
    let addr = serve().await;
    let mut people = Vec::new();
    for i in 0..10 {
        people.push(login(addr, "", &format!("user{i}"), "-").await);
    }
    let mut tabs = Vec::new();
    for i in 0..50 {
        tabs.push(tab(addr, &people[i % 10]).await);
    }
    // Everybody types and sends at once.
    for (i, t) in tabs.iter_mut().enumerate() {
        send(t, &format!("message {i}")).await;
    }
    let mut orders = Vec::new();
    for t in &mut tabs {
        orders.push(read_lines(t, 50).await);
    }
    let expected: HashSet<String> = (0..50)
        .map(|i| format!("user{}: message {i}", i % 10))
        .collect();
    assert_eq!(
        orders[0].iter().cloned().collect::<HashSet<_>>(),
        expected,
        "none lost"
    );
    for order in &orders[1..] {
        assert_eq!(order, &orders[0], "every tab sees the same order");
    }
    // A new tab starts with the last 50, in that order too (in its welcome, or in the patch
    // that follows it when the history loads after the tab connected).
    let mut late = tab(addr, &people[0]).await;
    let mut history = feed_lines(&late.state);
    if history.is_empty() {
        history = read_lines(&mut late, 50).await;
    }
    assert_eq!(history, orders[0]);
}

#[tokio::test]
async fn the_api_lists_messages_and_checks_what_it_is_asked() {
    let addr = serve().await;
    let ann = login(addr, "", "ann", "-").await;
    let mut t = tab(addr, &ann).await;
    for text in ["one", "two", "three"] {
        send(&mut t, text).await;
    }
    read_lines(&mut t, 3).await;
    let get = |path: &str, cookie: &str| {
        let (path, cookie) = (path.to_owned(), cookie.to_owned());
        async move { get_with_cookie(addr, &path, &cookie, "").await }
    };
    let r = get("/api/messages?channel=chat&limit=2", &ann.cookie()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["count"], 2);
    assert_eq!(body["messages"][0]["text"], "two");
    assert_eq!(body["messages"][1]["text"], "three");
    assert_eq!(body["messages"][1]["username"], "ann");
    assert_eq!(body["messages"][1]["messageType"], "chat");
    for (path, status, says) in [
        ("/api/messages?limit=0", 400, "from 1 to 50"),
        ("/api/messages?limit=51", 400, "from 1 to 50"),
        ("/api/messages?limit=ten", 400, "from 1 to 50"),
        (
            "/api/messages?channel=random",
            404,
            "unknown channel `random`",
        ),
    ] {
        let r = get(path, &ann.cookie()).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.body.contains(says), "{path}: {}", r.body);
    }
    assert_eq!(get("/api/messages", "").await.status, 401);
    let health: Value = serde_json::from_str(&get("/health", "").await.body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["stats"]["totalMessages"], 3);
    assert_eq!(health["stats"]["totalUsers"], 1);
    assert_eq!(health["stats"]["online"], 1);
    // The app's own login page (templates/numerous/login.html): a name, no password.
    let page = get_with_cookie(addr, "/login", "", "").await;
    assert!(
        page.body.contains("Your name") && !page.body.contains("current-password"),
        "{}",
        page.body
    );
    // A malformed name is refused at sign-in with a clear message.
    let r = testkit::try_login(addr, "", &"z".repeat(51), "-").await;
    assert!(r.body.contains("at most 50 characters"), "{}", r.body);
}

#[tokio::test]
async fn history_is_kept_in_postgresql_too() {
    let Some(url) = testkit::postgres_url() else {
        return;
    };
    let options = test_options(Store::connect(&url).await.unwrap());
    let tag = format!("{:?}", std::time::SystemTime::now());
    let mut ann = TestSession::<Chat>::signed_in_with(options.clone(), user("ann"));
    ann.start().await;
    say(&mut ann, &format!("kept {tag}")).await;
    // Another process's view: a new store on the same database.
    let again = Store::connect(&url).await.unwrap();
    let recent = again.recent("chat", 50).await.unwrap();
    assert_eq!(recent.last().unwrap().text, format!("kept {tag}"));
}

/// Reads a tab's frames until its "Online" count is `n`.
async fn until_online(tab: &mut Tab, n: f64) {
    loop {
        let frame = tab.recv_within(Duration::from_secs(10)).await;
        if frame["state"]["online"]["value"] == n {
            return;
        }
    }
}

/// "Online" counts people with a page open (`#[on_tabs]`): a second tab of one session, or a
/// second session of one person, counts once, and a closed page leaves the count at once (not
/// when its session expires, minutes later).
#[tokio::test]
async fn online_counts_the_pages_open_now() {
    let addr = serve().await;
    let ann = login(addr, "", "ann", "-").await;
    let bob = login(addr, "", "bob", "-").await;
    // The welcome comes as the tab opens; the count after it, from the `#[on_tabs]` handler.
    let mut a = tab(addr, &ann).await;
    until_online(&mut a, 1.0).await;
    let b = tab(addr, &bob).await;
    until_online(&mut a, 2.0).await;
    // bob's second tab, in the same session: still two people.
    let b2 = Tab::open_at(addr, "/ws", Some(&b.session), &[("cookie", &bob.cookie())]).await;
    assert_eq!(b2.state["online"]["value"], 2.0);
    b2.close().await;
    a.expect_silence(300).await;
    // bob closes his last page: ann sees one at once.
    b.close().await;
    until_online(&mut a, 1.0).await;
    let health: Value =
        serde_json::from_str(&get_with_cookie(addr, "/health", "", "").await.body).unwrap();
    assert_eq!(health["stats"]["online"], 1);
    // A second page of ann's (a session of its own): ann is one person.
    let mut a2 = tab(addr, &ann).await;
    until_online(&mut a2, 1.0).await;
    a.expect_silence(300).await;
}
