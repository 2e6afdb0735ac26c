//! A session's two queues, in one small allocation.
//!
//! Tabs coming and going ([`Control`]) never wait; frames, uploads and background changes
//! ([`Input`]) are bounded: a full queue makes the sender wait (the socket reader stops reading,
//! so a fast tab is slowed, never dropped). Each queue keeps its order (first in, first out;
//! waiting senders get their turn in the order they came).
//!
//! Two `tokio::sync::mpsc` channels did the same, but each allocates a block of 32 slots
//! up front (about 3.4 KiB a session with their shared state), which an idle session never
//! uses; these queues allocate only when something is queued, and give the room back once a
//! burst has passed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, Semaphore};

use super::{Control, Input};

/// Room kept by an emptied queue; a longer one (after a burst) is given back.
const KEPT: usize = 8;

struct Shared {
    queues: Mutex<Queues>,
    /// Wakes the session for a control message.
    control_ready: Notify,
    /// Wakes the session for an input.
    input_ready: Notify,
    /// Free places in the input queue; closed with it, which fails the senders waiting.
    room: Semaphore,
}

#[derive(Default)]
struct Queues {
    control: VecDeque<Control>,
    inputs: VecDeque<Input>,
    control_closed: bool,
    control_senders: usize,
    input_senders: usize,
}

/// The oldest of `queue`, giving back the room of a burst once it is empty.
fn take<T>(queue: &mut VecDeque<T>) -> Option<T> {
    let item = queue.pop_front()?;
    if queue.is_empty() && queue.capacity() > KEPT {
        queue.shrink_to(KEPT);
    }
    Some(item)
}

/// Which queue a sender sends to.
#[derive(Clone, Copy)]
enum Side {
    Control,
    Input,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        // Nothing panics while the lock is held; a poisoned lock still holds whole queues.
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn senders(q: &mut Queues, side: Side) -> &mut usize {
        match side {
            Side::Control => &mut q.control_senders,
            Side::Input => &mut q.input_senders,
        }
    }

    /// Counts a new sender to `side`.
    fn sender_added(self: &Arc<Self>, side: Side) -> Arc<Self> {
        *Self::senders(&mut self.lock(), side) += 1;
        self.clone()
    }

    /// Counts a sender to `side` gone; the last one wakes the receiver, which then ends.
    fn sender_dropped(&self, side: Side) {
        let last = {
            let mut q = self.lock();
            let n = Self::senders(&mut q, side);
            *n -= 1;
            *n == 0
        };
        if last {
            match side {
                Side::Control => self.control_ready.notify_one(),
                Side::Input => self.input_ready.notify_one(),
            }
        }
    }
}

/// A new session's queues: `capacity` inputs at most wait at once.
pub(crate) fn mailbox(
    capacity: usize,
) -> (ControlSender, InputSender, ControlReceiver, InputReceiver) {
    let shared = Arc::new(Shared {
        queues: Mutex::new(Queues {
            control_senders: 1,
            input_senders: 1,
            ..Queues::default()
        }),
        control_ready: Notify::new(),
        input_ready: Notify::new(),
        room: Semaphore::new(capacity),
    });
    (
        ControlSender(shared.clone()),
        InputSender(shared.clone()),
        ControlReceiver(shared.clone()),
        InputReceiver(shared),
    )
}

/// Sends [`Control`] messages to a session; never waits.
pub(crate) struct ControlSender(Arc<Shared>);

impl ControlSender {
    /// Queues `c`; gives it back when the session no longer takes any.
    pub(crate) fn send(&self, c: Control) -> Result<(), Control> {
        {
            let mut q = self.0.lock();
            if q.control_closed {
                return Err(c);
            }
            q.control.push_back(c);
        }
        self.0.control_ready.notify_one();
        Ok(())
    }
}

impl Clone for ControlSender {
    fn clone(&self) -> Self {
        ControlSender(self.0.sender_added(Side::Control))
    }
}

impl Drop for ControlSender {
    fn drop(&mut self) {
        self.0.sender_dropped(Side::Control);
    }
}

