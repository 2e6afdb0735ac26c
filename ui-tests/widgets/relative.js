import { draw } from "./util.js";
export default { render({ model, el }) { draw(model, el); } };
