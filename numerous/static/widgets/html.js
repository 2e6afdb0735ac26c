// Html: `html` is escaped by the server unless the app marked it trusted. State: content,
// trusted, html.
import { htmlView } from "./field.js";

export default { render: ({ model, el }) => htmlView(model, el, "numerous-html") };
