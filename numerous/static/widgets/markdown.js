// Markdown: `html` is rendered and made safe by the server (raw HTML shown as text, script
// links disarmed). State: content, html.
import { htmlView } from "./field.js";

export default { render: ({ model, el }) => htmlView(model, el, "numerous-markdown") };
