//! The hooks riding the scanner's pass, as the one hook the store takes: lifecycle rules,
//! then key re-sealing (a version the rules remove is not re-sealed first).

use std::sync::Arc;

use futures::future::BoxFuture;
use strata_volume::{ObjectInfo, ScanHook, UploadInfo, UploadVerdict};

/// Hooks called in order.
pub struct ScanHooks(Vec<Arc<dyn ScanHook>>);

impl ScanHooks {
    /// `hooks`, called in this order.
    pub fn new(hooks: Vec<Arc<dyn ScanHook>>) -> Self {
        ScanHooks(hooks)
    }
}

impl ScanHook for ScanHooks {
    fn begin_pass(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {
            for h in &self.0 {
                h.begin_pass().await;
            }
        })
    }

    /// The first hook with a rule for the upload decides.
    fn judge_upload<'a>(
        &'a self,
        bucket: &'a str,
        upload: &'a UploadInfo,
    ) -> BoxFuture<'a, UploadVerdict> {
        Box::pin(async move {
            for h in &self.0 {
                match h.judge_upload(bucket, upload).await {
                    UploadVerdict::Default => continue,
                    decided => return decided,
                }
            }
            UploadVerdict::Default
        })
    }

    fn visit_upload<'a>(&'a self, bucket: &'a str, upload: &'a UploadInfo) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for h in &self.0 {
                h.visit_upload(bucket, upload).await;
            }
        })
    }

    fn visit<'a>(&'a self, info: &'a ObjectInfo) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            for h in &self.0 {
                h.visit(info).await;
            }
        })
    }

    fn unreadable(&self, bucket: &str, key: &str) {
        for h in &self.0 {
            h.unreadable(bucket, key);
        }
    }
}
