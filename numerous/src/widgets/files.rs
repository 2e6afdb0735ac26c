//! Files in and out: FileUpload (to a handler, with a size limit) and Download (bytes a handler
//! produced).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::attrs::{Accept, MaxBytes, Multiple};
use crate::widget::{EmitsChange, EmitsClick, Event, InputError, NoInput, Upload, Widget};

impl_label!(FileUpload, Download);

/// A file the browser uploaded.
pub type UploadedFile = Upload;

/// A file picker and drop zone. The chosen file goes to the server (over HTTP, not the
/// WebSocket) and the widget's `#[on_change]` handlers run with it in [`FileUpload::file`]. A
/// file over `max_bytes` (1 MiB by default) or outside `accept` is refused with a clear error, in
/// the browser before it is sent and on the server.
///
/// What a handler gets, for each file:
/// - [`FileUpload::file`]: the file ([`Upload`]: `name` and `mime` as the browser gave them,
///   `bytes`, and `batch`). It is there while the upload's `#[on_change]` handlers run, and
///   dropped after them, so a session holds no file's bytes between events and the same file can
///   be sent again. To keep it for a later event (an "Import" button), move it into a
///   `#[state]` field: `self.pending = self.upload.file.take();`.
/// - With `multiple = true` the user may pick or drop several files: each is uploaded and handled
///   on its own, in the order picked, and [`Upload::batch`] says which of how many it is
///   ([`crate::Batch::is_last`]: the moment to act on all of them). A file the widget refuses
///   (too large, not accepted) stops the batch in the browser, which names it: that batch has
///   no last file.
/// - [`FileUpload::received`] lists the name and size of each file of the last batch (one file
///   without `multiple`), which the browser shows.
///
/// Attributes: `label`, `accept`, `max_bytes`, `multiple`.
///
/// ```
/// # use numerous::prelude::*;
/// let csv = FileUpload::default().label("Data").accept(".csv").max_bytes(5_000_000).multiple(true);
/// assert!(csv.file.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileUpload {
    /// The text shown with the picker.
    pub label: String,
    /// The file types offered, e.g. `".csv,text/plain"`.
    pub accept: String,
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Whether the user may pick several files at once.
    pub multiple: bool,
    /// The name of the last file received (shown in the browser).
    pub file_name: String,
    /// Its size in bytes.
    pub file_size: usize,
    /// The files of the last batch received so far (one without `multiple`).
    pub received: Vec<ReceivedFile>,
    /// The file being handled, with its content (kept on the server only, while the upload's
    /// handlers run).
    #[serde(skip)]
    pub file: Option<UploadedFile>,
}

/// A file a [`FileUpload`] received, as the browser shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedFile {
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
}

impl Default for FileUpload {
    fn default() -> Self {
        FileUpload {
            label: String::new(),
            accept: String::new(),
            max_bytes: 1024 * 1024,
            multiple: false,
            file_name: String::new(),
            file_size: 0,
            received: Vec::new(),
            file: None,
        }
    }
}

/// Whether a file named `name` of media type `mime` is one `accept` takes: the HTML attribute's
/// rule (a comma-separated list of `.ext`, `type/subtype` and `type/*`; empty takes anything),
/// which the browser applies in its picker but not to a dropped file or a hand-made request.
fn accepts(accept: &str, name: &str, mime: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let mime = mime.to_ascii_lowercase();
    let mut rules = accept.split(',').map(str::trim).filter(|r| !r.is_empty());
    let mut any = false;
    let found = rules.any(|rule| {
        any = true;
        let rule = rule.to_ascii_lowercase();
        if rule.starts_with('.') {
            name.ends_with(&rule)
        } else if let Some(kind) = rule.strip_suffix("/*") {
            mime.split('/').next() == Some(kind)
        } else {
            mime == rule
        }
    });
    found || !any
}

impl Widget for FileUpload {
    const KIND: &'static str = "file-upload";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    fn upload(&mut self, file: Upload) -> Result<Option<Event>, InputError> {
        if !accepts(&self.accept, &file.name, &file.mime) {
            return Err(InputError::Rejected(format!(
                "{} is not one of the accepted types ({})",
                file.name, self.accept
            )));
        }
        if file.bytes.len() > self.max_bytes {
            return Err(InputError::Rejected(format!(
                "{} is {} bytes, over the limit of {} bytes",
                file.name,
                file.bytes.len(),
                self.max_bytes
            )));
        }
        if !self.multiple && file.batch.is_some_and(|b| b.count > 1) {
            return Err(InputError::Rejected(
                "this widget takes one file at a time (it has no `multiple`)".into(),
            ));
        }
        self.file_name = file.name.clone();
        self.file_size = file.bytes.len();
        // A batch's first file (or a file on its own) starts the list again.
        if file.batch.is_none_or(|b| b.index == 1) {
            self.received.clear();
        }
        self.received.push(ReceivedFile {
            name: file.name.clone(),
            size: file.bytes.len(),
        });
        self.file = Some(file);
        Ok(Some(Event::Change))
    }

    fn upload_limit(&self) -> Option<usize> {
        Some(self.max_bytes)
    }

    /// The file's bytes go once its handlers have run.
    fn upload_handled(&mut self) {
        self.file = None;
    }

    /// The file's bytes are not sent to the browser, so they stay.
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        let file = self.file.take();
        *self = serde_json::from_slice(state)?;
        if file.as_ref().is_some_and(|f| f.name == self.file_name) {
            self.file = file;
        }
        Ok(())
    }
}
impl EmitsChange for FileUpload {}

impl Accept for FileUpload {
    fn accept(mut self, accept: impl Into<String>) -> Self {
        self.accept = accept.into();
        self
    }
}