/// Sends [`Input`]s to a session, in order; waits while its queue is full.
pub(crate) struct InputSender(Arc<Shared>);

impl InputSender {
    /// Queues `input` once there is room; gives it back when the session no longer takes any.
    pub(crate) async fn send(&self, input: Input) -> Result<(), Input> {
        match self.0.room.acquire().await {
            // Given back by the receiver when it takes an input out.
            Ok(permit) => permit.forget(),
            Err(_) => return Err(input),
        }
        {
            let mut q = self.0.lock();
            if self.0.room.is_closed() {
                return Err(input);
            }
            q.inputs.push_back(input);
        }
        self.0.input_ready.notify_one();
        Ok(())
    }

    /// Whether the session takes no more inputs (it ended, or is ending).
    pub(crate) fn is_closed(&self) -> bool {
        self.0.room.is_closed()
    }
}

impl Clone for InputSender {
    fn clone(&self) -> Self {
        InputSender(self.0.sender_added(Side::Input))
    }
}

impl Drop for InputSender {
    fn drop(&mut self) {
        self.0.sender_dropped(Side::Input);
    }
}

macro_rules! named_debug {
    ($($t:ident),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($t))
            }
        }
    )*};
}
named_debug!(ControlSender, InputSender, ControlReceiver, InputReceiver);

/// The session's end of its control queue.
pub(crate) struct ControlReceiver(Arc<Shared>);

impl ControlReceiver {
    /// The next control message; `None` once the queue is closed (or has no sender) and empty.
    /// Cancel-safe: a message is taken out only by the call that returns it.
    pub(crate) async fn recv(&mut self) -> Option<Control> {
        loop {
            {
                let mut q = self.0.lock();
                if let Some(c) = take(&mut q.control) {
                    return Some(c);
                }
                if q.control_closed || q.control_senders == 0 {
                    return None;
                }
            }
            // A notification given while nobody waited is kept for the next wait.
            self.0.control_ready.notified().await;
        }
    }

    /// The next control message if one is queued.
    pub(crate) fn try_recv(&mut self) -> Option<Control> {
        self.0.lock().control.pop_front()
    }

    /// Refuses further messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        self.0.lock().control_closed = true;
    }
}

impl Drop for ControlReceiver {
    fn drop(&mut self) {
        let queued = {
            let mut q = self.0.lock();
            q.control_closed = true;
            std::mem::take(&mut q.control)
        };
        // Dropped outside the lock: a tab's outbox may be among them.
        drop(queued);
    }
}

/// The session's end of its input queue.
pub(crate) struct InputReceiver(Arc<Shared>);

impl InputReceiver {
    /// The next input; `None` once the queue is closed (or has no sender) and empty.
    /// Cancel-safe: an input is taken out only by the call that returns it.
    pub(crate) async fn recv(&mut self) -> Option<Input> {
        loop {
            {
                let mut q = self.0.lock();
                if let Some(input) = take(&mut q.inputs) {
                    drop(q);
                    self.0.room.add_permits(1);
                    return Some(input);
                }
                if self.0.room.is_closed() || q.input_senders == 0 {
                    return None;
                }
            }
            self.0.input_ready.notified().await;
        }
    }

    /// Refuses further inputs (senders waiting for room are refused too); those already
    /// queued can still be received.
    pub(crate) fn close(&mut self) {
        // Under the lock, so a sender that found room either queued before or sees it closed.
        let _q = self.0.lock();
        self.0.room.close();
    }
}

