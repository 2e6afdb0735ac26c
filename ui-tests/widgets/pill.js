export default { render({ el }) { el.textContent = "pill"; } };
