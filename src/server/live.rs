//! The one fan-out point for live screens: services publish a change after they commit, and
//! every open board or queue hears of it at once over Server-Sent Events. A screen that hears
//! of a change re-reads its data, so one it missed (a dropped connection, a lagging reader) is
//! caught up by the next read.

use crate::domain::lead::Owner;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// Changes kept for slow listeners before they must resynchronise.
const BUFFER: usize = 1024;

/// A lead changed. `holders` are who held it before and who holds it now, so a rep hears only
/// of their own leads and a qualifier only of the queue's (see [`crate::domain::access::hears_of`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub lead_id: String,
    pub holders: Vec<Owner>,
    /// The change count after this change ([`Live::version`]).
    pub version: u64,
}

/// The broadcaster every service publishes to.
#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<Change>,
    /// Set when the server shuts down, so open streams end instead of holding it up.
    closing: Arc<watch::Sender<bool>>,
    /// Counts changes, so a cached board knows whether it is still current.
    version: Arc<AtomicU64>,
    /// Sessions signed out (by token hash): their open streams end at once.
    ended: broadcast::Sender<String>,
}

impl Default for Live {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(BUFFER).0,
            closing: Arc::new(watch::channel(false).0),
            version: Arc::new(AtomicU64::new(0)),
            ended: broadcast::channel(BUFFER).0,
        }
    }
}

impl Live {
    /// Tells every listener that a lead changed, naming who held it before and who holds it
    /// now. Nobody listening is fine.
    pub fn publish(&self, lead_id: &str, holders: impl IntoIterator<Item = Owner>) {
        let mut holders: Vec<Owner> = holders.into_iter().collect();
        holders.dedup();
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.tx.send(Change {
            lead_id: lead_id.to_string(),
            holders,
            version,
        });
    }

    /// Changes published so far: read it before reading what a change may affect.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Ends every open stream: the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when [`Live::close`] is called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    /// Tells the streams of the session with this token hash that it ended (signed out).
    pub fn end_session(&self, token_hash: &str) {
        let _ = self.ended.send(token_hash.to_string());
    }

    /// Resolves when the session with this token hash is signed out, or when the server
    /// shuts down.
    pub fn session_ended(
        &self,
        token_hash: String,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut ended = self.ended.subscribe();
        let closed = self.closed();
        async move {
            let signed_out = async move {
                loop {
                    match ended.recv().await {
                        Ok(hash) if hash == token_hash => return,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => {
                            std::future::pending::<()>().await;
                        }
                    }
                }
            };
            tokio::select! {
                () = signed_out => {}
                () = closed => {}
            }
        }
    }

    /// How many screens are listening.
    pub fn listeners(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closing_wakes_everyone_waiting_for_it() {
        let live = Live::default();
        let waiting = tokio::spawn(live.closed());
        live.close();
        tokio::time::timeout(std::time::Duration::from_secs(1), waiting)
            .await
            .expect("woken")
            .expect("finished");
        live.closed().await; // already closed: returns at once
    }

    #[tokio::test]
    async fn every_listener_hears_every_change() {
        let live = Live::default();
        let mut a = live.subscribe();
        let mut b = live.subscribe();
        live.publish("L1", [Owner::Rep("rita".to_string())]);
        for rx in [&mut a, &mut b] {
            let change = rx.recv().await.expect("a change");
            assert_eq!(change.lead_id, "L1");
            assert_eq!(change.holders, vec![Owner::Rep("rita".to_string())]);
        }
    }
}
