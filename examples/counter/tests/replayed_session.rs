//! A session of `example_counter::Counter` recorded by numerous: it replays the session's steps and
//! fails at the first whose result differs from what was recorded.

#[tokio::test]
async fn a_recorded_session_replays() {
    let recording = numerous::recording::Recording::from_json(RECORDING).unwrap();
    // The app's options: its resources (a test database), its session migration.
    let options = numerous::Options::default();
    if let Err(divergence) =
        numerous::testing::replay_with::<example_counter::Counter>(options, &recording).await
    {
        panic!("{divergence}");
    }
}

const RECORDING: &str = r#"{
  "app": "Counter",
  "dropped": 0,
  "format": 1,
  "start": {
    "state": {},
    "user": null,
    "v": 0,
    "widgets": {
      "about": {
        "content": "Built with **numerous**: every tab has its own session.",
        "html": "<p>Built with <strong>numerous</strong>: every tab has its own session.</p>\n"
      },
      "counter": {
        "label": "Counter:",
        "unit": "",
        "value": 0.0
      },
      "counter2": {
        "label": "Counter 2:",
        "unit": "",
        "value": 0.0
      },
      "increment": {
        "disabled": false,
        "label": "Increment Counter",
        "variant": ""
      },
      "progress": {
        "label": "Progress",
        "max": 100.0,
        "min": 0.0,
        "step": 1.0,
        "value": 0.0
      },
      "selection": {
        "label": "Select Value",
        "options": [
          "1",
          "2",
          "3"
        ],
        "placeholder": "",
        "value": "1"
      },
      "tabs": {
        "tabs": [
          "Basic",
          "About"
        ],
        "value": "Basic"
      }
    }
  },
  "steps": [
    {
      "frame": {
        "after": {
          "state": {},
          "user": null,
          "v": 0,
          "widgets": {
            "about": {
              "content": "Built with **numerous**: every tab has its own session.",
              "html": "<p>Built with <strong>numerous</strong>: every tab has its own session.</p>\n"
            },
            "counter": {
              "label": "Counter:",
              "unit": "",
              "value": 0.0
            },
            "counter2": {
              "label": "Counter 2:",
              "unit": "",
              "value": 0.0
            },
            "increment": {
              "disabled": false,
              "label": "Increment Counter",
              "variant": ""
            },
            "progress": {
              "label": "Progress",
              "max": 100.0,
              "min": 0.0,
              "step": 1.0,
              "value": 100.0
            },
            "selection": {
              "label": "Select Value",
              "options": [
                "1",
                "2",
                "3"
              ],
              "placeholder": "",
              "value": "3"
            },
            "tabs": {
              "tabs": [
                "Basic",
                "About"
              ],
              "value": "Basic"
            }
          }
        },
        "frame": "{\"state\":{\"value\":\"3\"},\"type\":\"update\",\"widget\":\"selection\"}",
        "tab": 0
      }
    },
    {
      "frame": {
        "after": {
          "state": {},
          "user": null,
          "v": 0,
          "widgets": {
            "about": {
              "content": "Built with **numerous**: every tab has its own session.",
              "html": "<p>Built with <strong>numerous</strong>: every tab has its own session.</p>\n"
            },
            "counter": {
              "label": "Counter:",
              "unit": "",
              "value": 3.0
            },
            "counter2": {
              "label": "Counter 2:",
              "unit": "",
              "value": 1.0
            },
            "increment": {
              "disabled": false,
              "label": "Increment Counter",
              "variant": ""
            },
            "progress": {
              "label": "Progress",
              "max": 100.0,
              "min": 0.0,
              "step": 1.0,
              "value": 100.0
            },
            "selection": {
              "label": "Select Value",
              "options": [
                "1",
                "2",
                "3"
              ],
              "placeholder": "",
              "value": "3"
            },
            "tabs": {
              "tabs": [
                "Basic",
                "About"
              ],
              "value": "Basic"
            }
          }
        },
        "frame": "{\"content\":{\"event\":\"click\"},\"type\":\"msg\",\"widget\":\"increment\"}",
        "tab": 0
      }
    },
    {
      "frame": {
        "after": {
          "state": {},
          "user": null,
          "v": 0,
          "widgets": {
            "about": {
              "content": "Built with **numerous**: every tab has its own session.",
              "html": "<p>Built with <strong>numerous</strong>: every tab has its own session.</p>\n"
            },
            "counter": {
              "label": "Counter:",
              "unit": "",
              "value": 6.0
            },
            "counter2": {
              "label": "Counter 2:",
              "unit": "",
              "value": 2.0
            },
            "increment": {
              "disabled": false,
              "label": "Increment Counter",
              "variant": ""
            },
            "progress": {
              "label": "Progress",
              "max": 100.0,
              "min": 0.0,
              "step": 1.0,
              "value": 100.0
            },
            "selection": {
              "label": "Select Value",
              "options": [
                "1",
                "2",
                "3"
              ],
              "placeholder": "",
              "value": "3"
            },
            "tabs": {
              "tabs": [
                "Basic",
                "About"
              ],
              "value": "Basic"
            }
          }
        },
        "frame": "{\"content\":{\"event\":\"click\"},\"type\":\"msg\",\"widget\":\"increment\"}",
        "tab": 0
      }
    }
  ],
  "user": null,
  "version": 0
}"#;