impl Multiple for FileUpload {
    /// `#[widget(multiple = true)]`: several files picked or dropped at once, each handled in
    /// turn.
    fn multiple(mut self, multiple: bool) -> Self {
        self.multiple = multiple;
        self
    }
}

impl MaxBytes for FileUpload {
    fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// A file a handler made, as the browser's state describes it; its bytes stay on the server
/// until the browser fetches them (`GET <prefix>/download/<widget>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadFile {
    /// The name the browser saves it under.
    pub name: String,
    /// Its media type.
    pub mime: String,
    /// Its size in bytes.
    pub size: usize,
}

/// A button whose `#[on_click]` handler produces a file, which the browser then saves:
/// `self.export.send("report.csv", "text/csv", bytes)`. Emits [`crate::Event::Click`].
///
/// The file does not travel in the widget's state (which every reload would resend): the state
/// names it, and the browser fetches it over HTTP once.
///
/// Attributes: `label`.
///
/// ```
/// # use numerous::prelude::*;
/// let mut export = Download::default().label("Export CSV");
/// // In its #[on_click] handler:
/// export.send("report.csv", "text/csv", "name,amount\r\nTrain,42\r\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Download {
    /// The button's text.
    pub label: String,
    /// The file last produced.
    pub file: Option<DownloadFile>,
    /// Counts the files produced, so the browser saves each once.
    pub nonce: u64,
    /// The file's content, kept on the server.
    #[serde(skip)]
    bytes: Option<std::sync::Arc<[u8]>>,
}

impl Download {
    /// Has the browser save `bytes` as `name`.
    pub fn send(
        &mut self,
        name: impl Into<String>,
        mime: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) {
        let bytes: Vec<u8> = bytes.into();
        self.file = Some(DownloadFile {
            name: name.into(),
            mime: mime.into(),
            size: bytes.len(),
        });
        self.bytes = Some(bytes.into());
        self.nonce += 1;
    }

    /// The file last produced, with its content.
    pub fn content(&self) -> Option<(&DownloadFile, &[u8])> {
        Some((self.file.as_ref()?, self.bytes.as_deref()?))
    }
}

impl Widget for Download {
    const KIND: &'static str = "download";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    fn message(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        #[derive(Deserialize)]
        #[serde(tag = "event", rename_all = "lowercase", deny_unknown_fields)]
        enum Msg {
            Click,
        }
        let Msg::Click = serde_json::from_str(content.get()).map_err(|_| {
            InputError::Invalid("a download takes only {\"event\":\"click\"}".into())
        })?;
        Ok(Some(Event::Click))
    }

    /// The bytes are not in the state sent to the browser, so they stay.
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        let bytes = self.bytes.take();
        let nonce = self.nonce;
        *self = serde_json::from_slice(state)?;
        if self.nonce == nonce {
            self.bytes = bytes;
        }
        Ok(())
    }

    fn served_file(&self) -> Option<crate::widget::Served> {
        self.served()
    }
}
impl EmitsClick for Download {}

impl Download {
    pub(crate) fn served(&self) -> Option<crate::widget::Served> {
        let (file, bytes) = self.content()?;
        Some(crate::widget::Served {
            name: file.name.clone(),
            mime: file.mime.clone(),
            nonce: self.nonce,
            bytes: self.bytes.clone().unwrap_or_else(|| bytes.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_over_the_limit_are_refused() {
        let mut f = FileUpload::default().max_bytes(4);
        let big = Upload {
            name: "a.txt".into(),
            mime: "text/plain".into(),
            bytes: vec![0; 5],
            ..Upload::default()
        };
        let err = Widget::upload(&mut f, big).unwrap_err();
        assert!(
            err.to_string().contains("over the limit of 4 bytes"),
            "{err}"
        );
        assert!(f.file.is_none());
        let ok = Upload {
            name: "b.txt".into(),
            mime: "text/plain".into(),
            bytes: vec![1; 4],
            ..Upload::default()
        };
        assert_eq!(Widget::upload(&mut f, ok), Ok(Some(Event::Change)));
        assert_eq!((f.file_name.as_str(), f.file_size), ("b.txt", 4));
    }

    #[test]
    fn uploads_of_types_the_widget_does_not_accept_are_refused() {
        let rules = ".CSV, text/plain, image/*";
        for (name, mime, ok) in [
            ("a.csv", "application/octet-stream", true),
            ("A.CSV", "", true),
            ("notes", "text/plain", true),
            ("p.png", "image/png", true),
            ("x.exe", "application/x-msdownload", false),
            ("csv", "text/html", false),
        ] {
            assert_eq!(accepts(rules, name, mime), ok, "{name} {mime}");
        }
        assert!(accepts("", "anything.bin", ""), "no rule takes anything");
        let mut f = FileUpload::default().accept(".txt");
        let file = Upload {
            name: "a.exe".into(),
            mime: "application/x-msdownload".into(),
            bytes: vec![1],
            ..Upload::default()
        };
        let err = Widget::upload(&mut f, file).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.exe is not one of the accepted types (.txt)"
        );
        assert!(f.file.is_none());
    }

    #[test]
    fn downloads_keep_their_bytes_on_the_server() {
        let mut d = Download::default();
        d.send("x.txt", "text/plain", b"hi".to_vec());
        assert_eq!(d.file.as_ref().unwrap().size, 2);
        assert_eq!(d.nonce, 1);
        let state = serde_json::to_string(&d).unwrap();
        assert!(!state.contains("hi\""), "{state}");
        assert_eq!(d.content().unwrap().1, b"hi");
    }
}
