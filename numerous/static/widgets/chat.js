// Chat: messages with their author and time, newest at the bottom, and a box to write the next
// one. State: label, placeholder, me (whose messages are the reader's own), empty, messages
// ([{author, text, time}]; no author: a notice), total. New messages arrive as `$append` patches, so only they are
// drawn. Sending is `model.send({text})`; the server's #[on_submit] handlers decide what
// becomes of it. Text is shown as text, never as HTML.
import { make } from "./field.js";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function messageNode(message, me) {
  // A message without an author is a notice (someone joined, changed name): shown apart.
  const kind =
    message.author === "" ? "numerous-chat-notice" : me !== "" && message.author === me ? "numerous-chat-own" : "";
  const node = make("li", `numerous-chat-message ${kind}`.trim());
  const meta = make("div", "numerous-chat-meta");
  const when = new Date(message.time * 1000);
  const time = make("time", "numerous-chat-time", { textContent: timeFormat.format(when) });
  time.dateTime = when.toISOString();
  time.title = dayFormat.format(when);
  if (message.author !== "") {
    meta.append(make("span", "numerous-chat-author", { textContent: message.author }), " ");
  }
  meta.append(time);
  const text = make("div", "numerous-chat-text", { textContent: message.text });
  node.append(meta, text);
  return node;
}

export default {
  render({ model, el }) {
    const key = el.dataset.numerousWidget ?? "chat";
    const box = make("div", "numerous-chat");
    const label = make("div", "numerous-label");
    label.id = `numerous-chat-label-${key}`;
    // A log: screen readers read new messages as they come, without moving the reader. It
    // scrolls, so it takes the keyboard (arrows scroll it); the list inside keeps its count.
    const log = make("div", "numerous-chat-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-labelledby", label.id);
    log.tabIndex = 0;
    const list = make("ol", "numerous-chat-list");
    log.append(list);
    const empty = make("p", "numerous-empty");
    const form = make("form", "numerous-chat-form");
    // The server takes 4,000 characters at most (MAX_CHAT_MESSAGE).
    const input = make("textarea", "numerous-input numerous-chat-input", { rows: 1, maxLength: 4000 });
    const send = make("button", "numerous-btn numerous-btn-primary", { type: "submit", textContent: "Send" });
    form.append(input, send);
    box.append(label, log, empty, form);
    el.replaceChildren(box);

    const submit = () => {
      const text = input.value.trim();
      if (text === "") return;
      model.send({ text });
      input.value = "";
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });

    let drawn = []; // the messages on screen, oldest first
    let drawnFor = null; // the `me` they were drawn for
    const draw = () => {
      label.textContent = model.get("label") ?? "";
      label.hidden = !label.textContent;
      const name = model.get("label") || model.get("placeholder") || "Message";
      input.setAttribute("aria-label", name);
      input.placeholder = model.get("placeholder") ?? "";
      const me = model.get("me") ?? "";
      const messages = model.get("messages") ?? [];
      // Common case: the messages drawn last are still there (the same objects, as the model
      // appends to them), maybe fewer of the oldest, and new ones follow.
      const last = drawn.length ? messages.lastIndexOf(drawn[drawn.length - 1]) : -1;
      const kept = last + 1;
      const appendOnly =
        drawnFor === me &&
        last >= 0 &&
        kept <= drawn.length &&
        messages.slice(0, kept).every((m, i) => m === drawn[drawn.length - kept + i]);
      const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      if (appendOnly) {
        for (let i = 0; i < drawn.length - kept; i++) list.firstChild?.remove();
        for (const m of messages.slice(kept)) list.append(messageNode(m, me));
      } else {
        list.replaceChildren(...messages.map((m) => messageNode(m, me)));
      }
      drawn = messages;
      drawnFor = me;
      empty.textContent = model.get("empty") ?? "";
      empty.hidden = messages.length > 0 || !empty.textContent;
      log.hidden = messages.length === 0;
      if (nearBottom || !appendOnly) log.scrollTop = log.scrollHeight;
    };
    const events = ["change:messages", "change:label", "change:me", "change:empty", "change:placeholder"];
    for (const e of events) model.on(e, draw);
    draw();
    return () => {
      for (const e of events) model.off(e, draw);
    };
  },
};