impl Drop for InputReceiver {
    fn drop(&mut self) {
        let queued = {
            let mut q = self.0.lock();
            self.0.room.close();
            std::mem::take(&mut q.inputs)
        };
        // Dropped outside the lock: replies waiting in them are told the session ended.
        drop(queued);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::session::Change;

    fn call() -> Input {
        Input::Change(Change(Box::new(|_, _| {})))
    }

    fn frame(n: u64) -> Input {
        Input::Frame {
            conn: n,
            text: "x".into(),
        }
    }

    fn conn_of(i: Input) -> u64 {
        match i {
            Input::Frame { conn, .. } => conn,
            _ => panic!("not a frame"),
        }
    }

    #[tokio::test]
    async fn inputs_keep_their_order_and_a_full_queue_makes_senders_wait() {
        let (_c, tx, _crx, mut rx) = mailbox(2);
        tx.send(frame(1)).await.unwrap();
        tx.send(frame(2)).await.unwrap();
        // Full: the third waits until one is taken out.
        let tx2 = tx.clone();
        let third = tokio::spawn(async move { tx2.send(frame(3)).await.is_ok() });
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        assert_eq!(conn_of(rx.recv().await.unwrap()), 1);
        assert!(third.await.unwrap());
        assert_eq!(conn_of(rx.recv().await.unwrap()), 2);
        assert_eq!(conn_of(rx.recv().await.unwrap()), 3);
    }

    #[tokio::test]
    async fn waiting_senders_are_served_in_the_order_they_came() {
        let (_c, tx, _crx, mut rx) = mailbox(1);
        tx.send(frame(0)).await.unwrap();
        let mut waiting = Vec::new();
        for n in 1..=5 {
            let tx = tx.clone();
            waiting.push(tokio::spawn(async move { tx.send(frame(n)).await.is_ok() }));
            // Each has queued for room before the next starts.
            tokio::task::yield_now().await;
        }
        for n in 0..=5 {
            assert_eq!(conn_of(rx.recv().await.unwrap()), n);
        }
        for w in waiting {
            assert!(w.await.unwrap());
        }
    }

    #[tokio::test]
    async fn closing_refuses_new_and_waiting_senders_but_keeps_what_was_queued() {
        let (_c, tx, _crx, mut rx) = mailbox(1);
        tx.send(frame(1)).await.unwrap();
        let tx2 = tx.clone();
        let waiting = tokio::spawn(async move { tx2.send(frame(2)).await.is_err() });
        tokio::task::yield_now().await;
        rx.close();
        assert!(tx.is_closed());
        assert!(
            waiting.await.unwrap(),
            "a sender waiting for room is refused"
        );
        assert!(tx.send(call()).await.is_err());
        assert_eq!(conn_of(rx.recv().await.unwrap()), 1);
        assert!(rx.recv().await.is_none());
    }

    #[tokio::test]
    async fn a_receiver_wakes_for_a_late_message_and_ends_with_its_senders() {
        let (ctl, tx, mut crx, mut rx) = mailbox(4);
        let late = tokio::spawn(async move { rx.recv().await.map(conn_of) });
        tokio::time::sleep(Duration::from_millis(5)).await;
        tx.send(frame(7)).await.unwrap();
        assert_eq!(late.await.unwrap(), Some(7));
        ctl.send(Control::Shutdown).unwrap();
        assert!(matches!(crx.recv().await, Some(Control::Shutdown)));
        let ended = tokio::spawn(async move { crx.recv().await.is_none() });
        drop(ctl);
        assert!(ended.await.unwrap(), "no sender left: the receiver ends");
    }

    #[tokio::test]
    async fn a_closed_control_queue_refuses_and_hands_back() {
        let (ctl, _tx, mut crx, _rx) = mailbox(1);
        ctl.send(Control::Disconnect { conn: 1 }).unwrap();
        crx.close();
        assert!(matches!(
            ctl.send(Control::Shutdown),
            Err(Control::Shutdown)
        ));
        assert!(matches!(
            crx.try_recv(),
            Some(Control::Disconnect { conn: 1 })
        ));
        assert!(crx.recv().await.is_none());
        drop(crx);
        assert!(ctl.send(Control::Release).is_err());
    }

    #[tokio::test]
    async fn room_is_given_back_after_a_burst() {
        let (_c, tx, _crx, mut rx) = mailbox(1024);
        for n in 0..1000 {
            tx.send(frame(n)).await.unwrap();
        }
        for _ in 0..1000 {
            rx.recv().await.unwrap();
        }
        assert!(rx.0.lock().inputs.capacity() <= KEPT);
    }
}
