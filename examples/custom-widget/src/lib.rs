//! A custom widget: `Reactions`, rendered by `widgets/reactions.js` (an ordinary anywidget
//! module), embedded in the binary at compile time.
//!
//! Run with: `cargo run -p example-custom-widget` and open <http://127.0.0.1:8000>.
//!
//! - The browser sends `model.send({ emoji: "🎉" })`; the typed handler `react` receives it as
//!   a [`Reaction`].
//! - The handler updates the widget's state (the counts) and sends a message back
//!   (`ctx.message`), which the module receives as a `msg:custom` event and flashes.
//! - `note` is marked `#[input]`: the browser may write it, and `#[on_change]` sees it.
//! - The build checks each module's `model.get/set/on/send` against its struct, and `types`
//!   writes `widgets/<module>.d.ts`, which the modules name in JSDoc (`// @ts-check`): an
//!   editor then checks them as they are written.

use std::collections::BTreeMap;

use numerous::prelude::*;
use serde::Deserialize;

/// Emoji reactions with counts, and a note the user can type.
#[numerous::widget(
    module = "widgets/reactions.js",
    css = "widgets/reactions.css",
    messages,
    types
)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reactions {
    /// The emoji offered.
    pub choices: Vec<String>,
    /// How often each was picked.
    pub counts: BTreeMap<String, u32>,
    /// A note the browser may write.
    #[input]
    pub note: String,
}

/// A label, rendered by a module written in the function form of anywidget's default export.
/// `isolated`: drawn in a shadow root with its stylesheet, which also has rules for the whole
/// page (as some libraries' do) that must not leak out.
#[numerous::widget(
    module = "widgets/badge.js",
    css = "widgets/badge.css",
    isolated,
    types
)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Badge {
    /// The text.
    pub text: String,
    /// `"cool"` or `"hot"`.
    pub tone: String,
}

/// A widget whose module moves binary data: it sets `samples` to a `Float32Array` (a
/// [`numerous::Bytes`] here, a `DataView` when it comes back), and sends buffers with its
/// messages (`ctx.buffers()`), which the server answers with buffers of its own.
#[numerous::widget(module = "widgets/sampler.js", messages, types)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sampler {
    /// The samples the module set, as raw bytes (little-endian `f32`s).
    #[input]
    pub samples: numerous::Bytes,
}

/// What the sampler sends with its buffers.
#[derive(Debug, Deserialize)]
pub struct Chunk {
    /// A name, echoed back.
    pub name: String,
}

/// What `experimental.invoke("top", ..)` asks.
#[derive(Debug, Deserialize)]
pub struct TopRequest {
    /// How many emoji to answer with.
    pub limit: usize,
}

/// What the module sends when an emoji is clicked.
#[derive(Debug, Deserialize)]
pub struct Reaction {
    /// The emoji picked.
    pub emoji: String,
}

/// The app: the custom widget, and built-in widgets that show what it did.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Feedback {
    #[widget(init = Reactions { choices: vec!["👍".into(), "🎉".into(), "❤️".into()], ..Default::default() })]
    reactions: Reactions,
    #[widget(label = "Reactions so far")]
    total: Metric,
    #[widget(content = "Pick a reaction.")]
    last: Markdown,
    #[widget(init = Badge { text: "quiet".into(), tone: "cool".into() })]
    mood: Badge,
    sampler: Sampler,
    #[widget(label = "Samples received")]
    samples: Metric,
    #[widget(label = "Bytes in the last buffers")]
    buffered: Metric,
}

#[numerous::handlers]
impl Feedback {
    /// A typed custom message from the widget's module.
    #[on_message(reactions)]
    fn react(&mut self, ctx: &Session, reaction: Reaction) -> Result<(), String> {
        if !self.reactions.choices.contains(&reaction.emoji) {
            return Err(format!("{} is not one of the choices", reaction.emoji));
        }
        *self
            .reactions
            .counts
            .entry(reaction.emoji.clone())
            .or_default() += 1;
        let total: u32 = self.reactions.counts.values().sum();
        self.total.value = total.into();
        self.last.content = format!("Last reaction: {}", reaction.emoji);
        if total >= 3 {
            self.mood = Badge {
                text: "lively".into(),
                tone: "hot".into(),
            };
        }
        ctx.message(
            self,
            &self.reactions,
            &serde_json::json!({ "flash": reaction.emoji }),
        )
        .map_err(|e| e.to_string())
    }

    /// `experimental.invoke("top", {limit: 2})` in the module: the most picked emoji, most first.
    /// A command answers the module that asked; it may change the app like any handler.
    #[on_command(reactions)]
    fn top(&mut self, request: TopRequest) -> Result<Vec<String>, String> {
        if request.limit == 0 {
            return Err("ask for at least one".into());
        }
        let mut counts: Vec<_> = self.reactions.counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        Ok(counts
            .into_iter()
            .take(request.limit)
            .map(|(emoji, _)| emoji.clone())
            .collect())
    }

    /// The module set `samples`: count the `f32`s.
    #[on_change(sampler)]
    fn sampled(&mut self) {
        self.samples.value = (self.sampler.samples.len() / 4).into();
    }

    /// A message with binary buffers: answer with the first one reversed.
    #[on_message(sampler)]
    fn chunk(&mut self, ctx: &Session, chunk: Chunk) -> Result<(), String> {
        let buffers = ctx.buffers();
        self.buffered.value = buffers.iter().map(|b| b.len()).sum::<usize>().into();
        let mut first = buffers.first().map(|b| b.to_vec()).unwrap_or_default();
        first.reverse();
        let echo = serde_json::json!({ "echo": chunk.name });
        ctx.message_with_buffers(self, &self.sampler, &echo, &[first])
            .map_err(|e| e.to_string())
    }

    /// The note the user typed in the widget.
    #[on_change(reactions)]
    fn noted(&mut self, ctx: &Session) {
        if !self.reactions.note.is_empty() {
            ctx.toast(format!("Noted: {}", self.reactions.note));
        }
    }
}
