// The model of the `sampler` widget (`Sampler`), as its module sees it.
// Written by #[numerous::widget(types)] on each build from the struct: edit the struct, not this file.
// In the module: `// @ts-check`, then `/** @param {import("./sampler.js").RenderProps} props */` on `render`.

/** The widget's state: what `model.get` returns. */
export interface State {
  /** The samples the module set, as raw bytes (little-endian `f32`s). */
  samples: DataView | ArrayBuffer | ArrayBufferView;
}

/** What the browser may write (the `#[input]` fields): what `model.set` takes. */
export interface Input {
  /** The samples the module set, as raw bytes (little-endian `f32`s). */
  samples: DataView | ArrayBuffer | ArrayBufferView;
}

/** The anywidget model `initialize` and `render` get. */
export interface Model {
  get<K extends keyof State>(name: K): State[K];
  set<K extends keyof Input>(name: K, value: Input[K]): void;
  save_changes(): void;
  on<K extends keyof State & string>(event: `change:${K}`, callback: (model: Model, value: State[K]) => void): void;
  on(event: "change", callback: (model: Model) => void): void;
  /** What the app's handlers send with `ctx.message`. */
  on(event: "msg:custom", callback: (content: any, buffers: DataView[]) => void): void;
  off(event?: string | null, callback?: ((...args: any[]) => void) | null): void;
  /** Sends `content` (and `buffers`) to the app's `#[on_message]` handler of this widget. */
  send(content: unknown, callbacks?: unknown, buffers?: (ArrayBuffer | ArrayBufferView)[]): void;
  widget_manager: { get_model(id: string): Promise<unknown> };
}

/** anywidget's `experimental`. */
export interface Experimental {
  /** Calls the app's `#[on_command]` handler `name` of this widget; resolves to its answer. */
  invoke(name: string, msg?: unknown, options?: { timeout?: number; signal?: AbortSignal; buffers?: (ArrayBuffer | ArrayBufferView)[] }): Promise<[any, DataView[]]>;
}

export interface RenderProps {
  model: Model;
  el: HTMLElement;
  experimental: Experimental;
}

export interface InitializeProps {
  model: Model;
  experimental: Experimental;
}

type Cleanup = void | (() => void);

/** The module's default export. */
export interface Widget {
  initialize?(props: InitializeProps): Cleanup | Promise<Cleanup>;
  render(props: RenderProps): Cleanup | Promise<Cleanup>;
}

declare const widget: Widget | (() => Widget | Promise<Widget>);
export default widget;
